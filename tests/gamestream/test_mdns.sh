#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# mDNS announcement of pfhost, seen by avahi-browse. Everything runs inside a network
# namespace made here (veth pair only, never the machine's real interfaces), with its own
# system bus and avahi-daemon. Also: without any Avahi daemon, pfhost warns once and serves.
# usage: test_mdns.sh PFHOST   (prints TAP)
set -u
pfhost=$1
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }

for tool in ip dbus-daemon avahi-daemon avahi-browse; do
  if ! command -v "$tool" >/dev/null 2>&1; then echo "1..0 # SKIP $tool missing"; exit 0; fi
done
if [ "$(id -u)" -ne 0 ]; then echo "1..0 # SKIP needs root for network namespaces"; exit 0; fi

tmp=$(mktemp -d /tmp/pfhost-mdns-XXXXXX)
ns=pfmdns$$
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  [ -f "$tmp/dbus.pid" ] && kill "$(cat "$tmp/dbus.pid")" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

write_conf() { # $1 = dir, $2 = extra lines
  mkdir -p "$1/config/pfhost"
  printf 'hostname = pf-mdns-test\nhttp_port = 0\nhttps_port = 0\napi_port = 0\nrtsp_port = 0\n%s' "$2" \
    > "$1/config/pfhost/pfhost.conf"
}
start_host() { # $1 = dir, rest = command prefix
  local dir=$1; shift
  env XDG_CONFIG_HOME="$dir/config" XDG_STATE_HOME="$dir/state" XDG_RUNTIME_DIR="$dir/run" \
    "$@" "$pfhost" serve > "$dir/host.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do [ -f "$dir/run/pfhost/runtime.json" ] && return 0; sleep 0.05; done
  return 1
}

# 1. No daemon anywhere: one warning, no loop, still serving.
write_conf "$tmp/a" "mdns = yes
"
if start_host "$tmp/a" env DBUS_SYSTEM_BUS_ADDRESS="unix:path=$tmp/no-such-bus"; then
  sleep 2
  warnings=$(grep -ci 'avahi' "$tmp/a/host.log")
  if [ "$warnings" -eq 1 ]; then ok "no Avahi daemon: exactly one warning"
  else notok "no Avahi daemon: exactly one warning (got $warnings)"; cat "$tmp/a/host.log" | sed 's/^/# /'; fi
  port=$(sed -n 's/.*"http_port":\([0-9]*\).*/\1/p' "$tmp/a/run/pfhost/runtime.json")
  if exec 3<>"/dev/tcp/127.0.0.1/$port" && printf 'GET /serverinfo?uniqueid=1 HTTP/1.0\r\n\r\n' >&3 &&
     grep -q 'status_code="200"' <&3; then ok "host serves without Avahi"; else notok "host serves without Avahi"; fi
  exec 3>&- 2>/dev/null
else
  notok "host starts without Avahi"
fi

# 2. A private network and bus, avahi-daemon on it, pfhost announcing, avahi-browse looking.
ip netns add "$ns" || { echo "1..$n"; notok "create network namespace"; exit 1; }
ip -n "$ns" link set lo up
ip -n "$ns" link add pfm0 type veth peer name pfm1
ip -n "$ns" addr add 10.203.0.1/24 dev pfm0
ip -n "$ns" addr add 10.203.0.2/24 dev pfm1
ip -n "$ns" link set pfm0 up multicast on
ip -n "$ns" link set pfm1 up multicast on

sed -e "s|<listen>.*</listen>|<listen>unix:path=$tmp/system_bus_socket</listen>|" \
    -e 's|<user>messagebus</user>||' -e 's|<pidfile>.*</pidfile>||' \
    -e 's|<includedir>system.d</includedir>|<includedir>/usr/share/dbus-1/system.d</includedir>|' \
    /usr/share/dbus-1/system.conf > "$tmp/system.conf"
ip netns exec "$ns" dbus-daemon --config-file="$tmp/system.conf" --fork \
  --print-pid=1 > "$tmp/dbus.pid" 2>"$tmp/dbus.log"
