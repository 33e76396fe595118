#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Writes the ABI baseline of libpfcore from a build directory (default build/test). Run it only
# when a release deliberately fixes the ABI, and commit the result with that release.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build/test}
abidw --headers-dir include/pf/core --out-file tests/abi/libpfcore.abi \
  "$build/libpfcore/libpfcore.so"
echo "wrote tests/abi/libpfcore.abi"
if [ -f "$build/libpfclient/libpfclient.so" ]; then
  abidw --headers-dir include/pf --out-file tests/abi/libpfclient.abi \
    "$build/libpfclient/libpfclient.so"
  echo "wrote tests/abi/libpfclient.abi"
fi
