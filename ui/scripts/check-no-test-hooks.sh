#!/usr/bin/env bash
# Fails when the production bundle (ui/dist, from `npm run build` without VITE_MADOGUCHI_TEST_SUPPORT)
# carries a test-support hook such as the perf hook `window.__madoguchiPerf` (issue 12 item 5).
set -euo pipefail
DIST="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/dist"
[ -d "$DIST/assets" ] || { echo "check-no-test-hooks: $DIST is missing; run npm run build first" >&2; exit 1; }
if grep -rl "__madoguchiPerf" "$DIST"; then
  echo "check-no-test-hooks: the production bundle contains the test-support perf hook" >&2
  exit 1
fi
echo "check-no-test-hooks: no test-support hook in $DIST"
