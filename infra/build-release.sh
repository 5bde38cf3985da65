#!/usr/bin/env bash
# Release build of the Lambda functions for provided.al2023 on arm64: the one binary
# every function runs (TM_FUNCTION names its route or job), zipped once:
# target/lambda/bootstrap/bootstrap.zip.
#
# Installs what it needs itself: cargo-lambda (PyPI, brings zig from PyPI's ziglang) in
# a venv, and the aarch64 Rust target (rustup). Prints the zip's size. `sam build` does
# the same (BuildMethod rust-cargolambda, Binary bootstrap) and reuses the build for
# every function.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${TM_BUILD_VENV:-$PWD/.venv-build}"
if [ ! -x "$VENV/bin/cargo-lambda" ]; then
  echo "installing cargo-lambda==1.9.2 (with ziglang) into $VENV ..."
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==1.9.2"
fi
# cargo lambda finds zig through this venv's python3.
export PATH="$VENV/bin:$PATH"
if ! rustup target list --installed | grep -qx aarch64-unknown-linux-gnu; then
  rustup target add aarch64-unknown-linux-gnu
fi
cargo lambda build --release --arm64 --output-format zip -p functions --bin bootstrap "$@"

echo "function zip size (arm64, release):"
total=0
for zip in target/lambda/*/bootstrap.zip; do
  size=$(stat -c %s "$zip")
  total=$((total + size))
  awk -v n="$(basename "$(dirname "$zip")")" -v s="$size" 'BEGIN { printf "  %-26s %8.2f MiB\n", n, s / 1048576 }'
done
awk -v s="$total" 'BEGIN { printf "  %-26s %8.2f MiB\n", "total", s / 1048576 }'
