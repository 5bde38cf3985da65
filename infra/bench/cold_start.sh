#!/usr/bin/env bash
# Cold start of the release Lambda binary, as each of several functions, in a local Lambda runtime emulation: a minimal
# Runtime API stub (cold_start.py) starts each binary, hands it one event and measures
# process start → response, with moto (started here, stopped on exit) standing in for
# DynamoDB and S3. Uses host (x86_64) release builds of the same code: the arm64 zips
# from infra/build-release.sh cannot run on this machine.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${RUNS:-7}"
FUNCTIONS=(health me-get entries-create reports-fiscal-year logs-put ingest-upload)
VENV="${TM_VENV:-$PWD/.venv-test}"
source infra/bench/moto.sh
cargo build --release -p functions --bin bootstrap
start_moto "$VENV"
export TABLE_NAME=cold-start BUCKET_NAME=cold-start
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
python3 infra/bench/cold_start.py "$RUNS" target/release/bootstrap "${FUNCTIONS[@]}"
