#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs the Kotlin/JVM consumer (ClientJna.kt, compiled by the build) against a real pfhost: it
pairs by PIN and pulls frames through libpfclient with JNA. Its TAP output is passed through.

usage: test_client_jvm.py CONSUMER.jar LIBPFCLIENT.so PFHOST CLASSPATH"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pfhost_fixture import Host  # noqa: E402


def main():
    jar, lib, pfhost, classpath = sys.argv[1:5]
    host = Host(pfhost)
    try:
        pin = host.arm_pin()
        p = subprocess.run(["java", "-cp", jar + ":" + classpath, "ClientJnaKt", lib,
                            "127.0.0.1", str(host.port), pin, host.fingerprint],
                           capture_output=True, text=True, timeout=240)
        sys.stdout.write(p.stdout)
        for line in p.stderr.splitlines():
            print("# " + line)
        if p.returncode != 0:
            for line in host.read_log().splitlines()[-20:]:
                print("# host: " + line)
        return p.returncode
    finally:
        host.stop()


if __name__ == "__main__":
    sys.exit(main())
