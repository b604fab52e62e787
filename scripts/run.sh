#!/usr/bin/env bash
# Installs what is missing on a fresh Debian 12 / Ubuntu machine, builds, and opens Madoguchi. Without a
# configuration the app starts in 研修モード (training mode).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"
exec bash scripts/run-app.sh "$@"
