#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Every public header must stand alone and be importable from Swift/Kotlin (style.md):
compiles alone as C99 -pedantic and as C++, twice in one unit (include guard), and avoids the
constructs FFI importers cannot take (bitfields, unions, flexible arrays, va_list, `//`
comments, private or third-party includes).

usage: check-headers.py INCLUDE_DIR CC CXX
Prints TAP, one test per header.
"""
import os
import re
import subprocess
import sys
import tempfile

FORBIDDEN_INCLUDES = re.compile(
    r'#\s*include\s*[<"](config\.h|pf-config\.h|libav\w*/|pipewire/|spa/|va/|vulkan/|gnutls/|'
    r'nettle/|sodium|systemd/|wayland-)')


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def ffi_problems(text):
    problems = []
    if re.search(r"(?<![:\"'*])//", re.sub(r'"[^"\n]*"', '""', text)):
        problems.append("// comment")
    code = strip_comments(text)
    if re.search(r"\bunion\b", code):
        problems.append("union")
    if re.search(r"\bva_list\b", code):
        problems.append("va_list")
    if re.search(r"^\s*[A-Za-z_][\w\s\*]*\b\w+\s*:\s*\d+\s*;", code, flags=re.M):
        problems.append("bitfield")
    if re.search(r"\w\s*\[\s*\]\s*;", code):
        problems.append("flexible array member")
    m = FORBIDDEN_INCLUDES.search(code)
    if m:
        problems.append(f"includes {m.group(1)}")
    declarations = re.sub(r"^\s*#[^\n]*(\\\n[^\n]*)*", "", code, flags=re.M).strip()
    if declarations and "extern \"C\"" not in code:
        problems.append("no extern \"C\" block")
    return problems


def compile_ok(cmd, source, suffix):
    with tempfile.NamedTemporaryFile("w", suffix=suffix, delete=False) as f:
        f.write(source)
        path = f.name
    try:
        r = subprocess.run(cmd + [path], capture_output=True, text=True)
        return r.returncode == 0, r.stderr.strip()
    finally:
        os.unlink(path)


def main():
    if len(sys.argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    inc, cc, cxx = sys.argv[1], sys.argv[2], sys.argv[3]
    headers = []
    for root, _, files in os.walk(os.path.join(inc, "pf")):
        headers += [os.path.relpath(os.path.join(root, f), inc) for f in files if f.endswith(".h")]
    headers.sort()
    c_cmd = [cc, "-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
             "-I", inc, "-x", "c"]
    cxx_cmd = [cxx, "-std=c++11", "-pedantic", "-Wall", "-Wextra", "-Werror", "-fsyntax-only",
               "-I", inc, "-x", "c++"]
    print(f"1..{len(headers) + 1}")
    failed = 0
    for i, h in enumerate(headers, 1):
        src = f'#include "{h}"\n#include "{h}"\nint pf_header_check_dummy;\n'
        errs = []
        ok, err = compile_ok(c_cmd, src, ".c")
        if not ok:
            errs.append("C99: " + err)
        ok, err = compile_ok(cxx_cmd, src, ".cc")
        if not ok:
            errs.append("C++: " + err)
        errs += ffi_problems(open(os.path.join(inc, h), encoding="utf-8").read())
        if errs:
            failed += 1
            print(f"not ok {i} - {h}")
            for e in errs:
                for line in e.splitlines():
                    print(f"#   {line}")
        else:
            print(f"ok {i} - {h}")
    # The umbrella header that the Swift module map names must include every core header.
    n = len(headers) + 1
    umbrella = os.path.join(inc, "pf", "core.h")
    core = sorted(h for h in headers if h.startswith("pf/core/"))
    text = open(umbrella, encoding="utf-8").read() if os.path.exists(umbrella) else ""
    missing = [h for h in core if f'"{h[3:]}"' not in text and f"<{h}>" not in text]
    if missing:
        failed += 1
        print(f"not ok {n} - pf/core.h includes every core header")
        for h in missing:
            print(f"#   missing {h}")
    else:
        print(f"ok {n} - pf/core.h includes every core header")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
