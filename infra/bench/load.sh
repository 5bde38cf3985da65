#!/usr/bin/env bash
# Load benchmark of the local server (release build, embedded store) with wrk:
# GET /health (the HTTP stack's ceiling), POST /v1/entries, GET /v1/daily/{date}, and
# GET /v1/reports/fiscal-year over a generated 1 652-entry year, each with USERS
# concurrent users (one connection each) for DURATION. Prints requests/s and latency percentiles; the numbers
# are recorded in docs/benchmarks.md. Traffic goes to 127.0.0.1 only and stops by itself.
set -euo pipefail
cd "$(dirname "$0")/../.."
USERS="${USERS:-50}"
DURATION="${DURATION:-20s}"
THREADS="${THREADS:-2}"

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian) ..."
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
# TM_LOCAL_BIN: a tm-local binary to measure instead (e.g. a build of an earlier
# commit, to compare two side by side on one machine).
BIN="${TM_LOCAL_BIN:-target/release/tm-local}"
if [ -z "${TM_LOCAL_BIN:-}" ]; then
  cargo build --release -p tm-local
fi

DATA=$(mktemp -d)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
RUST_LOG=info "$BIN" --port "$PORT" --data-dir "$DATA/store" >"$DATA/stdout.log" 2>"$DATA/stderr.log" &
PID=$!
cleanup() { kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$DATA"; }
trap cleanup EXIT
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 100); do curl -sf -o /dev/null "$BASE/health" && break; sleep 0.1; done

for i in $(seq 1 "$USERS"); do
  curl -sf -X POST "$BASE/local/signup" -H 'content-type: application/json' \
    -d "{\"username\": \"load$i\", \"password\": \"load-test-password\"}" \
    | python3 -c 'import sys, json; print(json.load(sys.stdin)["id_token"])' >>"$DATA/tokens.txt"
done

run() {
  local name=$1 script=$2 out
  out="$DATA/$(basename "$script" .lua).txt"
  echo "== $name: $USERS users, $THREADS threads, $DURATION"
  wrk -t "$THREADS" -c "$USERS" -d "$DURATION" --latency -s "$script" "$BASE" -- "$DATA/tokens.txt" "$THREADS" | tee "$out"
  if grep -q "Non-2xx" "$out"; then
    echo "$name: some responses were not 2xx (statuses above; the server log follows)" >&2
    grep -v '"status":2' "$DATA/stderr.log" | tail -5 >&2 || true
  fi
}
run "GET /health" infra/bench/health.lua
run "POST /v1/entries" infra/bench/entries.lua
run "GET /v1/daily/{date}" infra/bench/daily.lua
cargo run -q --release -p tm-testkit --example generated_log -- 1652 >"$DATA/year.md"
while read -r token; do
  curl -sf -o /dev/null -X PUT "$BASE/v1/logs/2025-2026" -H "Authorization: Bearer $token" \
    -H 'content-type: text/markdown' --data-binary @"$DATA/year.md"
done <"$DATA/tokens.txt"
run "GET /v1/reports/fiscal-year/2025-2026 (1 652 entries)" infra/bench/fiscal_year.lua
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(date -u +%F)"
