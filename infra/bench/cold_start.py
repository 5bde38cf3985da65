#!/usr/bin/env python3
"""Cold start of a Lambda function binary under a minimal Lambda Runtime API stub.

For each function: start the binary as that function (TM_FUNCTION) with
AWS_LAMBDA_RUNTIME_API pointing here, hand it
one event, and measure from process start to the function's response (init + first
invocation), plus its peak memory. Repeats and prints the median. No Docker, no AWS:
the AWS SDK is pointed at AWS_ENDPOINT_URL (moto), which infra/bench/cold_start.sh
starts.

usage: cold_start.py RUNS BINARY FUNCTION ...   (the event is chosen by the function's name)
"""
import json
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_EVENT = {
    "version": "2.0", "routeKey": "GET /health", "rawPath": "/health", "rawQueryString": "",
    "headers": {"content-type": "application/json"},
    "requestContext": {
        "accountId": "123456789012", "apiId": "api", "domainName": "api.example.com", "domainPrefix": "api",
        "http": {"method": "GET", "path": "/health", "protocol": "HTTP/1.1", "sourceIp": "192.0.2.1", "userAgent": "bench"},
        "requestId": "cold-start", "routeKey": "GET /health", "stage": "$default",
        "time": "28/Nov/2026:10:00:00 +0000", "timeEpoch": 0,
    },
    "isBase64Encoded": False,
}


CLAIMS = {"sub": "bench", "custom:tenant_id": "bench"}
LOG = "# Time Log 2025-2026\n\n## July 2025\n\n### 2025-07-29\n\n- **09:00-10:00**: Cold start [[Bench]]\n"
# The first request each function would really get: (method, route, path, parameters, body).
EVENTS = {
    "health": ("GET", "/health", "/health", None, None),
    "me-get": ("GET", "/v1/me", "/v1/me", None, None),
    "entries-create": ("POST", "/v1/entries", "/v1/entries", None,
                       '{"date": "2025-07-29", "startTime": "09:00", "endTime": "10:00", "task": "Cold start"}'),
    "reports-fiscal-year": ("GET", "/v1/reports/fiscal-year/{fy}", "/v1/reports/fiscal-year/2025-2026",
                            {"fy": "2025-2026"}, None),
    "logs-put": ("PUT", "/v1/logs/{fy}", "/v1/logs/2025-2026", {"fy": "2025-2026"}, LOG),
}


def event_for(name):
    if name == "ingest-upload":
        return {"Records": []}
    method, route, path, params, body = EVENTS[name]
    event = json.loads(json.dumps(API_EVENT))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["routeKey"] = event["requestContext"]["routeKey"] = f"{method} {route}"
    if params:
        event["pathParameters"] = params
    if body is not None:
        event["body"] = body
        event["headers"]["content-type"] = "application/json" if body.startswith("{") else "text/markdown"
    if name != "health":
        # A new user per run, so repeated writes do not overlap each other.
        claims = dict(CLAIMS, sub=f"bench-{uuid.uuid4()}")
        event["requestContext"]["authorizer"] = {"jwt": {"claims": claims, "scopes": None}}
    return event


class Stub(BaseHTTPRequestHandler):
    event = None
    delivered = False
    done = None
    result = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path.endswith("/runtime/invocation/next"):
            if Stub.delivered:  # the function waits for the next event; we are done with it
                Stub.done.wait(30)
                self.send_response(500)
                self.end_headers()
                return
            Stub.delivered = True
            body = json.dumps(Stub.event).encode()
            self.send_response(200)
            self.send_header("Lambda-Runtime-Aws-Request-Id", "req-1")
            self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
            self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
            self.send_header("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        Stub.result = (time.perf_counter(), self.path, body)
        self.send_response(202)
        self.end_headers()
        Stub.done.set()


def peak_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure(binary, function):
    Stub.event, Stub.delivered, Stub.done, Stub.result = event_for(function), False, threading.Event(), None
    server = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = dict(os.environ)
    env.update({
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "TM_FUNCTION": function,
        "AWS_LAMBDA_FUNCTION_NAME": function, "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_LAMBDA_LOG_STREAM_NAME": "bench", "AWS_LAMBDA_LOG_GROUP_NAME": "bench",
        "RUST_LOG": "warn",
    })
    started = time.perf_counter()
    process = subprocess.Popen([binary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if not Stub.done.wait(30):
        process.kill()
        raise SystemExit(f"{function}: no response within 30 s: {process.stderr.read().decode()[-500:]}")
    answered, path, body = Stub.result
    memory = peak_mib(process.pid)
    process.kill()
    process.wait()
    server.shutdown()
    if not path.endswith("/response"):
        raise SystemExit(f"{function}: {path}: {body[:300]!r}")
    status = json.loads(body).get("statusCode", 200)
    if status >= 400:
        raise SystemExit(f"{function}: answered {status}: {body[:300]!r}")
    return (answered - started) * 1000, memory, status


def main():
    runs = int(sys.argv[1])
    print(f"{'function':<22} {'status':>6} {'cold start, median of %d' % runs:>26} {'min':>9} {'peak RSS':>10}")
    binary = sys.argv[2]
    for function in sys.argv[3:]:
        samples = [measure(binary, function) for _ in range(runs)]
        times = [s[0] for s in samples]
        print(f"{function:<22} {samples[0][2]:>6} {statistics.median(times):>23.1f} ms {min(times):>6.1f} ms"
              f" {max(s[1] for s in samples):>7.1f} MiB")


if __name__ == "__main__":
    main()
