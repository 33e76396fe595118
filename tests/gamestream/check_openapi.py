#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The management API against its OpenAPI spec, both ways: every route pfhost serves (its route
table in mgmt_routes.c) is in the spec and every spec operation is served; every response of a
live pfhost validates against the spec's schema for its status code.

usage: check_openapi.py PFHOST SPEC ROUTES_C      (prints TAP)
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import jsonschema

pfhost, spec_path, routes_c = sys.argv[1:4]
spec = json.load(open(spec_path, encoding="utf-8"))
results = []


def check(ok, name, detail=""):
    results.append((bool(ok), name, detail))


def served_routes():
    # mgmt_routes.c and the other mgmt*.c route tables (the console's endpoints).
    folder = os.path.dirname(routes_c)
    text = "".join(open(os.path.join(folder, f), encoding="utf-8").read()
                   for f in sorted(os.listdir(folder)) if f.startswith("mgmt") and f.endswith(".c"))
    return set(re.findall(r'\{"(GET|POST|PUT|DELETE|PATCH)", "(/api/v1/[^"]*)", \w+\}', text))


def spec_routes():
    out = set()
    for path, item in spec["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "delete", "patch"):
                out.add((method.upper(), path))
    return out


served, documented = served_routes(), spec_routes()
check(len(served) >= 10, "route table found in mgmt_routes.c", f"{len(served)} routes")
for r in sorted(served):
    check(r in documented, f"served route {r[0]} {r[1]} is in the spec")
for r in sorted(documented):
    check(r in served, f"spec operation {r[0]} {r[1]} is served")


def resolve(obj):
    while isinstance(obj, dict) and "$ref" in obj:
        parts = obj["$ref"].lstrip("#/").split("/")
        obj = spec
        for p in parts:
            obj = obj[p]
    return obj


def spec_path_for(path):
    for p in spec["paths"]:
        rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", p) + "$"
        if re.match(rx, path):
            return p
    return None


seen = set()


def validate(method, path, status, body):
    path = path.split("?")[0]
    sp = spec_path_for(path)
    name = f"{method} {path} -> {status}"
    if sp is not None and method.lower() not in spec["paths"][sp]:
        # An undocumented method on a documented path must be refused with the error shape.
        try:
            schema = dict(spec["components"]["schemas"]["Error"])
            jsonschema.Draft202012Validator(schema).validate(json.loads(body))
            check(status == 405, name + " refused", str(status))
        except (jsonschema.ValidationError, ValueError) as e:
            check(False, name + " refused", str(e).splitlines()[0])
        return
    if sp is None:
        check(False, name, "not in spec")
        return
    seen.add((method, sp))
    op = spec["paths"][sp][method.lower()]
    resp = op["responses"].get(str(status))
    if resp is None:
        check(False, name, "status not documented")
        return
    schema = resolve(resp)["content"]["application/json"]["schema"]
    root = dict(schema)
    root["components"] = spec["components"]
    try:
        jsonschema.Draft202012Validator(root).validate(json.loads(body))
        check(True, name + " validates")
    except (jsonschema.ValidationError, ValueError) as e:
        check(False, name + " validates", str(e).splitlines()[0])


tmp = tempfile.mkdtemp(prefix="pfhost-openapi-")
env = dict(os.environ, XDG_CONFIG_HOME=f"{tmp}/config", XDG_STATE_HOME=f"{tmp}/state",
           XDG_RUNTIME_DIR=f"{tmp}/run")
os.makedirs(f"{tmp}/config/pfhost")
with open(f"{tmp}/config/pfhost/pfhost.conf", "w") as f:
    f.write("http_port = 0\nhttps_port = 0\napi_port = 0\nrtsp_port = 0\nmdns = no\n")
log = open(f"{tmp}/host.log", "w")
proc = subprocess.Popen([pfhost, "serve"], env=env, stdout=log, stderr=log)
try:
    runtime = f"{tmp}/run/pfhost/runtime.json"
    for _ in range(200):
        if os.path.exists(runtime):
            break
        time.sleep(0.05)
    rt = json.load(open(runtime))
    token = open(rt["token_file"]).read().strip()
    base = rt["api_url"]

    def call(method, path, body=None, auth=True, raw=None, ctype=None):
        data = json.dumps(body).encode() if body is not None else raw
        req = urllib.request.Request(base + path, data=data, method=method)
        if auth:
            req.add_header("Authorization", "Bearer " + token)
        if data is not None:
            req.add_header("Content-Type", ctype or "application/json")
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                status, text, rtype = r.status, r.read(), r.headers.get("Content-Type")
        except urllib.error.HTTPError as e:
            status, text, rtype = e.code, e.read(), e.headers.get("Content-Type")
        if rtype == "image/png":
            seen.add((method, spec_path_for(path)))
            check(status == 200 and text.startswith(b"\x89PNG"), f"{method} {path} is a PNG")
            return status, text
        text = text.decode()
        validate(method, path, status, text)
        return status, text

    call("GET", "/api/v1/status")
    call("GET", "/api/v1/status", auth=False)
    call("GET", "/api/v1/clients")
    call("DELETE", "/api/v1/clients/0123456789abcdef")
    call("GET", "/api/v1/pairing")
    call("POST", "/api/v1/pin", {"pin": "1234"})
    call("POST", "/api/v1/pin", {"pin": "1234", "attempt": "nosuch"})
    call("POST", "/api/v1/pin", {"pin": "12"})
    st, text = call("POST", "/api/v1/native/pair")
    check(st == 200 and len(json.loads(text).get("pin", "")) == 4, "native pairing armed", text)
    call("GET", "/api/v1/apps")
    st, text = call("POST", "/api/v1/apps", {"name": "Steam", "cmd": "steam -bigpicture",
                                             "prep-cmd": [{"do": "true", "undo": "true"}],
                                             "detached": ["true"]})
    check(st == 201, "POST apps creates", str(st))
    app_id = json.loads(text).get("id", 0)
    call("POST", "/api/v1/apps", {"cmd": "no name"})
    st, text = call("PUT", f"/api/v1/apps/{app_id}", {"name": "Steam BP", "cmd": "steam"})
    check(st == 200 and json.loads(text)["name"] == "Steam BP", "PUT apps replaces")
    call("PUT", "/api/v1/apps/9999", {"name": "x"})
    st, _ = call("GET", "/api/v1/apps")
    st, _ = call("DELETE", f"/api/v1/apps/{app_id}")
    check(st == 200, "DELETE apps removes")
    call("DELETE", f"/api/v1/apps/{app_id}")
    call("GET", "/api/v1/sessions")
    call("DELETE", "/api/v1/sessions/5")
    call("PATCH", "/api/v1/apps")

    # The console's endpoints.
    call("GET", "/api/v1/auth", auth=False)
    call("POST", "/api/v1/auth/setup", {"password": "short"})
    st, _ = call("POST", "/api/v1/auth/setup", {"password": "correct horse"})
    check(st == 200, "the first password is set", str(st))
    call("POST", "/api/v1/auth/setup", {"password": "another one"})
    st, _ = call("POST", "/api/v1/auth/login", {"password": "wrong password"}, auth=False)
    check(st == 401, "a wrong password is refused", str(st))
    st, _ = call("POST", "/api/v1/auth/login", {"password": "correct horse"}, auth=False)
    check(st == 200, "the right password logs in", str(st))
    call("POST", "/api/v1/auth/login", {}, auth=False)
    call("POST", "/api/v1/auth/logout")
    st, _ = call("PUT", "/api/v1/password", {"password": "battery staple"})
    check(st == 200, "the API token resets the console password", str(st))
    call("PUT", "/api/v1/password", {"password": "short"})
    call("PUT", "/api/v1/password", {"current": "wrong", "password": "battery staple"}, auth=False)
    call("GET", "/api/v1/logs")
    call("GET", "/api/v1/session-history")
    call("GET", "/api/v1/logs?after=x")
    call("GET", "/api/v1/settings")
    st, _ = call("PUT", "/api/v1/settings", {"values": {"pin_wait": "30"}})
    check(st == 200, "a setting is saved", str(st))
    call("PUT", "/api/v1/settings", {"values": {"pin_wait": "soon", "nokey": "1"}})
    call("PATCH", "/api/v1/clients/0123456789abcdef", {"name": "x"})
    call("PATCH", "/api/v1/clients/0123456789abcdef", {"name": ""})
    ids = [a["id"] for a in json.loads(call("GET", "/api/v1/apps")[1])["apps"]]
    st, _ = call("PUT", "/api/v1/app-order", {"ids": list(reversed(ids))})
    check(st == 200, "apps are reordered", str(st))
    call("PUT", "/api/v1/app-order", {"ids": [ids[0], ids[0]]})
    st, text = call("POST", "/api/v1/app-import", {"apps": [{"name": "Imported", "cmd": "true"},
                                                           {"cmd": "nameless"}]})
    check(st == 200 and len(json.loads(text)["skipped"]) == 1, "an import reports what it skipped")
    call("POST", "/api/v1/app-import", {"apps": 3})
    call("GET", f"/api/v1/apps/{ids[0]}/boxart")
    call("GET", "/api/v1/apps/777/boxart")
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4000000"
                        "0049454e44ae426082")
    st, _ = call("PUT", f"/api/v1/apps/{ids[0]}/boxart", raw=png, ctype="image/png")
    check(st == 200, "box art is uploaded", str(st))
    call("PUT", f"/api/v1/apps/{ids[0]}/boxart", raw=b"GIF89a....", ctype="image/png")
    call("PUT", f"/api/v1/apps/{ids[0]}/boxart", raw=png, ctype="image/gif")
    call("PUT", "/api/v1/apps/777/boxart", raw=png, ctype="image/png")
    for r in sorted(documented):
        check(r in seen, f"spec operation {r[0]} {r[1]} was exercised")
finally:
    proc.send_signal(signal.SIGTERM)
    try:
        rc = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        rc = -1
    check(rc == 0, "pfhost exits cleanly on SIGTERM", str(rc))
    log.close()
    shutil.rmtree(tmp, ignore_errors=True)

print(f"1..{len(results)}")
for i, (ok, name, detail) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {i} - {name}" + (f" # {detail}" if detail and not ok else ""))
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
