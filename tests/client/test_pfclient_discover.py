#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pfclient --discover finds a pfhost announcing _punktfunk._udp over mDNS, with its port and
certificate fingerprint. Runs inside private network and mount namespaces (`unshare -n -m`):
a veth pair, its own system bus and avahi-daemon, never the machine's interfaces or daemons.

usage: test_pfclient_discover.py PFCLIENT PFHOST"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pfhost_fixture import Host, Tap  # noqa: E402

PFCLIENT, PFHOST = sys.argv[1], sys.argv[2]


def sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True)


def main():
    for tool in ("ip", "dbus-daemon", "avahi-daemon"):
        if not shutil.which(tool):
            print("1..0 # SKIP %s missing" % tool)
            return 0
    if sh("ip link set lo up && ip link add pfd0 type veth peer name pfd1").returncode != 0 or \
       sh("mount -t tmpfs tmpfs /run/avahi-daemon 2>/dev/null || "
          "(mkdir -p /run/avahi-daemon && mount -t tmpfs tmpfs /run/avahi-daemon)").returncode:
        print("1..0 # SKIP needs root, network and mount namespaces")
        return 0
    t = Tap()
    tmp = tempfile.mkdtemp(prefix="pfclient-mdns-")
    procs = []
    host = None
    try:
        sh("ip addr add 10.204.0.1/24 dev pfd0 && ip addr add 10.204.0.2/24 dev pfd1 && "
           "ip link set pfd0 up multicast on && ip link set pfd1 up multicast on")
        with open("/usr/share/dbus-1/system.conf") as f:
            conf = f.read()
        conf = re.sub(r"<listen>.*</listen>", "<listen>unix:path=%s/bus</listen>" % tmp, conf)
        conf = re.sub(r"<user>messagebus</user>|<pidfile>.*</pidfile>", "", conf)
        conf = conf.replace("<includedir>system.d</includedir>",
                            "<includedir>/usr/share/dbus-1/system.d</includedir>")
        with open(tmp + "/system.conf", "w") as f:
            f.write(conf)
        procs.append(subprocess.Popen(["dbus-daemon", "--config-file=" + tmp + "/system.conf",
                                       "--nofork"], stderr=subprocess.DEVNULL))
        bus = "unix:path=%s/bus" % tmp
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = bus
        with open(tmp + "/avahi.conf", "w") as f:
            f.write("[server]\nhost-name=pf-disc-ns\nuse-ipv4=yes\nuse-ipv6=no\n"
                    "allow-interfaces=pfd0,pfd1\nenable-dbus=yes\n[wide-area]\n"
                    "enable-wide-area=no\n[publish]\npublish-hinfo=no\n"
                    "publish-workstation=no\n")
        for _ in range(100):
            if os.path.exists(tmp + "/bus"):
                break
            time.sleep(0.05)
        procs.append(subprocess.Popen(["avahi-daemon", "-f", tmp + "/avahi.conf", "--no-chroot",
                                       "--no-rlimits", "--no-drop-root"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(1)
        host = Host(PFHOST, conf_extra="mdns = yes\n")
        found = []
        deadline = time.monotonic() + 40
        while not found and time.monotonic() < deadline:
            p = subprocess.run([PFCLIENT, "--discover", "--seconds", "3", "--json"],
                               capture_output=True, text=True, timeout=30)
            found = [json.loads(line) for line in p.stdout.splitlines() if line.startswith("{")]
        match = [f for f in found if f.get("port") == host.port]
        t.ok(match, "pfclient --discover lists the host's punktfunk/1 port", found)
        t.ok(match and match[0].get("fingerprint") == host.fingerprint,
             "with the host's certificate fingerprint from TXT fp=", found)
        p = subprocess.run([PFCLIENT, "--discover", "--seconds", "2"], capture_output=True,
                           text=True, timeout=30)
        t.ok(p.returncode == 0 and host.fingerprint in p.stdout and str(host.port) in p.stdout,
             "the plain listing names address, port and fingerprint", p.stdout + p.stderr)
        host.stop()
        host = None
        time.sleep(1)
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = "unix:path=%s/no-such-bus" % tmp
        p = subprocess.run([PFCLIENT, "--discover", "--seconds", "1"], capture_output=True,
                           text=True, timeout=30)
        t.ok(p.returncode == 2 and "Avahi" in p.stderr,
             "without an Avahi daemon: a clear error", p.stderr)
    finally:
        if host:
            host.stop()
        for p in reversed(procs):
            p.terminate()
            p.wait()
        sh("umount /run/avahi-daemon")
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