bus="unix:path=$tmp/system_bus_socket"

cat > "$tmp/avahi.conf" <<CONF
[server]
host-name=pf-mdns-ns
use-ipv4=yes
use-ipv6=no
allow-interfaces=pfm0,pfm1
enable-dbus=yes
[wide-area]
enable-wide-area=no
[publish]
publish-hinfo=no
publish-workstation=no
CONF
# avahi-daemon keeps its pid file in /run/avahi-daemon; a private tmpfs there (in the mount
# namespace ip-netns-exec creates) keeps it away from any daemon of the machine.
mkdir -p "$tmp/avahi-run"
ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS="$bus" sh -c \
  "mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon && exec avahi-daemon -f '$tmp/avahi.conf' --no-chroot --no-rlimits --no-drop-root" \
  > "$tmp/avahi.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS="$bus" avahi-browse -at >/dev/null 2>&1 && break
  sleep 0.1
done

write_conf "$tmp/b" "mdns = yes
"
if start_host "$tmp/b" ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS="$bus"; then
  ok "host starts inside the namespace"
else
  notok "host starts inside the namespace"; sed 's/^/# /' "$tmp/b/host.log"
fi
port=$(sed -n 's/.*"http_port":\([0-9]*\).*/\1/p' "$tmp/b/run/pfhost/runtime.json" 2>/dev/null)
found=""
for _ in $(seq 40); do
  found=$(ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS="$bus" \
    timeout 5 avahi-browse -rtp _nvstream._tcp 2>/dev/null | grep '^=' | grep 'pf-mdns-test')
  [ -n "$found" ] && break
  sleep 0.25
done
if [ -n "$found" ]; then ok "avahi-browse sees _nvstream._tcp \"pf-mdns-test\""
else notok "avahi-browse sees _nvstream._tcp \"pf-mdns-test\""; sed 's/^/# /' "$tmp/b/host.log" "$tmp/avahi.log"; fi
if [ -n "$found" ] && echo "$found" | awk -F';' -v p="$port" '$9 == p { f = 1 } END { exit !f }'; then
  ok "the service's port is the HTTP port ($port)"
else
  notok "the service's port is the HTTP port ($port)"; echo "$found" | sed 's/^/# /'
fi
# punktfunk/1 beside it (native-protocol.md §0.3): its UDP port and certificate fingerprint.
native=""
for _ in $(seq 40); do
  native=$(ip netns exec "$ns" env DBUS_SYSTEM_BUS_ADDRESS="$bus" \
    timeout 5 avahi-browse -rtp _punktfunk._udp 2>/dev/null | grep '^=' | grep 'pf-mdns-test')
  [ -n "$native" ] && break
  sleep 0.25
done
nport=$(sed -n 's/.*punktfunk\/1 on UDP \([0-9]*\), certificate \([0-9a-f]*\).*/\1/p' "$tmp/b/host.log")
nfp=$(sed -n 's/.*punktfunk\/1 on UDP \([0-9]*\), certificate \([0-9a-f]*\).*/\2/p' "$tmp/b/host.log")
if [ -n "$native" ] && echo "$native" | awk -F';' -v p="$nport" '$9 == p { f = 1 } END { exit !f }' &&
   echo "$native" | grep -q "\"fp=$nfp\"" && echo "$native" | grep -q '"proto=punktfunk/1"' &&
   echo "$native" | grep -q '"pair=required"'; then
  ok "avahi-browse sees _punktfunk._udp on UDP $nport with fp, proto and pair"
else
  notok "avahi-browse sees _punktfunk._udp with fp, proto and pair"; echo "$native" | sed 's/^/# /'
fi
if ! grep -qi 'warning\|avahi client failed' "$tmp/b/host.log"; then ok "no warnings with a daemon"
else notok "no warnings with a daemon"; sed 's/^/# /' "$tmp/b/host.log"; fi

echo "1..$n"
[ "$fails" -eq 0 ]
