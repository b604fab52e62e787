#!/usr/bin/env bash
# Builds the Linux installer with the Tauri bundler (release build; configuration in
# installer/linux/tauri.deb.conf.json) and prints its path and size.
#   scripts/build-deb.sh               with 研修モード (the embedded training union): what CI installs
#   scripts/build-deb.sh --production  without it (`--no-default-features`): what a municipality deploys
# Output: <target>/release/bundle/deb/Madoguchi_<version>_amd64.deb
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
CARGO_ARGS=()
case "${1:-}" in
  --production) CARGO_ARGS=(-- --no-default-features) ;;
  "") ;;
  *) echo "usage: $0 [--production]" >&2; exit 2 ;;
esac

"$ROOT/ui/scripts/ensure-deps.sh"
# The production bundle: no test-support build flag (scripts/test.sh checks that the perf hook is absent).
(cd "$ROOT/ui" && npm run --silent build)

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
rm -f "$TARGET"/release/bundle/deb/*.deb
"$ROOT/ui/node_modules/.bin/tauri" build --ci --bundles deb \
  --config installer/linux/tauri.deb.conf.json "${CARGO_ARGS[@]}"

DEB="$(ls -t "$TARGET"/release/bundle/deb/*.deb | head -n 1)"
echo "build-deb: $DEB"
echo "build-deb: FIGURE deb_size_mib=$(awk -v b="$(stat -c %s "$DEB")" 'BEGIN { printf "%.1f", b / 1048576 }')"
