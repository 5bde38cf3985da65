#!/usr/bin/env bash
# Ingest benchmark (release build): a generated 10 000-entry log uploaded through the
# `logs-put` Lambda handler, then re-uploaded with one changed line; on the embedded
# store and on DynamoDB + S3 (moto, started here on a free loopback port and stopped on
# exit). Prints time, peak memory and DynamoDB write requests; the numbers are recorded
# in docs/benchmarks.md. Note that moto is far slower than DynamoDB per item.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${TM_VENV:-$PWD/.venv-test}"
if [ ! -x "$VENV/bin/moto_server" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.2.5"
fi
cargo build --release -p functions --example ingest_bench
target/release/examples/ingest_bench embedded

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
LOG=$(mktemp)
"$VENV/bin/python" infra/moto_serial.py 127.0.0.1 "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
trap 'kill $MOTO_PID 2>/dev/null || true; wait $MOTO_PID 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 150); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/', timeout=1)" 2>/dev/null && break
  sleep 0.1
done
AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 \
  AWS_EC2_METADATA_DISABLED=true target/release/examples/ingest_bench dynamo
