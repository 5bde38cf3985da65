#!/usr/bin/env bash
# The project's one test command (README, .ci/run). Checks the SAM template (cfn-lint and
# `sam validate`, offline), then runs every test of the workspace: unit, property,
# store-contract (embedded and DynamoDB/S3 on moto), handler, template-vs-route-table,
# CLI and end-to-end tests, and each benchmark once in test mode.
#
# It installs what it needs itself: a Python venv with moto's server, cfn-lint and the
# SAM CLI (first run only, about two minutes), then starts moto on a free loopback port
# and stops it on exit, also when a test fails. After the tests, real answers and
# schemathesis check tm-local against its own OpenAPI document, and the web app is
# built, unit-tested and driven in Debian's Chromium (installed here when missing; npm
# packages from web/package-lock.json). Formatting (`cargo fmt --check`) is
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
PACKAGES=("moto[server]==5.2.5" "cfn-lint==1.58.0" "aws-sam-cli==1.170.0" "schemathesis==4.32.5")
if [ ! -x "$VENV/bin/moto_server" ] || [ ! -x "$VENV/bin/cfn-lint" ] || [ ! -x "$VENV/bin/sam" ] || [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "installing ${PACKAGES[*]} into $VENV ..."
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "${PACKAGES[@]}"
fi

# The template: schema lint, then the real SAM transform (catches what cfn-lint cannot,
# e.g. a !Ref to a missing resource). Both offline.
"$VENV/bin/cfn-lint" template.yaml
SAM_CLI_TELEMETRY=0 "$VENV/bin/sam" validate --region us-east-1 -t template.yaml >/dev/null
# And with single sign-on switched on (an OIDC, then a SAML provider): the same
# template with the FederationType parameter's default changed.
FEDERATED_DIR=$(mktemp -d)
for kind in OIDC SAML; do
  sed "s/^    Default: NONE\$/    Default: $kind/" template.yaml > "$FEDERATED_DIR/template-$kind.yaml"
  grep -q "Default: $kind\$" "$FEDERATED_DIR/template-$kind.yaml"
  "$VENV/bin/cfn-lint" "$FEDERATED_DIR/template-$kind.yaml"
  SAM_CLI_TELEMETRY=0 "$VENV/bin/sam" validate --region us-east-1 -t "$FEDERATED_DIR/template-$kind.yaml" >/dev/null
done
rm -rf "$FEDERATED_DIR"
echo "template.yaml: cfn-lint and sam validate clean (single sign-on off, OIDC and SAML)"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
LOG_DIR=$(mktemp -d)
# Serial moto: see infra/moto_serial.py for why.
MOTO_PORT="$PORT" MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY=HASH MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY=HASH \
  "$VENV/bin/python" infra/moto_serial.py 127.0.0.1 "$PORT" >"$LOG_DIR/moto.log" 2>&1 &
MOTO_PID=$!
LOCAL_PID=""
cleanup() {
  kill "$MOTO_PID" $LOCAL_PID 2>/dev/null || true
  wait "$MOTO_PID" $LOCAL_PID 2>/dev/null || true
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

# The API contract: schemathesis generates requests from GET /openapi.json and checks
# tm-local's answers (no server error; status, content type and body as documented).
LOCAL_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"${CARGO_TARGET_DIR:-target}/debug/tm-local" --port "$LOCAL_PORT" --data-dir "$LOG_DIR/contract-data" --report-interval-minutes 0 \
  >"$LOG_DIR/tm-local.log" 2>&1 &
LOCAL_PID=$!
LOCAL="http://127.0.0.1:$LOCAL_PORT"
for _ in $(seq 1 100); do curl -sf "$LOCAL/health" >/dev/null && break; sleep 0.1; done
TOKEN=$(curl -sf -X POST "$LOCAL/local/signup" -d '{"username": "contract", "password": "change-me-please"}' |
  python3 -c 'import sys, json; print(json.load(sys.stdin)["id_token"])')
# Real answers with data in them (entries, a timer, logs, a shared project, reports)
# against the document's schemas; then schemathesis on the same server.
"$VENV/bin/python" infra/contract_answers.py "$LOCAL"
# It keeps a cache of what it found in its working folder: run it in the temporary one.
if ! (cd "$LOG_DIR" && "$VENV/bin/schemathesis" run "$LOCAL/openapi.json" -H "Authorization: Bearer $TOKEN" \
  --checks not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
  --max-examples 30 --seed 1 --workers 2 --no-color >"$LOG_DIR/schemathesis.log" 2>&1); then
  cat "$LOG_DIR/schemathesis.log" >&2
  echo "schemathesis: the API does not keep its OpenAPI contract (above)" >&2
  exit 1
fi
grep -E 'generated|passed' "$LOG_DIR/schemathesis.log" | tail -1
echo "schemathesis: tm-local keeps its OpenAPI contract"

# The web app (issue 17): its unit tests (Vitest), its size budget, and Playwright in
# Debian's Chromium against tm-local serving the build, as a person uses it.
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests ..."
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >/dev/null && $SUDO apt-get install -y -qq chromium >/dev/null
fi
./infra/web-build.sh
npm --prefix web test --silent
node infra/web_budget.mjs web/dist
WEB_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"${CARGO_TARGET_DIR:-target}/debug/tm-local" --port "$WEB_PORT" --data-dir "$LOG_DIR/web-data" --report-interval-minutes 0 \
  --web-dir web/dist >"$LOG_DIR/tm-local-web.log" 2>&1 &
LOCAL_PID="$LOCAL_PID $!"
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$WEB_PORT/health" >/dev/null && break; sleep 0.1; done
if ! TM_WEB_URL="http://127.0.0.1:$WEB_PORT" TM_SHOTS_DIR="$LOG_DIR/shots" node web/e2e/today.mjs; then
  tail -40 "$LOG_DIR/tm-local-web.log" >&2
  echo "web app: the browser tests failed (above)" >&2
  exit 1
fi
echo "web app: unit tests, budget and browser tests pass"

cargo clippy --workspace --all-targets -- -D warnings
echo "cargo clippy: clean"
