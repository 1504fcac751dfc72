#!/usr/bin/env bash
# `npm test`: everything CI checks. Quiet: one line per step and per test group, the failures in full,
# and a closing line that counts passed, failed, skipped and cancelled tests. Everything else (build
# warnings, browser console, Orthanc) goes to .cache/test-logs/.
#
# Runs on a fresh clone with nothing beside it: the tests make their own data. ../shared/dicom, when it
# exists, adds the real-data suites; without it they are counted as skipped, with the reason.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
bash scripts/ensure-system-deps.sh || exit 1

logs="$PWD/.cache/test-logs"
rm -rf "$logs"
mkdir -p "$logs"
export FILMLESS_TEST_LOGS="$logs"
echo "Node.js $(node --version); logs in .cache/test-logs/"

# A step that must pass before tests can mean anything: quiet when it passes, its log when it fails.
step() {
  local name="$1"
  shift
  if "$@" >"$logs/$name.log" 2>&1; then
    echo "ok    $name"
  else
    echo "FAIL  $name (.cache/test-logs/$name.log):"
    tail -n 80 "$logs/$name.log" | sed 's/^/      /'
    echo "Tests: 0 passed, 1 failed, 0 skipped, 0 cancelled"
    exit 1
  fi
}
step type-check npx tsc -p .
step lint npx eslint .
step build npm run --silent build
step bundle-budget npx tsx bench/bundle-budget.ts

passed=0 failed=0 skipped=0 cancelled=0 status=0
reasons=()
real_data_reason='real-data suite: ../shared/dicom not found'
[ -d ../shared/dicom ] && real_data_reason='real-data suite'

# One line per group: "name  N passed, N failed[, N skipped (why)][, N cancelled]".
group_line() {
  local name="$1" p="$2" f="$3" s="$4" c="$5" why="$6"
  local line
  line=$(printf '%-16s %d passed, %d failed' "$name" "$p" "$f")
  [ "$s" -gt 0 ] && line="$line, $s skipped${why:+ ($why)}"
  [ "$c" -gt 0 ] && line="$line, $c cancelled"
  echo "$line"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s)) cancelled=$((cancelled + c))
}

# --- Node: gateway, tokens, demo server, package ---------------------------------------------------------
node --import tsx --test --test-reporter=tap --test-reporter-destination="$logs/node.tap" test/node/*.test.ts >"$logs/node.log" 2>&1
node_status=$?
tap_count() { grep -oE "^# $1 [0-9]+" "$logs/node.tap" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }
if grep -qE '^# tests [0-9]+' "$logs/node.tap" 2>/dev/null; then
  n_skipped=$(tap_count skipped)
  group_line node "$(tap_count pass)" "$(tap_count fail)" "$n_skipped" "$(tap_count cancelled)" "$([ "$n_skipped" -gt 0 ] && grep -m1 -oE '# SKIP .*' "$logs/node.tap" | sed 's/# SKIP //')"
  if [ "$node_status" -ne 0 ]; then
    status=1
    # Each failing test's TAP block: its name, error and location.
    awk '/^ *not ok /{show=1} /^ *ok /{show=0} show' "$logs/node.tap" | grep -vE '^\s*(duration_ms|type):' | head -n 200 | sed 's/^/      /'
  fi
else
  echo "FAIL  node: the Node test runner did not run (.cache/test-logs/node.log):"
  tail -n 40 "$logs/node.log" | sed 's/^/      /'
  failed=$((failed + 1)) status=1
fi

# --- Browser: unit, element, integration (Chromium, Orthanc) --------------------------------------------
npx tsx node_modules/@web/test-runner/dist/bin.js --config web-test-runner.config.mjs >"$logs/browser.log" 2>&1
browser_status=$?
summary="$logs/browser-summary.json"
if [ -f "$summary" ]; then
  while IFS=$'\t' read -r name p f s real on_engine on_engine_why; do
    why=''
    [ "$real" -gt 0 ] && why="$real_data_reason"
    [ "$on_engine" -gt 0 ] && why="${why:+$why; }$on_engine_why"
    [ "$s" -gt $((real + on_engine)) ] && why="${why:+$why; }$((s - real - on_engine)) marked skip in the test files"
    group_line "$name" "$p" "$f" "$s" 0 "$why"
  done < <(node -e '
    const groups = require(process.argv[1]);
    for (const [name, g] of Object.entries(groups)) {
      // Tests not run on one engine (test/support/engines.ts skipOn), each reason with its count.
      const onEngine = Object.entries(g.skippedOnEngine ?? {});
      const count = onEngine.reduce((sum, [, n]) => sum + n, 0);
      const why = onEngine.map(([reason, n]) => `${n} not on ${reason}`).join("; ");
      console.log([name, g.passed, g.failed, g.skipped, g.skippedRealData, count, why || "-"].join("\t"));
    }' "$summary")
  # Every group must have run: one that is missing (its browser never started) is a failure, never silence.
  groups='unit element integration element-firefox element-webkit nowebgl-firefox nowebgl-chromium'
  if [ "${FILMLESS_TEST_ENGINE_GROUPS:-}" = 0 ]; then
    groups='unit element integration'
    echo "note  FILMLESS_TEST_ENGINE_GROUPS=0: the Firefox, WebKit and no-WebGL groups were left out on purpose"
  fi
  for name in $groups; do
    if ! node -e 'process.exit(require(process.argv[1])[process.argv[2]] ? 0 : 1)' "$summary" "$name"; then
      echo "FAIL  $name: did not run (.cache/test-logs/browser.log)"
      failed=$((failed + 1)) status=1
    fi
  done
  if [ -s "$logs/browser-failures.txt" ]; then
    sed 's/^/      /' "$logs/browser-failures.txt" | head -n 300
  fi
  # The runner can fail outside any test (a file timing out, a browser crash): never a green line.
  if [ "$browser_status" -ne 0 ] && [ ! -s "$logs/browser-failures.txt" ]; then
    echo "FAIL  browser: the runner failed outside any test (.cache/test-logs/browser.log):"
    grep -vE '^\s*$' "$logs/browser.log" | tail -n 40 | sed 's/^/      /'
    failed=$((failed + 1))
  fi
  [ "$browser_status" -eq 0 ] || status=1
else
  echo "FAIL  browser: the browser tests could not start (.cache/test-logs/browser.log):"
  grep -vE '^\s*$' "$logs/browser.log" | tail -n 40 | sed 's/^/      /'
  failed=$((failed + 1)) status=1
fi

[ "$failed" -eq 0 ] || status=1
echo "Tests: $passed passed, $failed failed, $skipped skipped, $cancelled cancelled"
exit "$status"
