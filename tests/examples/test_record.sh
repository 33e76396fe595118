#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# examples/record end to end: a private session bus, PipeWire and WirePlumber, then
# `pf-record --seconds 5 out.mkv` and the file decoded back by check_recording.
# usage: test_record.sh PF_RECORD CHECK_RECORDING   (prints TAP)
set -u
record=$1 check=$2
for tool in dbus-daemon pipewire wireplumber; do
  command -v "$tool" >/dev/null 2>&1 || { echo "1..0 # SKIP $tool missing"; exit 0; }
done
tmp=$(mktemp -d /tmp/pf-record-XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [ -s "$tmp/dbus.pid" ] && kill "$(cat "$tmp/dbus.pid")" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
export XDG_RUNTIME_DIR=$tmp
dbus-daemon --session --fork --print-pid=1 --address="unix:path=$tmp/bus" >"$tmp/dbus.pid"
export DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/bus
pipewire >"$tmp/pipewire.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$tmp/pipewire-0" ] && break; sleep 0.05; done
wireplumber >"$tmp/wireplumber.log" 2>&1 &
pids+=($!)
sleep 0.5
echo "1..6"
if ! "$record" --seconds 5 "$tmp/out.mkv" >"$tmp/record.log" 2>&1; then
  echo "not ok 1 - pf-record --seconds 5 out.mkv records the test pattern"
  sed 's/^/# /' "$tmp/record.log" "$tmp/pipewire.log" "$tmp/wireplumber.log" | tail -n 40
  exit 1
fi
echo "ok 1 - pf-record --seconds 5 out.mkv records the test pattern"
sed 's/^/# /' "$tmp/record.log"
# check_recording's own plan and numbers give way to this script's.
"$check" "$tmp/out.mkv" 640 360 5 30 | grep -v '^1\.\.' | sed -E 's/^(not ok|ok) [0-9]+/\1/'
exit "${PIPESTATUS[0]}"
