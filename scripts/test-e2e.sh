#!/usr/bin/env bash
# End-to-end test of the desktop window: builds the UI and the debug app, then drives the real window
# (WebKitGTK) through tauri-driver + WebKitWebDriver under Xvfb. Screenshots: artifacts/e2e/*.png.
# Needs the packages of scripts/install-deps.sh (webkit2gtk-driver, xvfb, xauth, dbus-x11), Node/npm, cargo;
# installs tauri-driver 2.1.0 with cargo on first use. The mock-runtime tests are `cargo test -p madoguchi`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/ui/scripts/ensure-deps.sh"
echo "test-e2e: npm run build (ui/dist)"
(cd "$ROOT/ui" && npm run --silent build)

echo "test-e2e: cargo build -p madoguchi"
cargo build -p madoguchi

# Headless WebKitGTK: no accessibility bus (it stalls looking for one), no GPU compositing under Xvfb.
export NO_AT_BRIDGE=1
export WEBKIT_DISABLE_COMPOSITING_MODE=1

APP="${CARGO_TARGET_DIR:-$ROOT/target}/debug/madoguchi"
echo "test-e2e: running tests/e2e/run_e2e.py under xvfb-run"
xvfb-run -a -s "-screen 0 1600x1000x24" \
  dbus-run-session -- python3 "$ROOT/tests/e2e/run_e2e.py" --app "$APP" "$@"
