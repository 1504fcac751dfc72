#!/usr/bin/env bash
# `npm test`: everything CI checks, in order of cost. Fails fast; prints the test runner's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
echo "== type-check"; npx tsc -p .
echo "== lint"; npx eslint .
echo "== build"; npm run --silent build >/dev/null
echo "== unit, element and integration tests (Chromium, Orthanc)"
npx tsx node_modules/@web/test-runner/dist/bin.js --config web-test-runner.config.mjs
