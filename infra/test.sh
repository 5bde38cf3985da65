#!/usr/bin/env bash
# The project's one test command (README, .ci/run). Checks the SAM template (cfn-lint and
# `sam validate`, offline), then runs every test of the workspace: unit, property,
# store-contract (embedded and DynamoDB/S3 on moto), handler, template-vs-route-table,
# CLI and end-to-end tests, and each benchmark once in test mode.
#
# It installs what it needs itself: a Python venv with moto's server, cfn-lint and the
# SAM CLI (first run only, about two minutes), then starts moto on a free loopback port
# and stops it on exit, also when a test fails. Formatting (`cargo fmt --check`) is
# checked first and lints (`cargo clippy --all-targets -D warnings`) last: a change that
# is not formatted or not lint-clean fails like a failing test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo fmt --all --check >/dev/null; then
  echo "cargo fmt --check: files are not formatted; run: cargo fmt --all" >&2
  cargo fmt --all --check | head -40 >&2 || true
  exit 1
fi
echo "cargo fmt --check: clean"

VENV="${TM_VENV:-$PWD/.venv-test}"
PACKAGES=("moto[server]==5.2.5" "cfn-lint==1.58.0" "aws-sam-cli==1.170.0")
if [ ! -x "$VENV/bin/moto_server" ] || [ ! -x "$VENV/bin/cfn-lint" ] || [ ! -x "$VENV/bin/sam" ]; then
  echo "installing ${PACKAGES[*]} into $VENV ..."
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
fi

# The template: schema lint, then the real SAM transform (catches what cfn-lint cannot,
# e.g. a !Ref to a missing resource). Both offline.
"$VENV/bin/cfn-lint" template.yaml
SAM_CLI_TELEMETRY=0 "$VENV/bin/sam" validate --region us-east-1 -t template.yaml >/dev/null
echo "template.yaml: cfn-lint and sam validate clean"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
LOG_DIR=$(mktemp -d)
# Serial moto: see infra/moto_serial.py for why.
MOTO_PORT="$PORT" MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY=HASH MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY=HASH \
  "$VENV/bin/python" infra/moto_serial.py 127.0.0.1 "$PORT" >"$LOG_DIR/moto.log" 2>&1 &
MOTO_PID=$!
cleanup() {
  kill "$MOTO_PID" 2>/dev/null || true
  wait "$MOTO_PID" 2>/dev/null || true
  rm -rf "$LOG_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ready() { python3 -c "import urllib.request, sys; urllib.request.urlopen('http://127.0.0.1:$PORT/moto-api/', timeout=1)" 2>/dev/null; }
for _ in $(seq 1 150); do ready && break; sleep 0.1; done
if ! ready; then
  echo "moto did not start on port $PORT:" >&2
  cat "$LOG_DIR/moto.log" >&2
  exit 1
fi

export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
# Tests that need the emulator fail (instead of skipping) when it is missing.
export TM_REQUIRE_EMULATOR=1
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cargo test --workspace --all-targets

cargo clippy --workspace --all-targets -- -D warnings
echo "cargo clippy: clean"
