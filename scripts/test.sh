#!/usr/bin/env bash
# `npm test`: everything CI checks, in order of cost. Fails fast; prints the test runner's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
echo "== type-check"; npx tsc -p .
echo "== lint"; npx eslint .
echo "== build"; npm run --silent build >/dev/null
echo "== unit, element and integration tests (Chromium, Orthanc)"
log="$(mktemp)"
set +e
npx tsx node_modules/@web/test-runner/dist/bin.js --config web-test-runner.config.mjs 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The runner's last progress line carries the totals; repeat them alone on a line for CI.
summary=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log" | grep -oE '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
rm -f "$log"
echo "Tests: ${summary:-0 passed, 0 failed}"
exit "$status"
