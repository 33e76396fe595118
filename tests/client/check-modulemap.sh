#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The module map Swift (and clang modules) import: PFClient must build as a module and expose
# the client API beside PFCore. Checked with clang's own module loader, as Swift's importer
# is clang's.
# usage: check-modulemap.sh CLANG INCLUDE_DIR
set -u
clang=$1 inc=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/use.m" <<'SRC'
@import PFCore;
@import PFClient;
int main(void)
{
    pf_client_settings s;
    pf_client_settings_default(&s);
    pf_client_video_frame f = {.struct_size = sizeof(f)};
    return (int)(pf_client_abi_version() + pf_core_abi_version() + s.struct_size + f.struct_size);
}
SRC
echo "1..1"
if "$clang" -x objective-c -fmodules -fmodules-cache-path="$tmp/cache" \
     -fmodule-map-file="$inc/pf/module.modulemap" -I"$inc" -fsyntax-only "$tmp/use.m" \
     >"$tmp/log" 2>&1; then
  echo "ok 1 - module PFClient imports with pf/client.h"
else
  echo "not ok 1 - module PFClient imports with pf/client.h"
  sed 's/^/#   /' "$tmp/log"
fi
