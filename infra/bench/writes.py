#!/usr/bin/env python3
"""Write latency and store growth by the size of the year (docs/benchmarks.md).

For each size: a fresh data folder and tm-local (release), one user whose fiscal year
holds a generated log of that many entries (uploaded once), then WRITES sequential
POST /v1/entries on one keep-alive connection, in 02:00-06:55 where the generated log
has nothing. Prints p50/p99 of the writes and the data folder's growth per write after
the publisher has caught up. Several binaries are measured side by side, size by size:

    infra/bench/writes.py --bin target/release/tm-local --bin /tmp/tm-local-before
"""

import argparse
import datetime
import http.client
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time


def folder_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


class Server:
    def __init__(self, binary, data):
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--data-dir", data, "--report-interval-minutes", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "RUST_LOG": "warn"})
        for line in self.proc.stdout:
            if line.startswith("tm-local listening on http://"):
                self.host, port = line.split("http://")[1].strip().split(":")
                self.port = int(port)
                break
        else:
            raise SystemExit(f"{binary} did not start")
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def call(self, method, path, body=None, token=None, content_type="application/json"):
        headers = {"content-type": content_type}
        if token:
            headers["authorization"] = f"Bearer {token}"
        self.conn.request(method, path, body=body, headers=headers)
        reply = self.conn.getresponse()
        return reply.status, reply.read()

    def stop(self):
        self.conn.close()
        self.proc.terminate()
        self.proc.wait(timeout=60)


def slots(count):
    """Distinct five-minute slots 02:00-06:55 on the year's days."""
    day, minute = 0, 120
    for _ in range(count):
        date = (datetime.date(2025, 7, 1) + datetime.timedelta(days=day)).isoformat()
        yield date, f"{minute // 60:02d}:{minute % 60:02d}", f"{(minute + 5) // 60:02d}:{(minute + 5) % 60:02d}"
        minute += 5
        if minute >= 7 * 60:
            day, minute = day + 1, 120


def measure(binary, log_text, writes):
    data = tempfile.mkdtemp(prefix="tm-writes-")
    server = Server(binary, data)
    try:
        status, body = server.call("POST", "/local/signup", json.dumps({"username": "bench", "password": "bench-password"}))
        token = json.loads(body)["id_token"]
        status, body = server.call("PUT", "/v1/logs/2025-2026", log_text.encode(), token, "text/markdown")
        if status != 200:
            raise SystemExit(f"upload failed: {status} {body[:300]}")
        time.sleep(2.5)
        before = folder_bytes(data)
        took = []
        for date, start, end in slots(writes):
            entry = json.dumps({"date": date, "startTime": start, "endTime": end, "task": "Benchmark write", "project": "Bench"})
            t0 = time.perf_counter()
            status, body = server.call("POST", "/v1/entries", entry, token)
            took.append((time.perf_counter() - t0) * 1000)
            if status != 201:
                raise SystemExit(f"write failed: {status} {body[:300]}")
        # Let the publisher (or nothing, for an inline one) finish, then weigh the folder.
        time.sleep(3)
        status, _ = server.call("GET", "/v1/logs/2025-2026/versions", token=token)
        grown = folder_bytes(data) - before
    finally:
        server.stop()
        shutil.rmtree(data, ignore_errors=True)
    took.sort()
    return statistics.median(took), took[int(len(took) * 0.99) - 1], grown / writes


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", action="append", required=True, help="a tm-local binary (repeatable)")
    parser.add_argument("--sizes", default="100,1000,10000,50000")
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    print(f"| entries in the year | binary | POST /v1/entries p50 | p99 | store growth per write |")
    print("|---|---|---:|---:|---:|")
    for size in [int(s) for s in args.sizes.split(",")]:
        log_text = subprocess.run(
            ["cargo", "run", "-q", "--release", "-p", "tm-testkit", "--example", "generated_log", "--", str(size)],
            cwd=root, check=True, capture_output=True, text=True).stdout
        entries = sum(1 for line in log_text.splitlines() if line.startswith("- **"))
        for binary in args.bin:
            p50, p99, growth = measure(binary, log_text, args.writes)
            print(f"| {entries} | {binary} | {p50:.2f} ms | {p99:.2f} ms | {growth / 1024:.1f} KB |", flush=True)


if __name__ == "__main__":
    main()
