#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Debian packages, built and used as a user would: dpkg-buildpackage -us -uc -b on a copy
# of the tree, lintian, the symbols files against the linker maps, the Depends closure
# resolved from the archive as on a fresh Debian 12, then dpkg -i into a root of its own
# where pfhost, its manual page, a Moonlight-like client, the web console, pfclient, the
# measurement tools and the embedding examples run from the installed files only.
#
# The root: an overlay whose lower layer is this machine's / (read-only, with the runtime
# libraries the Depends name already installed by scripts/install-deps) and whose upper layer
# is a tmpfs, in a private mount namespace; the source tree and /usr/local are hidden under
# empty tmpfs mounts, so nothing from a build tree can be found. dpkg -i there checks the
# Depends against a real package database. A debootstrapped root would need the whole
# closure (~630 packages with Mutter and FFmpeg) downloaded and unpacked on every run, several
# times this test's budget on 2 cores; the closure is instead resolved with apt against an
# empty package status, which is what apt does on a fresh system.
#
# usage: test_package.sh SOURCE_ROOT PKG_CLIENT CHECK_MANPAGE   (prints TAP; needs root)
set -u
src=$1 client=$2 checkman=$3

if [ "$(id -u)" -ne 0 ]; then echo "1..0 # SKIP needs root (mount namespace, chroot)"; exit 0; fi
for tool in dpkg-buildpackage dh lintian unshare chroot apt-get; do
  command -v "$tool" >/dev/null || { echo "1..0 # SKIP $tool missing (scripts/install-deps)"; exit 0; }
done
# Everything below runs in a mount namespace of its own: every mount vanishes with it.
if [ -z "${PF_PACKAGE_NS:-}" ]; then
  exec unshare --mount --propagation private env PF_PACKAGE_NS=1 "$0" "$@"
fi

n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $1"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else notok "$what"; fi; }
show() { sed 's/^/#   /' "$@" | tail -n 40; }
finish() { echo "1..$n"; [ "$fails" -eq 0 ]; exit $?; }

tmp=$(mktemp -d /tmp/pf-package-XXXXXX)
root=$tmp/root
cleanup() {
  mountpoint -q "$root" && umount -R "$root"
  mountpoint -q "$tmp/layers" && umount "$tmp/layers"
  rm -rf --one-file-system "$tmp"
}
trap cleanup EXIT

# 1. Build from a copy of the tree (dpkg-buildpackage writes into the tree and its parent).
mkdir "$tmp/src"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  (cd "$src" && git ls-files -z --cached --others --exclude-standard | tar -cf - --null -T -) |
    tar -xf - -C "$tmp/src"
else
  tar -C "$src" --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$tmp/src"
fi
# The console is built offline from the tree's console/node_modules (`npm ci`, which
# scripts/install-deps runs); git does not list them, so they are copied. Without them the
# packages are built with the pkg.punktfunk.noconsole profile and the console checks skip.
profiles=
if [ -f "$src/console/node_modules/vite/bin/vite.js" ]; then
  cp -a "$src/console/node_modules" "$tmp/src/console/"
else
  profiles=pkg.punktfunk.noconsole
fi
start=$(date +%s)
if (cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
      dpkg-buildpackage -us -uc -b ${profiles:+-P$profiles}) >"$tmp/build.log" 2>&1; then
  ok "dpkg-buildpackage -us -uc -b ($(( $(date +%s) - start )) s)"
else
  notok "dpkg-buildpackage -us -uc -b"; show "$tmp/build.log"; finish
