#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""pfhost(1) says what the pfhost binary's help says: every command with its help text, every
config key with its default, every file and exit status, and groff formats it without a
warning. Run on the build tree and on the installed package (a .gz page is read as such).
With --plain, for a program whose whole interface is its --help (pfclient, pf-loss-harness,
pf-latency-probe): every line of that help is in the page word for word.

usage: check_manpage.py PFHOST MANPAGE   (prints TAP)
       check_manpage.py --plain PROGRAM MANPAGE
"""
import gzip
import re
import subprocess
import sys

plain = sys.argv[1] == "--plain"
pfhost, manpage = sys.argv[1 + plain], sys.argv[2 + plain]
results = []


def check(ok, what, detail=""):
    results.append((bool(ok), what, detail))


def run(*args):
    return subprocess.run(list(args), capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "LC_ALL": "C"})


def norm(text):
    return " ".join(text.split())


opener = gzip.open if manpage.endswith(".gz") else open
with opener(manpage, "rt") as f:
    source = f.read()

lint = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z"], input=source,
                      capture_output=True, text=True)
check(lint.returncode == 0 and not lint.stderr.strip(), "groff formats the page without warnings",
      lint.stderr)
# A wide line keeps preformatted usage lines whole; -P-cbou drops bold and underlining.
# UTF-8 output keeps characters such as "§"; the typographic forms groff gives ASCII hyphens
# and quotes there are mapped back to what the help prints.
render = subprocess.run(["groff", "-man", "-Tutf8", "-P-cbou", "-rLL=250n"], input=source,
                        capture_output=True, text=True).stdout
render = render.translate({0x2212: "-", 0x2010: "-", 0x2018: "`", 0x2019: "'", 0x201C: '"',
                           0x201D: '"'})
page = norm(render)


def report():
    print("1..%d" % len(results))
    for i, (ok, what, detail) in enumerate(results, 1):
        print("%s %d - %s" % ("ok" if ok else "not ok", i, what))
        if not ok and detail:
            for line in str(detail).splitlines():
                print("#   " + line)
    sys.exit(0 if all(r[0] for r in results) else 1)


if plain:
    name = pfhost.rsplit("/", 1)[-1]
    out = run(pfhost, "--help")
    check(out.returncode == 0 and re.match(r"[Uu]sage: ", out.stdout),
          "%s --help prints its usage and exits 0" % name, out.stderr)
    lines = [re.sub(r"^[Uu]sage: ", "", l) for l in out.stdout.splitlines() if l.strip()]
    check(len(lines) > 3, "%s --help has more than a usage line" % name)
    missing = [l.strip() for l in lines if norm(l) not in page]
    check(not missing, "every line of `%s --help` is in the page word for word" % name,
          "missing: %s" % missing)
    check(re.search(r"\b%s - \S" % re.escape(name), page), "the page names %s" % name)
    report()

main_help = run(pfhost, "--help").stdout
check(main_help.startswith("usage: pfhost"), "pfhost --help prints its usage")
blocks = re.split(r"\n\s*\n", main_help.strip())
check(norm(blocks[0].replace("usage: ", "", 1)) in page, "synopsis matches --help")
commands = []
for block in blocks:
    lines = block.splitlines()
    if lines[0] in ("commands:", "options:"):
        for line in lines[1:]:
            m = re.match(r"^  (\S.*?)\s{2,}(.*)$", line)
            if not m:
                continue
            name, desc = m.group(1), m.group(2)
            found = norm(name) in page and norm(desc).lower() in page.lower()
            check(found, "%s %r is in the page with its description" % (lines[0][:-1], name))
            if lines[0] == "commands:":
                commands.append(name.split()[0])
    elif lines[0].startswith("exit status:"):
        for code, what in re.findall(r"(\d+) ([^,]+)", lines[0].split(":", 1)[1]):
            check(re.search(r"\b%s %s\b" % (code, re.escape(norm(what))), page),
                  "exit status %s (%s) is in the page" % (code, what.strip()))

for cmd in dict.fromkeys(commands):
    if cmd == "help":
        continue
    text = run(pfhost, "help", cmd).stdout
    check(text and norm(text) in page, "`pfhost help %s` is in the page word for word" % cmd,
          text)

for topic in ("config", "files"):
    out = run(pfhost, "help", topic).stdout
    # The first piece is the topic's heading; the rest are "  head" + indented description.
    entries = re.split(r"\n(?=  \S)", out.strip())[1:]
    check(len(entries) > 2, "`pfhost help %s` lists entries" % topic)
    missing = [e.splitlines()[0].strip() for e in entries if norm(e) not in page]
    check(not missing, "every entry of `pfhost help %s` is in the page word for word" % topic,
          "missing: %s" % missing)
report()
