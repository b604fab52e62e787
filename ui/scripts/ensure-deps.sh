#!/usr/bin/env bash
# Installs the locked npm packages (npm ci) only when ui/node_modules is missing or package-lock.json changed
# since the last install (npm keeps its own copy in node_modules/.package-lock.json). Needs Node >= 20.19.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ui: npm ci"
  npm ci --no-audit --no-fund
fi
