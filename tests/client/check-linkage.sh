#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An app that embeds the punktfunk/1 client must not pull in the GameStream servers: neither
# the library's dynamic dependencies (ldd) nor what pkg-config tells a consumer to link (also
# with --static, which adds Requires.private) may name libmicrohttpd, Avahi or ENet.
# usage: check-linkage.sh LIBPFCLIENT.so BUILD_DIR
set -u
lib=$1 build=$2
echo "1..4"
forbidden='microhttpd|avahi|enet'
deps=$(ldd "$lib" 2>&1)
if printf '%s\n' "$deps" | grep -Eqi "$forbidden"; then
  echo "not ok 1 - ldd of $(basename "$lib") names no GameStream server library"
  printf '%s\n' "$deps" | sed 's/^/#   /'
else
  echo "ok 1 - ldd of $(basename "$lib") names no GameStream server library"
fi
if printf '%s\n' "$deps" | grep -q 'libngtcp2' && printf '%s\n' "$deps" | grep -q 'libpfcore'; then
  echo "ok 2 - it links ngtcp2 and libpfcore (the QUIC endpoint is inside it)"
else
  echo "not ok 2 - it links ngtcp2 and libpfcore"
  printf '%s\n' "$deps" | sed 's/^/#   /'
fi
export PKG_CONFIG_PATH=$build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
n=3
for mode in "" "--static"; do
  # shellcheck disable=SC2086
  libs=$(pkg-config --libs $mode libpfclient-uninstalled 2>&1)
  if [ $? -ne 0 ] || printf '%s\n' "$libs" | grep -Eqi "$forbidden" ||
     ! printf '%s\n' "$libs" | grep -q -- '-lpfclient'; then
    echo "not ok $n - pkg-config --libs $mode libpfclient: $libs"
  else
    echo "ok $n - pkg-config --libs $mode libpfclient names no GameStream server library"
  fi
  n=$((n + 1))
done