fi
mkdir "$tmp/debs"
mv "$tmp"/*.deb "$tmp"/*.changes "$tmp"/*.buildinfo "$tmp/debs/"
want=(pfhost libpfcore1 libpfcore-dev libpfcapture0 libpfcapture-dev libpfencode0
      libpfencode-dev libpfinput0 libpfinput-dev libpfnet0 libpfnet-dev libpfclient0
      libpfclient-dev pfclient punktfunk-tools)
missing=()
for p in "${want[@]}"; do ls "$tmp/debs/${p}_"*.deb >/dev/null 2>&1 || missing+=("$p"); done
check "the package set is built: ${want[*]}" test ${#missing[@]} -eq 0

# 2. lintian: no errors (warnings are printed as diagnostics).
if lintian --fail-on error --display-level '>=warning' "$tmp"/debs/*.changes >"$tmp/lintian.log" 2>&1; then
  ok "lintian finds no errors"; grep -v '^running with root' "$tmp/lintian.log" | sed 's/^/# /'
else
  notok "lintian finds no errors"; show "$tmp/lintian.log"
fi

# 3. The symbols files are the linker maps, and dpkg-gensymbols -c4 catches a break.
symbols_match_map() { # $1 = package, $2 = library, $3 = version node prefix
  local map deb
  mkdir "$tmp/$1"
  dpkg-deb -R "$tmp/debs/$1"_*.deb "$tmp/$1"
  map=$(sed -e 's:/\*.*\*/::g' "$src/$2/$2.sym" | grep -o '^ *pf_[a-z0-9_]*;' | tr -d ' ;' | sort)
  deb=$(grep -o "^ pf_[a-z0-9_]*@$3" "$tmp/$1/DEBIAN/symbols" | sed 's/^ //; s/@.*//' | sort)
  check "$1's symbols file lists exactly the symbols of $2.sym" test -n "$map" -a "$map" = "$deb"
}
symbols_match_map libpfcore1 libpfcore PFCORE_
symbols_match_map libpfclient0 libpfclient PFCLIENT_
core=$tmp/libpfcore1
next=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version).1
gensym() { # $1 = template; fails when the library does not match it
  dpkg-gensymbols -c4 -v"$next" -plibpfcore1 -P"$core" -I"$1" -O"$tmp/out.symbols" \
    -e"$(ls "$core"/usr/lib/*/libpfcore.so.1.*)" >"$tmp/gensym.log" 2>&1
}
first=$(grep -o '^ pf_[a-z0-9_]*@PFCORE_' "$core/DEBIAN/symbols" | sed 's/^ //; s/@.*//' | sort | head -n 1)
sed "s/^ $first@\(.*\)$/ $first@\1\n pf_core_removed_symbol@PFCORE_1.0 0.1.0/" \
  "$core/DEBIAN/symbols" > "$tmp/lost.symbols"
grep -v "^ $first@" "$core/DEBIAN/symbols" > "$tmp/unlisted.symbols"
if gensym "$core/DEBIAN/symbols" && ! gensym "$tmp/lost.symbols" &&
   ! gensym "$tmp/unlisted.symbols"; then
  ok "dpkg-gensymbols -c4 fails on a lost symbol and on one the map does not list"
else
  notok "dpkg-gensymbols -c4 fails on a lost symbol and on one the map does not list"
  show "$tmp/gensym.log"
fi

# 4. The Depends closure as apt resolves it on a fresh system (empty package status).
debs=()
for p in "${want[@]}"; do debs+=("$(ls "$tmp/debs/${p}_"*.deb)"); done
# libpfclient-dev wants ngtcp2's 1.x headers, which Debian 12 has in bookworm-backports only
# (its own libngtcp2-dev is 0.12): it is installed with -t bookworm-backports, the others
# from the plain archive (the runtime libngtcp2-16 is a backports-only name apt finds itself).
plain_debs=()
for d in "${debs[@]}"; do case $d in */libpfclient-dev_*) ;; *) plain_debs+=("$d") ;; esac; done
resolve() { # $1 = log; rest = apt-get options and packages
  local log=$1; shift
  apt-get -s -o Dir::State::status="$tmp/empty-status" -o Debug::NoLocking=1 \
    --no-install-recommends "$@" >"$log" 2>&1
}
if ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1; then
  : >"$tmp/empty-status"
  if resolve "$tmp/apt.log" install "${plain_debs[@]}"; then
    ok "apt resolves every Depends from the archive ($(grep -c '^Inst' "$tmp/apt.log") packages)"
  else
    notok "apt resolves every Depends from the archive"; show "$tmp/apt.log"
  fi
  has() { grep -q "^Inst $1 " "$tmp/apt.log"; }
  check "a fresh install brings pipewire, wireplumber, dbus and a headless compositor" \
    eval 'has pipewire && has wireplumber && has dbus && { has mutter || has weston || has sway; }'
  if resolve "$tmp/apt-dev.log" -t bookworm-backports install "${debs[@]}" &&
     grep -q '^Inst libngtcp2-dev (1\.' "$tmp/apt-dev.log"; then
    ok "with -t bookworm-backports apt resolves libpfclient-dev too (ngtcp2 1.x headers)"
  else
    notok "with -t bookworm-backports apt resolves libpfclient-dev too"; show "$tmp/apt-dev.log"
  fi
