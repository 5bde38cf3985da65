#!/usr/bin/env bash
# Builds the web app (web/ → web/dist) when it is missing or older than its sources:
# `npm ci` when the lock file changed, then `npm run build` (types from
# web/openapi.json, typecheck, Vite). Used by infra/local.sh and infra/test.sh; uses the
# machine's Node.js and npm, packages from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v npm >/dev/null 2>&1; then
  echo "web-build: npm is not installed; install Node.js 20 (with npm) to build the web app" >&2
  exit 1
fi
# node_modules/.package-lock.json is npm's record of what it installed.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "web-build: npm ci (web/package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
fi
stale=1
if [ -f dist/index.html ]; then
  newer=$(find src public index.html openapi.json package-lock.json vite.config.ts tsconfig*.json \
    -newer dist/index.html -print -quit 2>/dev/null || true)
  [ -z "$newer" ] && stale=0
fi
if [ "$stale" = 1 ]; then
  echo "web-build: npm run build"
  npm run build --silent
fi
