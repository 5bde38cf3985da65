#!/usr/bin/env bash
# The project's one test command (README, .ci/run). Runs every test of the workspace:
# unit, property, integration and CLI tests, and each benchmark once in test mode so
# benchmarks keep compiling and running.
#
# Later layers (stores on DynamoDB/S3, Cognito tokens) need the moto emulator; this
# script is where it is installed into a venv, started on a free port and stopped
# again (also on failure). The domain core needs no emulator.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cargo test --workspace --all-targets
