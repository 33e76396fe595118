#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Compares the ABI of a built library with the baseline committed in tests/abi/ (abidiff from
# abigail-tools). Added symbols are fine (a compatible change: they go in a new map node);
# anything abidiff calls incompatible fails.
# usage: check-abi.sh LIBRARY.so BASELINE.abi PUBLIC_HEADER_DIR
# To refresh the baseline after a deliberate, compatible addition: tests/abi/update-baseline.sh
set -u
lib=$1 baseline=$2 headers=$3
echo "1..1"
if [ ! -f "$baseline" ]; then
  echo "not ok 1 - ABI baseline $baseline is missing (run tests/abi/update-baseline.sh)"
  exit 1
fi
out=$(abidiff --no-added-syms --headers-dir2 "$headers" "$baseline" "$lib" 2>&1)
rc=$?
# abidiff status bits: 1 error, 2 usage error, 4 ABI change, 8 incompatible ABI change.
if [ $((rc & 3)) -ne 0 ]; then
  echo "not ok 1 - abidiff failed to run"
  printf '%s\n' "$out" | sed 's/^/#   /'
  exit 1
fi
if [ $((rc & 8)) -ne 0 ]; then
  echo "not ok 1 - incompatible ABI change in $(basename "$lib")"
  printf '%s\n' "$out" | sed 's/^/#   /'
  exit 1
fi
echo "ok 1 - $(basename "$lib") is ABI compatible with $(basename "$baseline")"
[ $((rc & 4)) -ne 0 ] && printf '%s\n' "$out" | sed 's/^/#   /'
exit 0
