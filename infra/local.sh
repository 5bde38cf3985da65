#!/usr/bin/env bash
# The README's first command: the whole system locally, on an embedded default (no AWS
# account, no Docker). Builds the web app when its sources changed (infra/web-build.sh),
# then starts tm-local on http://127.0.0.1:8080: every API route, the embedded store in
# .local-data/, the Cognito-like hosted login, and the web app at /. Flags go to
# tm-local (--port, --data-dir, ...; see `cargo run -p tm-local -- --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! ./infra/web-build.sh; then
  echo "local: the web app could not be built (above); starting the API without it" >&2
fi
exec cargo run -p tm-local -- "$@"
