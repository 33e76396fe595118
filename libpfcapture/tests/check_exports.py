#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks libpfcapture's exports: every exported symbol matches the linker map's patterns
(pf_capture_*, pf_vdisplay_*; nothing leaks, generated Wayland code included), and every
function the public headers mark PF_EXPORT is exported.

usage: check_exports.py LIBRARY.so MAP.sym HEADER...
Prints TAP."""
import fnmatch
import re
import subprocess
import sys


def main():
    lib, mapfile, headers = sys.argv[1], sys.argv[2], sys.argv[3:]
    text = re.sub(r"/\*.*?\*/", "", open(mapfile, encoding="utf-8").read(), flags=re.S)
    block = re.search(r"global:(.*?)local:", text, flags=re.S).group(1)
    patterns = re.findall(r"([A-Za-z_][A-Za-z0-9_*]*)\s*;", block)
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    exported = {l.split()[2].split("@")[0] for l in out.splitlines()
                if len(l.split()) >= 3 and l.split()[1] != "A"}
    declared = set()
    for h in headers:
        src = open(h, encoding="utf-8").read()
        declared |= set(re.findall(r"PF_EXPORT[^;(]*?\b(pf_[a-z0-9_]+)\s*\(", src, flags=re.S))
    checks = []
    leaks = sorted(s for s in exported if not any(fnmatch.fnmatchcase(s, p) for p in patterns))
    checks.append(("no symbol outside the map", not leaks, leaks))
    missing = sorted(declared - exported)
    checks.append(("every PF_EXPORT is exported", not missing, missing))
    outside = sorted(s for s in declared if not any(fnmatch.fnmatchcase(s, p) for p in patterns))
    checks.append(("every PF_EXPORT matches the map", not outside, outside))
    checks.append(("headers declare exports", len(declared) > 20, [len(declared)]))
    print("1..%d" % len(checks))
    ok_all = True
    for i, (name, ok, detail) in enumerate(checks, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, name))
        if not ok:
            ok_all = False
            print("# " + " ".join(str(d) for d in detail))
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
