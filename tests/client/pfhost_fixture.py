# SPDX-License-Identifier: LGPL-2.1-or-later
"""A real `pfhost serve --source testpattern` for the client tests: private XDG directories,
free ports, the management API (PIN arming, status, client removal) and a TAP reporter."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request


class Host:
    def __init__(self, pfhost, extra_args=(), extra_env=None, conf_extra="mdns = no\n",
                 prefix=()):
        self.pfhost = pfhost
        self.dir = tempfile.mkdtemp(prefix="pfclient-test-")
        conf = os.path.join(self.dir, "config", "pfhost")
        os.makedirs(conf, mode=0o700)
        with open(os.path.join(conf, "pfhost.conf"), "w") as f:
            f.write("hostname = pf-test\nhttp_port = 0\nhttps_port = 0\napi_port = 0\n"
                    "rtsp_port = 0\n" + conf_extra)
        self.env = dict(os.environ)
        self.env.update({"XDG_CONFIG_HOME": os.path.join(self.dir, "config"),
                         "XDG_STATE_HOME": os.path.join(self.dir, "state"),
                         "XDG_RUNTIME_DIR": os.path.join(self.dir, "run")})
        self.env.update(extra_env or {})
        self.log_path = os.path.join(self.dir, "host.log")
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [*prefix, pfhost, "--verbose", "serve", "--source", "testpattern", *extra_args],
            env=self.env, stdout=self.log, stderr=self.log)
        runtime = os.path.join(self.dir, "run", "pfhost", "runtime.json")
        deadline = time.monotonic() + 30
        while not os.path.exists(runtime):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("pfhost did not start:\n" + self.read_log())
            time.sleep(0.05)
        time.sleep(0.1)
        with open(runtime) as f:
            rt = json.load(f)
        self.api = rt["api_url"]
        with open(os.path.join(conf, "api-token")) as f:
            self.token = f.read().strip()
        st = self.call("GET", "/api/v1/status")
        self.port = st["native"]["port"]
        self.fingerprint = st["native"]["fingerprint"]
        self.addr = "127.0.0.1:%d" % self.port

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.api + path, data=data, method=method,
                                     headers={"Authorization": "Bearer " + self.token,
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=20) as r:
            text = r.read().decode()
            return json.loads(text) if text else {}

    def arm_pin(self):
        return self.call("POST", "/api/v1/native/pair", {})["pin"]

    def clients(self):
        return self.call("GET", "/api/v1/clients")

    def read_log(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Tap:
    """TAP output; each check prints at once, failures with the context given."""

    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, context=""):
        self.n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", self.n, name))
        if not cond:
            self.failed += 1
            for line in str(context).splitlines()[-40:]:
                print("#   " + line)
        sys.stdout.flush()
        return cond

    def note(self, text):
        for line in str(text).splitlines():
            print("# " + line)
        sys.stdout.flush()

    def done(self):
        print("1..%d" % self.n)
        return 1 if self.failed else 0
