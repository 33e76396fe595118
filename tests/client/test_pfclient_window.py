#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pfclient --window under Xvfb against a real pfhost with the recording input backend: the
window's pixels (an xwd screenshot of the X server) show the test pattern with a frame counter
that advances, and a keystroke typed into the window (xdotool) arrives at the host's input
recorder as the Windows virtual-key code.

usage: test_pfclient_window.py PFCLIENT PFHOST"""
import os
import random
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pfhost_fixture import Host, Tap  # noqa: E402

PFCLIENT, PFHOST = sys.argv[1], sys.argv[2]


def read_xwd(data):
    """(width, height, rgb(x, y)) of an xwd ZPixmap dump (24/32 bits per pixel)."""
    hdr = struct.unpack(">25I", data[:100])
    header_size, fmt, width, height = hdr[0], hdr[2], hdr[4], hdr[5]
    byte_order, bpp, bpl = hdr[7], hdr[11], hdr[12]
    masks = hdr[14:17]
    ncolors = hdr[19]
    if fmt != 2 or bpp not in (24, 32):
        raise ValueError("unexpected xwd format %d/%d bpp" % (fmt, bpp))
    off = header_size + 12 * ncolors
    pix = data[off:]
    step = bpp // 8
    order = "little" if byte_order == 0 else "big"

    def shift(m):
        return (m & -m).bit_length() - 1

    shifts = [shift(m) for m in masks]

    def rgb(x, y):
        i = y * bpl + x * step
        v = int.from_bytes(pix[i:i + step], order)
        return tuple((v & m) >> s for m, s in zip(masks, shifts))

    return width, height, rgb


def pattern_counter(rgb):
    """The test pattern's counter from the top row of 16 blocks of 32x32 (white = bit set),
    read as the decoder's reader does, or None when a block is neither black nor white."""
    v = 0
    for b in range(16):
        total = 0
        for y in range(12, 20):
            for x in range(b * 32 + 12, b * 32 + 20):
                r, g, bl = rgb(x, y)
                total += (r + g + bl) / 3
        avg = total / 64
        if avg > 180:
            v |= 1 << b
        elif avg > 70:
            return None
    return v


def screenshot(env):
    p = subprocess.run(["xwd", "-root", "-silent"], env=env, capture_output=True, timeout=30)
    return read_xwd(p.stdout) if p.returncode == 0 else None


def main():
    t = Tap()
    rec = tempfile.mktemp(prefix="pfclient-input-")
    # A display number of our own, away from the low numbers desktops and other tests use.
    display = ""
    for n in random.sample(range(100, 1000), 50):
        if not os.path.exists("/tmp/.X%d-lock" % n) and \
           not os.path.exists("/tmp/.X11-unix/X%d" % n):
            display = str(n)
            break
    xvfb = subprocess.Popen(["Xvfb", ":" + display, "-screen", "0", "1280x720x24", "-nolisten",
                             "tcp"], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while not os.path.exists("/tmp/.X11-unix/X" + display) and time.monotonic() < deadline:
        if xvfb.poll() is not None:
            break
        time.sleep(0.1)
    if xvfb.poll() is not None or not os.path.exists("/tmp/.X11-unix/X" + display):
        print("1..0 # SKIP Xvfb did not start")
        return 0
    host = Host(PFHOST, extra_args=["--input-record", rec])
    state = tempfile.mkdtemp(prefix="pfclient-state-")
    env = dict(os.environ, PFCLIENT_DIR=state, DISPLAY=":" + display)
    env.pop("WAYLAND_DISPLAY", None)
    client = None
    try:
        p = subprocess.run([PFCLIENT, "pair", host.addr, "--pin", host.arm_pin()], env=env,
                           capture_output=True, text=True, timeout=60)
        if not t.ok(p.returncode == 0, "paired", p.stderr):
            return t.done()
        client = subprocess.Popen([PFCLIENT, "stream", host.addr, "--window", "--seconds", "90",
                                   "--mode", "1280x720@60", "--json"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wid = ""
        deadline = time.monotonic() + 30
        while not wid and time.monotonic() < deadline and client.poll() is None:
            wid = subprocess.run(["xdotool", "search", "--name", "^pfclient"], env=env,
                                 capture_output=True, text=True).stdout.split()
            wid = wid[0] if wid else ""
            time.sleep(0.2)
        t.ok(wid != "", "the window appears on the X server",
             "Xvfb exited" if xvfb.poll() is not None else client.stderr.read()
             if client.poll() is not None else "")

        # The window shows the stream 1:1 at the screen's origin: the pattern's counter blocks
        # are readable from the screen's pixels, and the counter advances.
        first = None
        deadline = time.monotonic() + 40
        while first is None and time.monotonic() < deadline:
            shot = screenshot(env)
            first = pattern_counter(shot[2]) if shot else None
            if first is not None and first == 0:
                first = None  # a black window reads as counter 0: wait for a picture
            time.sleep(0.3)
        t.ok(first is not None, "the screenshot shows the test pattern (counter %s)" % first)
        second = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            time.sleep(0.5)
            shot = screenshot(env)
            second = pattern_counter(shot[2]) if shot else None
            if first is not None and second is not None and second != first:
                break
        t.ok(first is not None and second is not None and second != first,
             "a later screenshot shows a later frame (%s -> %s)" % (first, second))

        subprocess.run(["xdotool", "windowfocus", "--sync", wid], env=env, timeout=10)
        subprocess.run(["xdotool", "key", "--window", wid, "a"], env=env, timeout=10)
        got = ""
        deadline = time.monotonic() + 15
        while "key_down 65 " not in got and time.monotonic() < deadline:
            time.sleep(0.2)
            if os.path.exists(rec):
                with open(rec) as f:
                    got = f.read()
        t.ok("key_down 65 " in got and "key_up 65 " in got,
             "the key typed into the window reaches the host's input recorder as VK 0x41", got)

        # Ctrl+Alt+Shift+Q leaves the viewer.
        subprocess.run(["xdotool", "key", "--window", wid, "ctrl+alt+shift+q"], env=env,
                       timeout=10)
        try:
            out, err = client.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            client.kill()
            out, err = client.communicate()
        summary = next((l for l in out.splitlines() if l.startswith("{")), "{}")
        t.ok(client.returncode == 0 and '"keys_sent"' in summary,
             "Ctrl+Alt+Shift+Q closes the window and the session", out + err)
        t.note(summary)
    finally:
        if client and client.poll() is None:
            client.kill()
            client.wait()
        host.stop()
        xvfb.terminate()
        xvfb.wait()
        if os.path.exists(rec):
            os.unlink(rec)
    return t.done()


if __name__ == "__main__":
    sys.exit(main())