else
  ok "apt resolves every Depends from the archive # SKIP no package lists (apt-get update)"
  ok "a fresh install brings pipewire, wireplumber, dbus and a compositor # SKIP no package lists"
  ok "apt resolves libpfclient-dev with bookworm-backports # SKIP no package lists"
fi

# 5. The root, then dpkg -i there.
mkdir -p "$tmp/layers" "$root"
mount -t tmpfs tmpfs "$tmp/layers"
mkdir "$tmp/layers/upper" "$tmp/layers/work"
mount -t overlay overlay -o "lowerdir=/,upperdir=$tmp/layers/upper,workdir=$tmp/layers/work" "$root"
mount --bind /dev "$root/dev"
mount -t proc proc "$root/proc"
# /tmp is shared so that the client and the host see the same XDG directories.
mount --bind /tmp "$root/tmp"
for hide in "$src" "$(cd "$src" && pwd -P)" /usr/local; do
  [ -d "$root$hide" ] && ! mountpoint -q "$root$hide" && mount -t tmpfs tmpfs "$root$hide"
done
mount -t tmpfs tmpfs "$root$tmp/src"
in_root() { chroot "$root" "$@"; }
check "the root has no pfhost and no libpfcore before the install" \
  eval '! in_root sh -c "command -v pfhost || ls /usr/lib/*/libpfcore.so*" >/dev/null 2>&1'
if in_root dpkg -i "${debs[@]}" >"$tmp/dpkg.log" 2>&1; then
  ok "dpkg -i of every package in the root: its dependencies are installed there"
else
  notok "dpkg -i of every package in the root"; show "$tmp/dpkg.log"; finish
fi
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
in_root pfhost --version >"$tmp/version.txt" 2>&1
check "pfhost --version names pfhost $version and libpfcore" \
  eval "grep -q '^pfhost $version' '$tmp/version.txt' && grep -q '^libpfcore ' '$tmp/version.txt'"
in_root ldd /usr/bin/pfhost >"$tmp/ldd.txt" 2>&1
if [ "$(grep -cE 'libpf[a-z]+\.so\.[0-9]+ => (/usr)?/lib/' "$tmp/ldd.txt")" -eq 5 ] &&
   ! grep -q 'not found' "$tmp/ldd.txt"; then
  ok "pfhost loads its five libpf* libraries from the packages' /usr/lib"
else
  notok "pfhost loads its five libpf* libraries from the packages' /usr/lib"; show "$tmp/ldd.txt"
fi
unit=$root/usr/lib/systemd/user/pfhost.service
check "the systemd user unit runs the installed binary" \
  eval "grep -q '^ExecStart=/usr/bin/pfhost serve' '$unit' && [ -x '$root/usr/bin/pfhost' ]"

