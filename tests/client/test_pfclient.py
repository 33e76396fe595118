#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pfclient against a real `pfhost serve --source testpattern` on loopback: every refusal the
host gives a client (with the close code's meaning in words, wire version 0x67 and launch
0x6A among them), PIN pairing and where pfclient keeps its state, 600 frames at 720p120
checked by the test pattern's counter, a mode change on ChaCha20-Poly1305, a speed test beside
the stream, an app launched from the Hello, grants changed mid-stream (AccessUpdate), and
revocation mid-stream.

usage: test_pfclient.py PFCLIENT PFHOST
With --loss (it runs itself again in a private network namespace) it streams under 20 % random
loss on the data plane instead and checks that FEC repaired every frame."""
import json
import os
import re
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pfhost_fixture import Host, Tap, reexec_in_namespaces  # noqa: E402

PFCLIENT, PFHOST = sys.argv[1], sys.argv[2]
LOSS = "--loss" in sys.argv


def pfclient(state, *args, timeout=180):
    env = dict(os.environ, PFCLIENT_DIR=state)
    if args and args[0] == "stream":
        # The host streams its test pattern: its counter is checked, not only recognised.
        args = ("stream", "--pattern") + args[1:]
    p = subprocess.run([PFCLIENT, *args], env=env, capture_output=True, text=True,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def summary(out):
    for line in out.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    return {}


def pair(t, host, state):
    pin = host.arm_pin()
    rc, out, err = pfclient(state, "pair", host.addr, "--pin", pin)
    return t.ok(rc == 0 and host.fingerprint in out, "pfclient pair with the armed PIN",
                out + err)


def refusals(t, host, state):
    # Not paired: a pinned host (trust on first use) that does not know this client.
    os.makedirs(state, mode=0o700, exist_ok=True)
    with open(os.path.join(state, "hosts"), "w") as f:
        f.write("%s %s\n" % (host.addr, host.fingerprint))
    rc, out, err = pfclient(state, "stream", host.addr, "--frames", "10")
    t.ok(rc == 2 and "not paired" in err and "0x63" in err,
         "stream before pairing: the host's 0x63 in words", err)
    rc, out, err = pfclient(state, "pair", host.addr, "--pin", "1234")
    t.ok(rc == 2 and "no pairing PIN armed" in err and "0x60" in err,
         "pair with no PIN armed: 0x60 in words", err)
    time.sleep(2.5)  # that attempt counts for the host's cooldown too
    pin = host.arm_pin()
    wrong = "%04d" % ((int(pin) + 1) % 10000)
    rc, out, err = pfclient(state, "pair", host.addr, "--pin", wrong)
    t.ok(rc == 2 and "PIN did not match" in err, "pair with a wrong PIN", err)
    host.arm_pin()
    rc, out, err = pfclient(state, "pair", host.addr, "--pin", wrong, "--json")
    t.ok(rc == 2 and "0x62" in err and summary(out).get("reason") == 0x62,
         "a second attempt within 2 s: 0x62 rate limited, also in --json", out + err)
    time.sleep(2.5)  # the host's cooldown


def state_files(t, state):
    modes = {}
    for name in ("client-cert.pem", "client-key.pem", "hosts"):
        path = os.path.join(state, name)
        modes[name] = stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else None
    t.ok(all(m == 0o600 for m in modes.values()),
         "identity and pinned hosts are written with mode 0600", modes)


def stream_checks(t, host, state):
    rc, out, err = pfclient(state, "stream", host.addr, "--mode", "1280x720@120", "--frames",
                            "600", "--seconds", "150", "--json")
    s = summary(out)
    t.note("720p120: %s" % {k: s.get(k) for k in ("frames_decoded", "elapsed_s", "counter_gaps",
                                                  "latency_p50_ns", "bitrate_kbps")})
    t.ok(rc == 0 and s.get("frames_decoded") == 600 and s.get("counter_frames") == 600 and
         s.get("counter_gaps") == 0 and s.get("counter_errors") == 0 and
         s.get("frames_lost") == 0 and s.get("width") == 1280 and s.get("height") == 720 and
         s.get("refresh_hz") == 120 and s.get("last_counter") - s.get("first_counter") == 599,
         "600 frames at 720p120, the test pattern's counter without a gap", out + err)
    t.ok(s.get("clock_valid") and abs(s.get("clock_offset_ns", 1 << 40)) < 50_000_000 and
         0 < s.get("latency_p50_ns", 0) < 2_000_000_000 and s.get("audio_packets", 0) > 100,
         "clock probes give a small offset on one machine; latency and audio measured", s)

    rc, out, err = pfclient(state, "stream", host.addr, "--mode", "1280x720@60", "--frames",
                            "240", "--seconds", "120", "--switch-mode", "960x540@60",
                            "--chacha", "--json")
    s = summary(out)
    t.ok(rc == 0 and s.get("mode_switch") is True and s.get("width") == 960 and
         s.get("height") == 540 and s.get("cipher") == "chacha20-poly1305" and
         s.get("counter_errors") == 0 and s.get("frames_lost") == 0,
         "a mode change mid-stream (720p to 540p) on ChaCha20-Poly1305", out + err)

    # IPv6: the same host over ::1 (pinned under its own address), 1388-byte shards.
    with open(os.path.join(state, "hosts"), "a") as f:
        f.write("[::1]:%d %s\n" % (host.port, host.fingerprint))
    rc, out, err = pfclient(state, "stream", "[::1]:%d" % host.port, "--frames", "30",
                            "--seconds", "60", "--json")
    s = summary(out)
    t.ok(rc == 0 and s.get("frames_decoded") == 30 and s.get("counter_errors") == 0,
         "30 frames over IPv6 (::1)", out + err)

    speed_test(t, host, state)
    launch_and_access(t, host, state)

    rc, out, err = pfclient(state, "stream", host.addr, "--mode", "1281x721@60", "--frames",
                            "10")
    t.ok(rc == 2 and "0x68" in err and "could not set the session up" in err,
         "a mode the host cannot make: 0x68 in words", err)


def speed_test(t, host, state):
    # §9.5: filler at 20 Mbit/s for 2 s beside the live stream; on loopback nothing is lost.
    rc, out, err = pfclient(state, "stream", host.addr, "--speed-test", "20000:2", "--json")
    s = summary(out)
    p = s.get("speed_test", {})
    t.note("speed test: %s" % p)
    sent, got = p.get("host_packets_sent", 0), p.get("packets_received", -1)
    t.ok(rc == 0 and 1900 <= p.get("duration_ms", 0) <= 2300 and sent > 0 and
         p.get("host_send_dropped") == 0 and sent * 995 // 1000 <= got <= sent and
         p.get("loss_ppm", 10**6) <= 5000 and
         abs(p.get("bytes_received", 0) - p.get("host_bytes_sent", 0)) <=
         p.get("host_bytes_sent", 0) // 200,
         "--speed-test 20000:2: what arrived is what the host's kernel took, loss ~0", out + err)
    t.ok(17000 <= p.get("received_kbps", 0) <= 23000,
         "--speed-test 20000:2: throughput from the bytes that arrived is the asked rate", p)
    t.ok(s.get("frames_decoded", 0) >= 60 and s.get("counter_gaps") == 0 and
         s.get("counter_errors") == 0 and s.get("frames_lost") == 0,
         "the live stream went on beside the filler without a counter gap", s)


def set_grants(host, grants):
    native = [c for c in host.clients().get("clients", []) if c.get("kind") == "native"]
    for c in native:
        host.call("PATCH", "/api/v1/clients/" + c["id"], {"grants": grants})
    return native


ALL_GRANTS = ["gamepad", "pointer", "keyboard", "clipboard", "mic", "launch", "power",
              "manage_games"]


def launch_and_access(t, host, state):
    # A launch the host's catalog has (its default "Desktop": nothing to run) and one it has
    # not: the stream goes on either way, the outcome in words.
    rc, out, err = pfclient(state, "stream", host.addr, "--launch", "Desktop", "--frames", "30",
                            "--json")
    s = summary(out)
    t.ok(rc == 0 and s.get("launch", {}).get("outcome") == 0 and
         s["launch"].get("outcome_name") == "started" and "Desktop" in s["launch"]["message"],
         "--launch Desktop: the host started it (LaunchOutcome spawned)", out + err)
    rc, out, err = pfclient(state, "stream", host.addr, "--launch", "steam:570", "--frames", "30")
    t.ok(rc == 0 and "launch steam:570: refused - no app \"steam:570\"" in out,
         "--launch of an app the host does not have: refused, said in words", out + err)

    # Grants changed while streaming reach the client (AccessUpdate).
    env = dict(os.environ, PFCLIENT_DIR=state)
    p = subprocess.Popen([PFCLIENT, "stream", host.addr, "--seconds", "6", "--json"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    changed = set_grants(host, ["gamepad"])
    try:
        out, err = p.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    s = summary(out)
    t.ok(changed and p.returncode == 0 and s.get("access_updates") == 1 and
         s.get("grants") == 0x01,
         "grants changed through the API mid-stream: AccessUpdate to controller only", out + err)

    # 0x6A: launching is not granted now.
    rc, out, err = pfclient(state, "stream", host.addr, "--launch", "Desktop", "--frames", "10")
    set_grants(host, ALL_GRANTS)
    t.ok(rc == 2 and "0x6A" in err and "may not launch applications" in err,
         "--launch without the LAUNCH grant: the host's 0x6A in words", err)

    # 0x67: a Hello with another wire version.
    rc, out, err = pfclient(state, "stream", host.addr, "--wire-version", "3", "--frames", "10",
                            "--json")
    t.ok(rc == 2 and "0x67" in err and "another protocol version" in err and
         summary(out).get("close_reason", 0x67) == 0x67,
         "a Hello with wire version 3: the host's 0x67 in words", out + err)


def mismatch_and_unreachable(t, host, state):
    other = tempfile.mkdtemp(prefix="pfclient-other-")
    for name in ("client-cert.pem", "client-key.pem"):
        with open(os.path.join(state, name)) as f, open(os.path.join(other, name), "w") as g:
            g.write(f.read())
    with open(os.path.join(other, "hosts"), "w") as f:
        f.write("%s %s\n" % (host.addr, "00" * 32))
    rc, out, err = pfclient(other, "stream", host.addr, "--frames", "10")
    t.ok(rc == 2 and "not the pinned one" in err, "a host with another certificate is refused",
         err)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    dead = "127.0.0.1:%d" % s.getsockname()[1]
    with open(os.path.join(other, "hosts"), "a") as f:
        f.write("%s %s\n" % (dead, host.fingerprint))
    rc, out, err = pfclient(other, "stream", dead, "--frames", "10")
    s.close()
    shutil.rmtree(other, ignore_errors=True)
    t.ok(rc == 2 and "no punktfunk/1 host answered" in err, "nothing listening: said so", err)


def revoked(t, host, state):
    env = dict(os.environ, PFCLIENT_DIR=state)
    p = subprocess.Popen([PFCLIENT, "stream", host.addr, "--seconds", "60", "--json"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(3)
    native = [c for c in host.clients().get("clients", []) if c.get("kind") == "native"]
    for c in native:
        host.call("DELETE", "/api/v1/clients/" + c["id"])
    try:
        out, err = p.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    t.ok(native and p.returncode == 2 and "0x69" in err and
         summary(out).get("close_reason") == 0x69,
         "unpaired while streaming: the session ends with 0x69, said in words", out + err)


def loss(t, host, state):
    # Only the data plane loses packets: the QUIC port is spared, so the control stream and
    # the side planes stay whole, as with the host's own loss test.
    rule = ("nft add table inet pfcloss && nft add chain inet pfcloss in "
            "'{ type filter hook input priority 0; }' && nft add rule inet pfcloss in "
            "udp sport != %d udp dport != %d numgen random mod 5 0 drop" % (host.port, host.port))
    t.ok(subprocess.run(rule, shell=True).returncode == 0, "nft drops 20 % of the data plane")
    rc, out, err = pfclient(state, "stream", host.addr, "--mode", "1280x720@60", "--frames",
                            "300", "--seconds", "150", "--json")
    subprocess.run("nft delete table inet pfcloss", shell=True)
    s = summary(out)
    t.note("under 20 %% loss: %s" % {k: s.get(k) for k in (
        "frames_decoded", "frames_lost", "shards_recovered", "keyframes_requested", "idr_frames",
        "loss_ppm", "frames_skipped")})
    t.ok(rc == 0 and s.get("frames_decoded", 0) >= 300 and s.get("counter_errors") == 0 and
         s.get("counter_gaps") == 0, "300 frames decoded, none damaged, under 20 % loss",
         out + err)
    t.ok(s.get("shards_recovered", 0) > 0, "FEC repaired shards", s)
    # The loss is there from the session's first datagram: the host's cold-start parity
    # carries the first IDR, its loss-sized parity everything after it.
    t.ok("frames_lost" in s and s.get("frames_lost") == 0 and
         s.get("keyframes_requested") == 0,
         "no access unit lost: FEC repaired every one, no keyframe was needed", s)
    rises = [tuple(map(int, m)) for m in
             re.findall(r": loss \d+ ppm, FEC (\d+)% -> (\d+)%", host.read_log())]
    top = max((b for a, b in rises if b > a), default=0)
    t.note("host: FEC rose to %d %%" % top)
    t.ok(top >= 20, "the loss reports raised the host's FEC from the Welcome's 10 %", rises)


def main():
    if LOSS:
        ret = reexec_in_namespaces(["-n"])
        if ret is not None:
            return ret
    t = Tap()
    extra_env = {"PF_UDP_GSO": "0"} if LOSS else None  # nft sees a GSO burst as one packet
    if LOSS and (subprocess.run("ip link set lo up", shell=True).returncode != 0 or
                 subprocess.run("nft list tables >/dev/null 2>&1", shell=True).returncode != 0):
        print("1..0 # SKIP needs root, a network namespace and nft")
        return 0
    host = Host(PFHOST, extra_env=extra_env)
    state = tempfile.mkdtemp(prefix="pfclient-state-")
    try:
        if LOSS:
            if pair(t, host, state):
                loss(t, host, state)
        else:
            refusals(t, host, state)
            if pair(t, host, state):
                state_files(t, state)
                t.ok(any(c.get("kind") == "native" for c in host.clients().get("clients", [])),
                     "the host lists the paired client as native")
                stream_checks(t, host, state)
                mismatch_and_unreachable(t, host, state)
                revoked(t, host, state)
    finally:
        if t.failed:
            t.note("host log:\n" + "\n".join(host.read_log().splitlines()[-30:]))
        host.stop()
        shutil.rmtree(state, ignore_errors=True)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
