#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Wake-on-LAN: two network namespaces joined by a veth pair whose host end gets a MAC set
# here; test_wol (run in the host's namespace) checks that /serverinfo reports exactly it.
# usage: test_wol.sh TEST_WOL   (prints TAP)
set -u
bin=$1
if ! command -v ip >/dev/null 2>&1; then echo "1..0 # SKIP ip missing"; exit 0; fi
if [ "$(id -u)" -ne 0 ]; then echo "1..0 # SKIP needs root for network namespaces"; exit 0; fi
host_ns=pfwolh$$ client_ns=pfwolc$$
mac=02:70:66:77:6f:6c
cleanup() { ip netns del "$host_ns" 2>/dev/null; ip netns del "$client_ns" 2>/dev/null; }
trap cleanup EXIT
if ! { ip netns add "$host_ns" && ip netns add "$client_ns" &&
       ip -n "$host_ns" link set lo up && ip -n "$client_ns" link set lo up &&
       ip link add pfwol$$ netns "$host_ns" type veth peer name pfwolp$$ netns "$client_ns" &&
       ip -n "$host_ns" link set pfwol$$ address "$mac" &&
       ip -n "$host_ns" addr add 10.205.0.1/24 dev pfwol$$ &&
       ip -n "$client_ns" addr add 10.205.0.2/24 dev pfwolp$$ &&
       ip -n "$host_ns" addr add fd70:7066::1/64 dev pfwol$$ nodad &&
       ip -n "$client_ns" addr add fd70:7066::2/64 dev pfwolp$$ nodad &&
       ip -n "$host_ns" link set pfwol$$ up && ip -n "$client_ns" link set pfwolp$$ up; }; then
  echo "1..1"; echo "not ok 1 - create the namespaces and the veth pair"; exit 1
fi
ip netns exec "$host_ns" "$bin" 10.205.0.1 "$mac" "/run/netns/$client_ns" fd70:7066::1
