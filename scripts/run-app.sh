#!/usr/bin/env bash
# Builds the UI and the debug app, then opens the Madoguchi window. Without a display ($DISPLAY empty) it runs
# inside Xvfb so a headless machine does not fail; nothing is visible then (stop it with Ctrl+C).
# Without a terminal configuration it runs in 研修モード (embedded union, data in $XDG_DATA_HOME/madoguchi or
# MADOGUCHI_DATA_DIR). The vault's key lives in the OS keyring: without a session keyring (containers, ssh)
# the app runs in one of its own (`keyctl session -`); the 研修 terminal then starts afresh each time.
# Needs the packages of scripts/install-deps.sh, Node/npm and cargo.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/ui/scripts/ensure-deps.sh"
echo "run-app: npm run build (ui/dist)"
(cd "$ROOT/ui" && npm run --silent build)
echo "run-app: cargo build -p madoguchi"
cargo build -p madoguchi

APP="${CARGO_TARGET_DIR:-$ROOT/target}/debug/madoguchi"
KEYRING=()
# The implicit per-user session keyring (`_uid_ses.<uid>`, what ssh/containers give) exists but the keyring
# store is refused access to it (tech-notes §3.2), so only a real session keyring counts.
if ! keyctl show @s 2>/dev/null | sed -n 2p | grep -q 'keyring:' ||
  keyctl show @s 2>/dev/null | sed -n 2p | grep -q '_uid_ses\.'; then
  echo "run-app: no session keyring: running the app in one of its own (keyctl session -)." >&2
  KEYRING=(keyctl session -)
fi
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  exec "${KEYRING[@]}" "$APP" "$@"
fi
echo "run-app: no DISPLAY: starting the app inside Xvfb (headless, no visible window; Ctrl+C to stop)." >&2
export NO_AT_BRIDGE=1
export WEBKIT_DISABLE_COMPOSITING_MODE=1
exec "${KEYRING[@]}" xvfb-run -a -s "-screen 0 1600x1000x24" dbus-run-session -- "$APP" "$@"
