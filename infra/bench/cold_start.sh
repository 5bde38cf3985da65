#!/usr/bin/env bash
# Cold start of release Lambda binaries in a local Lambda runtime emulation: a minimal
# Runtime API stub (cold_start.py) starts each binary, hands it one event and measures
# process start → response, with moto (started here, stopped on exit) standing in for
# DynamoDB and S3. Uses host (x86_64) release builds of the same code: the arm64 zips
# from infra/build-release.sh cannot run on this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-7}"
FUNCTIONS=(health me-get entries-create reports-fiscal-year logs-put ingest-upload)
VENV="${TM_VENV:-$PWD/.venv-test}"
if [ ! -x "$VENV/bin/moto_server" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==5.2.5"
fi
args=()
for f in "${FUNCTIONS[@]}"; do args+=(--bin "$f"); done
cargo build --release -p functions "${args[@]}"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
LOG=$(mktemp)
"$VENV/bin/python" infra/moto_serial.py 127.0.0.1 "$PORT" >"$LOG" 2>&1 &
MOTO_PID=$!
trap 'kill $MOTO_PID 2>/dev/null || true; wait $MOTO_PID 2>/dev/null || true; rm -f "$LOG"' EXIT
for _ in $(seq 1 150); do
  python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/', timeout=1)" 2>/dev/null && break
  sleep 0.1
done
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \
  AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true TABLE_NAME=cold-start BUCKET_NAME=cold-start
# The table and bucket the functions read (names as in the env above).
"$VENV/bin/python" - <<PY
import boto3
kw = dict(endpoint_url="$AWS_ENDPOINT_URL", region_name="us-east-1")
boto3.client("dynamodb", **kw).create_table(TableName="cold-start", BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}])
s3 = boto3.client("s3", **kw)
s3.create_bucket(Bucket="cold-start")
s3.put_bucket_versioning(Bucket="cold-start", VersioningConfiguration={"Status": "Enabled"})  # as the template
PY
binaries=()
for f in "${FUNCTIONS[@]}"; do binaries+=("target/release/$f"); done
python3 infra/bench/cold_start.py "$RUNS" "${binaries[@]}"
