#!/usr/bin/env python3
"""People routes on tm-local: a tenant admin invites N people (each accepts through the
link), then GET /v1/users, a members list and a groupBy=user team report are timed.
Prints milliseconds per request (median and p95 of REPEAT calls). The numbers are
recorded in docs/benchmarks.md.

Usage: infra/bench/people.py TM_LOCAL_BINARY [N]   (starts it on a free port, fresh data)
"""

import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BINARY = sys.argv[1]
PEOPLE = int(sys.argv[2]) if len(sys.argv) > 2 else 200
REPEAT = 200


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, token=None, body=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    data = None if body is None else json.dumps(body).encode()
    with urllib.request.urlopen(urllib.request.Request(url, data=data, method=method, headers=headers)) as answer:
        raw = answer.read()
        return json.loads(raw) if raw else None


def timed(label, fn, repeat=REPEAT):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[int(len(samples) * 0.95) - 1]
    print(f"{label}: median {statistics.median(samples):.2f} ms, p95 {p95:.2f} ms ({repeat} calls)")


with tempfile.TemporaryDirectory() as data:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([BINARY, "--port", str(port), "--data-dir", data, "--report-interval-minutes", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health")
                break
            except OSError:
                time.sleep(0.1)
        admin = call("POST", base + "/local/signup",
                     body={"username": "admin@bench.example", "password": "bench-password", "name": "Admin"})["id_token"]
        call("POST", base + "/v1/projects", admin, {"name": "Atlas"})
        started = time.perf_counter()
        links = []
        for i in range(PEOPLE):
            answer = call("POST", base + "/v1/admin/users", admin, {"email": f"p{i}@bench.example", "name": f"Person {i}"})
            links.append(answer["invitation"]["link"])
        invite_ms = (time.perf_counter() - started) * 1000 / PEOPLE
        print(f"POST /v1/admin/users: {invite_ms:.2f} ms per invitation ({PEOPLE})")
        started = time.perf_counter()
        for i, link in enumerate(links):
            token = call("POST", link, body={"password": "bench-password"})["id_token"]
            if i < 50:
                call("PUT", f"{base}/v1/projects/Atlas/members/p{i}@bench.example", admin, {"role": "contributor"})
                call("POST", base + "/v1/entries", token,
                     {"date": "2026-11-10", "startTime": "09:00", "endTime": "10:00", "task": "work",
                      "project": "Atlas", "projectOwner": call("GET", base + "/v1/me", admin)["user"]})
        accept_ms = (time.perf_counter() - started) * 1000 / PEOPLE
        print(f"accepting an invitation (Argon2 password hash, tokens): {accept_ms:.2f} ms each")
        timed("GET /v1/me (the directory entry read with the settings)", lambda: call("GET", base + "/v1/me", admin))
        timed(f"GET /v1/users ({PEOPLE + 1} people)", lambda: call("GET", base + "/v1/users", admin))
        timed("GET /v1/projects/Atlas/members (51 members, by name)",
              lambda: call("GET", base + "/v1/projects/Atlas/members", admin))
        timed("GET /v1/team/reports/range (50 people, groupBy=user, names)",
              lambda: call("GET", base + "/v1/team/reports/range/2026-11-10/2026-11-10?groupBy=user", admin), 50)
    finally:
        server.terminate()
        server.wait()
print(f"machine: {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
      f"{time.strftime('%Y-%m-%d', time.gmtime())}")
