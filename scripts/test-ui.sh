#!/usr/bin/env bash
# UI checks: installs the locked npm packages when needed, then ESLint + Prettier, svelte-check and Vitest.
# Needs Node >= 20.19 with npm (scripts/install-deps.sh). Run from anywhere: paths are resolved from this file.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UI="$ROOT/ui"
cd "$UI"

"$UI/scripts/ensure-deps.sh"

echo "test-ui: lint (eslint + prettier --check)"
npm run --silent lint
echo "test-ui: svelte-check"
npm run --silent check
echo "test-ui: vitest"
npm test --silent
