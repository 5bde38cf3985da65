#!/usr/bin/env bash
# Ingest benchmark (release build): a generated 10 000-entry log uploaded through the
# `logs-put` Lambda handler, then re-uploaded with one changed line; on the embedded
# store and on DynamoDB + S3 (moto, started here on a free loopback port and stopped on
# exit). Prints time, peak memory and DynamoDB write requests; the numbers are recorded
# in docs/benchmarks.md. Note that moto is far slower than DynamoDB per item.
set -euo pipefail
cd "$(dirname "$0")/../.."
source infra/bench/moto.sh
cargo build --release -p functions --example ingest_bench
target/release/examples/ingest_bench embedded
start_moto "${TM_VENV:-$PWD/.venv-test}"
target/release/examples/ingest_bench dynamo
