#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that a shared library exports exactly the symbols of its linker map, and that every
function its public headers mark PF_EXPORT is in the map (and so exported).

usage: check-symbols.py LIBRARY.so MAP.sym HEADER_DIR|HEADER [HEADER_DIR|HEADER ...]
Prints TAP. Fails on: a symbol exported but not in the map (a leak), a map entry the library
does not export (stale map or missing definition), a PF_EXPORT declaration missing from the map.
"""
import os
import re
import subprocess
import sys


def map_globals(path):
    text = open(path, encoding="utf-8").read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    names = set()
    for block in re.finditer(r"global:(.*?)(?:local:|\})", text, flags=re.S):
        for name in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)\s*;", block.group(1)):
            names.add(name)
    return names


def exported(lib):
    out = subprocess.run(["nm", "-D", "--defined-only", lib], check=True,
                         capture_output=True, text=True).stdout
    names = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 3:
            continue
        name = parts[2].split("@")[0]
        # The version nodes themselves appear as absolute symbols.
        if parts[1] == "A":
            continue
        names.add(name)
    return names


def header_exports(dirs):
    names = {}
    decl = re.compile(r"PF_EXPORT\b[^;{]*?\b([A-Za-z_][A-Za-z0-9_]*)\s*\(", re.S)
    for d in dirs:
        # A header file names itself; a directory, every header under it.
        walk = [(os.path.dirname(d), [], [os.path.basename(d)])] if os.path.isfile(d) else os.walk(d)
        for root, _, files in walk:
            for f in sorted(files):
                if not f.endswith(".h"):
                    continue
                path = os.path.join(root, f)
                text = open(path, encoding="utf-8").read()
                text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
                text = re.sub(r"#define[^\n]*(\\\n[^\n]*)*", "", text)
                for m in decl.finditer(text):
                    names[m.group(1)] = path
    return names


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    lib, mapfile, dirs = sys.argv[1], sys.argv[2], sys.argv[3:]
    in_map = map_globals(mapfile)
    in_lib = exported(lib)
    in_headers = header_exports(dirs)
    # Symbols of the toolchain that every shared object carries.
    ignore = {"_init", "_fini", "_edata", "_end", "__bss_start"}
    checks = []
    leaks = sorted(in_lib - in_map - ignore)
    checks.append(("no symbol exported outside the map", leaks))
    stale = sorted(in_map - in_lib)
    checks.append(("every map entry is exported", stale))
    unmapped = sorted(n for n in in_headers if n not in in_map)
    checks.append(("every PF_EXPORT declaration is in the map",
                   [f"{n} ({in_headers[n]})" for n in unmapped]))
    undeclared = sorted(n for n in in_map if n not in in_headers)
    checks.append(("every map entry is declared PF_EXPORT in a public header", undeclared))
    print(f"1..{len(checks)}")
    failed = 0
    for i, (name, bad) in enumerate(checks, 1):
        if bad:
            failed += 1
            print(f"not ok {i} - {name}")
            for b in bad:
                print(f"#   {b}")
        else:
            print(f"ok {i} - {name}")
    print(f"# {len(in_lib & in_map)} symbols exported by {os.path.basename(lib)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
