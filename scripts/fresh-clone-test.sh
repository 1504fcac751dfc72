#!/usr/bin/env bash
# What a newcomer does: a fresh clone of the committed HEAD in a temporary folder with nothing beside it
# (no ../shared), `npm ci`, then the README's test command. It must pass, and name the real-data suites
# it skipped. CI runs it after `npm test`; by hand: `bash scripts/fresh-clone-test.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/ensure-node.sh
work="$(mktemp -d /tmp/filmless-fresh-XXXXXX)"
trap 'rm -rf "$work"' EXIT
git clone --quiet --no-local "$PWD" "$work/filmless"
cd "$work/filmless"
[ ! -e ../shared ] || { echo "fresh-clone test: $work/shared exists" >&2; exit 1; }
echo "== fresh clone of $(git rev-parse --short HEAD) in $work/filmless, nothing beside it"
# Dependencies from npm's cache when it has them (CI has just installed the same lock file).
npm ci --prefer-offline --no-audit --no-fund --loglevel=error >/dev/null
# What depends on ../shared being absent (the data the tests make, the real-data suites counted as skipped)
# runs in every group on Chromium; the Firefox, WebKit and no-WebGL groups run the same tests on the same
# generated data, and CI's npm test of the same commit has just run them: left out here
# (FILMLESS_TEST_ENGINE_GROUPS=0) to keep CI under 20 minutes. By hand, FILMLESS_TEST_ENGINE_GROUPS=1
# runs them here too.
export FILMLESS_TEST_ENGINE_GROUPS="${FILMLESS_TEST_ENGINE_GROUPS:-0}"
set +e
npm test 2>&1 | tee "$work/test.out"
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  echo "fresh-clone test: npm test failed on a fresh clone" >&2
  exit "$status"
fi
if ! grep -qE 'skipped \(real-data suite: \.\./shared/dicom not found\)' "$work/test.out"; then
  echo "fresh-clone test: the summary did not name the skipped real-data suite" >&2
  exit 1
fi
echo "fresh-clone test: passed"
