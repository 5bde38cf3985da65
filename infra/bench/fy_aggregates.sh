#!/usr/bin/env bash
# Fiscal-year report latency on tm-local (release) for a 10 000-entry year, read from
# entries and then from monthly aggregates. Prints medians of N requests each.
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-50}
cargo build --release -p tm-local --example generate_log
DATA=$(mktemp -d)
LOG=$(mktemp)
target/release/examples/generate_log 2025-2026 10000 > "$LOG"
target/release/tm-local --port 0 --data-dir "$DATA" --report-interval-minutes 0 > "$DATA/out" 2>/dev/null &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DATA" "$LOG"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$DATA/out" 2>/dev/null && break; sleep 0.1; done
API=$(sed -n 's/^tm-local listening on //p' "$DATA/out")
TOKEN=$(curl -s -X POST "$API/local/signup" -H 'content-type: application/json' -d '{"username": "bench", "password": "bench-password"}' | jq -r .id_token)
curl -s -o /dev/null -w 'upload: %{http_code} in %{time_total}s\n' -X PUT "$API/v1/logs/2025-2026" \
  -H "Authorization: Bearer $TOKEN" -H 'content-type: text/markdown' --data-binary @"$LOG"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]*1000 " ms"}'; }
measure() {
  for _ in $(seq "$N"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$API/v1/reports/fiscal-year/2025-2026" -H "Authorization: Bearer $TOKEN"
  done | median
}
echo "from entries: $(measure) (x-aggregated-months: $(curl -s -D - -o /dev/null "$API/v1/reports/fiscal-year/2025-2026" -H "Authorization: Bearer $TOKEN" | tr -d '\r' | sed -n 's/^x-aggregated-months: //p'))"
for m in 07 08 09 10 11 12; do curl -s -o /dev/null -X POST "$API/local/reports/run?cadence=monthly&date=2025-$m-15"; done
for m in 01 02 03 04 05 06; do curl -s -o /dev/null -X POST "$API/local/reports/run?cadence=monthly&date=2026-$m-15"; done
echo "from aggregates: $(measure) (x-aggregated-months: $(curl -s -D - -o /dev/null "$API/v1/reports/fiscal-year/2025-2026" -H "Authorization: Bearer $TOKEN" | tr -d '\r' | sed -n 's/^x-aggregated-months: //p'))"
