#!/usr/bin/env bash
# End-to-end test of the desktop window: builds the UI and the debug app, then drives the real window
# (WebKitGTK) through tauri-driver + WebKitWebDriver under Xvfb: a counter day in 研修モード, printing to the
# CUPS-PDF queue. Screenshots: artifacts/e2e/*.png; figures (start time, submit→preview p95, RSS) in the log.
# Needs the packages of scripts/install-deps.sh (webkit2gtk-driver, xvfb, xauth, dbus-x11, keyutils, cups,
# printer-driver-cups-pdf, poppler-utils), Node/npm, cargo, and root for CUPS (scripts/setup-cups-pdf.sh);
# installs tauri-driver 2.1.0 with cargo on first use. The mock-runtime tests are `cargo test -p madoguchi`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/ui/scripts/ensure-deps.sh"
echo "test-e2e: npm run build (ui/dist, test-support build: the perf hook window.__madoguchiPerf is on)"
(cd "$ROOT/ui" && VITE_MADOGUCHI_TEST_SUPPORT=1 npm run --silent build)

echo "test-e2e: cargo build -p madoguchi"
cargo build -p madoguchi

# Headless WebKitGTK: no accessibility bus (it stalls looking for one), no GPU compositing under Xvfb.
export NO_AT_BRIDGE=1
export WEBKIT_DISABLE_COMPOSITING_MODE=1

echo "test-e2e: the app's commands over a real training terminal (session keyring of its own)"
keyctl session - env MADOGUCHI_REQUIRE_KEYRING=1 cargo test -p madoguchi

echo "test-e2e: CUPS with the CUPS-PDF queue"
sh "$ROOT/scripts/setup-cups-pdf.sh"

APP="${CARGO_TARGET_DIR:-$ROOT/target}/debug/madoguchi"
echo "test-e2e: running tests/e2e/run_e2e.py under xvfb-run in a session keyring of its own"
# The vault keeps its key in the OS keyring: kernel keyutils needs a session keyring (keyctl session -).
keyctl session - xvfb-run -a -s "-screen 0 1600x1000x24" \
  dbus-run-session -- python3 "$ROOT/tests/e2e/run_e2e.py" --app "$APP" "$@"