# 6. The installed manual page says what the installed binary's help says.
chroot_bin=$(command -v chroot)
printf '#!/bin/sh\nexec %s %s /usr/bin/pfhost "$@"\n' "$chroot_bin" "$root" >"$tmp/pfhost-root"
chmod +x "$tmp/pfhost-root"
if python3 "$checkman" "$tmp/pfhost-root" "$root/usr/share/man/man1/pfhost.1.gz" >"$tmp/man.log" 2>&1; then
  ok "pfhost(1) as installed matches the installed pfhost's help"
else
  notok "pfhost(1) as installed matches the installed pfhost's help"; show "$tmp/man.log"
fi

# 6b. pfclient and the measurement tools: they run from the root, load the packaged
# libraries, and their installed pages say what their help says.
in_root ldd /usr/bin/pfclient >"$tmp/ldd-client.txt" 2>&1
if grep -qE 'libpfclient\.so\.0 => (/usr)?/lib/' "$tmp/ldd-client.txt" &&
   ! grep -q 'not found' "$tmp/ldd-client.txt"; then
  ok "pfclient loads libpfclient.so.0 from the package's /usr/lib"
else
  notok "pfclient loads libpfclient.so.0 from the package's /usr/lib"; show "$tmp/ldd-client.txt"
fi
mkdir "$tmp/bin"
for prog in pfclient pf-loss-harness pf-latency-probe; do
  printf '#!/bin/sh\nexec %s %s /usr/bin/%s "$@"\n' "$chroot_bin" "$root" "$prog" >"$tmp/bin/$prog"
  chmod +x "$tmp/bin/$prog"
  check "the installed $prog --help prints its usage" \
    eval "'$tmp/bin/$prog' --help 2>&1 | grep -qi '^usage: $prog'"
  if python3 "$checkman" --plain "$tmp/bin/$prog" "$root/usr/share/man/man1/$prog.1.gz" \
       >"$tmp/man-$prog.log" 2>&1; then
    ok "$prog(1) as installed matches the installed $prog's help"
  else
    notok "$prog(1) as installed matches the installed $prog's help"; show "$tmp/man-$prog.log"
  fi
done
# The harness runs libpfcore's real packetizer and reassembler: a small sweep, as JSON.
in_root pf-loss-harness --schemes gs8 --models random --sizes 4k --parity 20 --loss-max 10 \
  --frames 50 --json >"$tmp/harness.json" 2>&1
check "the installed pf-loss-harness sweeps a loss grid and prints JSON" \
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/harness.json"

# 7. `pfhost serve --source testpattern` from the root, paired and streamed by the in-repo
# client (which runs outside the root and reaches the host on 127.0.0.1).
cat >"$tmp/pfhost-serve" <<EOF
#!/bin/sh
case " \$* " in
  *" serve "*) set -- "\$@" --source testpattern ;;
esac
exec $chroot_bin $root /usr/bin/pfhost "\$@"
EOF
chmod +x "$tmp/pfhost-serve"
mkdir "$tmp/client"
PFHOST_BIN=$tmp/pfhost-serve "$client" "$tmp/client" >"$tmp/client.log" 2>&1
while IFS= read -r line; do
  case $line in
    "ok "*) ok "installed host: ${line#* - }" ;;
    "not ok "*) notok "installed host: ${line#* - }" ;;
    "#"*) echo "$line" ;;
  esac
done <"$tmp/client.log"
grep -q '^1\.\.' "$tmp/client.log" || { notok "the client ran"; show "$tmp/client.log"; }

# 7b. The web console: the installed pfhost serves the packaged files of
# /usr/share/pfhost/console at / on its management port (the login page before a session,
# with the script it loads).
console=$root/usr/share/pfhost/console
if [ -n "$profiles" ]; then
  ok "pfhost serves the packaged console # SKIP console/node_modules missing (npm ci)"
