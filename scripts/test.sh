#!/usr/bin/env bash
# `npm test`: everything CI checks, in order of cost. Fails fast; prints the test runner's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/ensure-system-deps.sh
echo "== type-check"; npx tsc -p .
echo "== lint"; npx eslint .
echo "== build"; npm run --silent build >/dev/null
echo "== bundle budget (JavaScript needed for the first image, gzip)"; npx tsx bench/bundle-budget.ts
echo "== gateway and token tests (Node, Orthanc)"
node_log="$(mktemp)"
set +e
node --import tsx --test test/node/*.test.ts 2>&1 | tee "$node_log" | grep -E '^# (tests|pass|fail)|^not ok' 
node_status=${PIPESTATUS[0]}
set -e
node_pass=$(grep -oE '^# pass [0-9]+' "$node_log" | grep -oE '[0-9]+' || echo 0)
node_fail=$(grep -oE '^# fail [0-9]+' "$node_log" | grep -oE '[0-9]+' || echo 0)
[ "$node_status" -eq 0 ] || cat "$node_log"
rm -f "$node_log"

echo "== unit, element and integration tests (Chromium, Orthanc)"
log="$(mktemp)"
set +e
npx tsx node_modules/@web/test-runner/dist/bin.js --config web-test-runner.config.mjs 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# The runner's last progress line carries the totals; add the Node tests' and repeat them alone on a line for CI.
browser=$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g' "$log" | grep -oE '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
rm -f "$log"
browser_pass=$(echo "${browser:-0 passed, 0 failed}" | grep -oE '^[0-9]+')
browser_fail=$(echo "${browser:-0 passed, 0 failed}" | grep -oE '[0-9]+ failed' | grep -oE '[0-9]+')
echo "Tests: $((browser_pass + node_pass)) passed, $((browser_fail + node_fail)) failed"
[ "$node_status" -eq 0 ] || exit "$node_status"
exit "$status"
