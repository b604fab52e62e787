#!/usr/bin/env bash
# Builds the Linux installer with the Tauri bundler (configuration in installer/linux/tauri.deb.conf.json)
# and prints its path and size.
#   scripts/build-deb.sh               release build, with 研修モード (the embedded training union)
#   scripts/build-deb.sh --production  release build without 研修モード (`--no-default-features`): what a
#                                      municipality deploys
#   scripts/build-deb.sh --debug       debug build with 研修モード: what the test suite installs (it reuses
#                                      the debug build the other tests made; sizes are not representative)
# Output: <target>/{release,debug}/bundle/deb/Madoguchi_<version>_amd64.deb
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PROFILE=release
TAURI_ARGS=()
CARGO_ARGS=()
for arg in "$@"; do
  case "$arg" in
    --production) CARGO_ARGS=(-- --no-default-features) ;;
    --debug) PROFILE=debug; TAURI_ARGS=(--debug) ;;
    *) echo "usage: $0 [--production] [--debug]" >&2; exit 2 ;;
  esac
done

"$ROOT/ui/scripts/ensure-deps.sh"
# The production bundle: no test-support build flag (scripts/test.sh checks that the perf hook is absent).
(cd "$ROOT/ui" && npm run --silent build)

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
rm -f "$TARGET/$PROFILE"/bundle/deb/*.deb
"$ROOT/ui/node_modules/.bin/tauri" build --ci --bundles deb "${TAURI_ARGS[@]}" \
  --config installer/linux/tauri.deb.conf.json "${CARGO_ARGS[@]}"

DEB="$(ls -t "$TARGET/$PROFILE"/bundle/deb/*.deb | head -n 1)"
echo "build-deb: $DEB"
echo "build-deb: FIGURE deb_size_mib=$(awk -v b="$(stat -c %s "$DEB")" 'BEGIN { printf "%.1f", b / 1048576 }') ($PROFILE)"
