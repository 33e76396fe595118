#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs the build into a scratch DESTDIR and builds a program against every installed
# pkg-config file, the way a third-party app would (architecture §1: every library ships one).
# usage: check-pkgconfig.sh BUILD_DIR CC
set -u
build=$1 cc=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
if ! meson install -C "$build" --destdir "$dest" --no-rebuild --quiet >"$dest/install.log" 2>&1; then
  echo "1..1"; echo "not ok 1 - meson install"; sed 's/^/#   /' "$dest/install.log"; exit 1
fi
mapfile -t pcs < <(find "$dest" -name '*.pc' -path '*pkgconfig*' | sort)
echo "1..$(( ${#pcs[@]} + 1 ))"
if printf '%s\n' "${pcs[@]}" | grep -q '/libpfcore\.pc$'; then
  echo "ok 1 - libpfcore.pc installed"
else
  echo "not ok 1 - libpfcore.pc installed"
fi
export PKG_CONFIG_SYSROOT_DIR=$dest
export PKG_CONFIG_PATH=$(printf '%s\n' "${pcs[@]}" | xargs -n1 dirname | sort -u | paste -sd:)
n=1 failed=0
for pc in "${pcs[@]}"; do
  n=$((n + 1))
  name=$(basename "$pc" .pc)
  src=$dest/use-$name.c
  if [ "$name" = libpfcore ]; then
    printf '#include <pf/core.h>\nint main(void) { return pf_core_abi_version() == PF_CORE_ABI_VERSION ? 0 : 1; }\n' >"$src"
  else
    printf 'int main(void) { return 0; }\n' >"$src"
  fi
  libdirs=$(pkg-config --libs-only-L "$name" | sed -e 's/-L//g' -e 's/ \+/:/g')
  # shellcheck disable=SC2046
  if "$cc" -std=c99 -o "$dest/use-$name" "$src" $(pkg-config --cflags --libs "$name") \
       >"$dest/cc-$name.log" 2>&1 &&
     LD_LIBRARY_PATH="$libdirs" "$dest/use-$name"; then
    echo "ok $n - build and run against $name.pc"
  else
    failed=1
    echo "not ok $n - build and run against $name.pc"
    sed 's/^/#   /' "$dest/cc-$name.log"
  fi
done
exit $failed