else
  check "pfhost ships the built console (index.html, login.html, assets)" \
    eval "[ -f '$console/index.html' ] && [ -f '$console/login.html' ] && ls '$console'/assets/*.js >/dev/null"
  hd=$tmp/console-host
  mkdir -p "$hd/config/pfhost" "$hd/state" "$hd/run"
  printf 'hostname = pf-package\nhttp_port = 0\nhttps_port = 0\napi_port = 0\nrtsp_port = 0\nmdns = no\n' \
    >"$hd/config/pfhost/pfhost.conf"
  XDG_CONFIG_HOME=$hd/config XDG_STATE_HOME=$hd/state XDG_RUNTIME_DIR=$hd/run HOME=$hd \
    "$chroot_bin" "$root" /usr/bin/pfhost serve --source testpattern >"$hd/host.log" 2>&1 &
  host_pid=$!
  if python3 - "$hd/run/pfhost/runtime.json" "$console" >"$tmp/console.log" 2>&1 <<'PY'
import json, os, re, sys, time, urllib.request
runtime, console = sys.argv[1], sys.argv[2]
deadline = time.time() + 60
while not os.path.exists(runtime):
    if time.time() > deadline:
        sys.exit("pfhost wrote no runtime.json in 60 s")
    time.sleep(0.2)
time.sleep(0.2)
base = json.load(open(runtime))["api_url"]
def get(path):
    with urllib.request.urlopen(base + path, timeout=10) as r:
        return r.status, r.headers.get("Content-Type", ""), r.read()
status, ctype, body = get("/")
want = open(os.path.join(console, "login.html"), "rb").read()
assert status == 200 and ctype.startswith("text/html"), (status, ctype)
assert body == want, "/ is not the installed login.html"
script = re.search(rb'src="(/assets/[^"]+\.js)"', body).group(1).decode()
status, ctype, js = get(script)
assert status == 200 and js == open(os.path.join(console, script[1:]), "rb").read(), script
print("served / and %s from %s" % (script, console))
PY
  then
    ok "the installed pfhost serves the console's page and script from /usr/share/pfhost/console"
  else
    notok "the installed pfhost serves the console's page and script from /usr/share/pfhost/console"
    show "$tmp/console.log"; show "$hd/host.log"
  fi
  kill "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null
fi

# 8. The embedding examples, built against the installed pkg-config files and run in the root.
# The -dev packages carry them as documentation; build those copies.
mkdir -p "$tmp/ex/fec" "$tmp/ex/record"
cp "$root"/usr/share/doc/libpfcore-dev/examples/pf-fec-demo.c "$tmp/ex/fec/"
cp "$root"/usr/share/doc/libpfcapture-dev/examples/pf-record.c "$tmp/ex/record/"
build_in_root() { # $1 = output, $2 = source, rest = pkg-config modules
  local out=$1 c=$2; shift 2
  # shellcheck disable=SC2046
  in_root cc -std=c11 -Wall -Werror -o "$out" "$c" $(in_root pkg-config --cflags --libs "$@")
}
if build_in_root "$tmp/ex/pf-fec-demo" "$tmp/ex/fec/pf-fec-demo.c" libpfcore \
     >"$tmp/ex-fec.log" 2>&1 && in_root "$tmp/ex/pf-fec-demo" >>"$tmp/ex-fec.log" 2>&1; then
  ok "examples/fec builds against the installed libpfcore.pc and recovers its buffer"
else
  notok "examples/fec builds against the installed libpfcore.pc and recovers its buffer"
  show "$tmp/ex-fec.log"
fi
# pf-record needs a PipeWire daemon to record (tests/examples runs that); here it must build
# and load the installed libraries: a usage error exits 2.
build_in_root "$tmp/ex/pf-record" "$tmp/ex/record/pf-record.c" libpfcapture libpfencode \
  libavformat libavcodec libavutil >"$tmp/ex-record.log" 2>&1
in_root "$tmp/ex/pf-record" >>"$tmp/ex-record.log" 2>&1
if [ $? -eq 2 ] && grep -q '^pf-record: name one output file' "$tmp/ex-record.log"; then
  ok "examples/record builds against the installed .pc files and runs"
else
  notok "examples/record builds against the installed .pc files and runs"
  show "$tmp/ex-record.log"
fi
finish
