#!/usr/bin/env bash
# The installer, end to end on this machine (as root): builds the .deb (scripts/build-deb.sh with this
# script's arguments: --debug in the test suite, release by default), installs it
# with dpkg -i, starts the installed program under Xvfb in 研修モード until the sign-in screen and a signed-in
# counter (tests/e2e/deb_smoke.py: screenshots in artifacts/deb/, idle memory printed), removes it with
# dpkg -r and checks that nothing is left outside the user's data directory, then purges it.
# Needs what scripts/install-deps.sh installs, and root for dpkg.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ "$(id -u)" -ne 0 ]; then echo "test-deb: needs root (dpkg -i)" >&2; exit 2; fi

bash scripts/build-deb.sh "$@"
PROFILE=release
for arg in "$@"; do [ "$arg" = "--debug" ] && PROFILE=debug; done
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
DEB="$(ls -t "$TARGET/$PROFILE"/bundle/deb/*.deb | head -n 1)"
PKG="$(dpkg-deb -f "$DEB" Package)"

# What the package may touch: the system directories. A listing before and after tells what it left.
snapshot() {
  find /usr /etc /opt /var/lib -xdev \
    -path /var/lib/dpkg -prune -o -path /var/lib/apt -prune -o -path /var/lib/ucf -prune \
    -o -path /var/lib/clamav -prune -o -path /var/lib/cups -prune -o -path /etc/cups -prune \
    -o -path /var/lib/systemd -prune -o -path /usr/share/mime -prune -o -path /usr/share/applications -prune \
    -o -path /usr/share/icons -prune -o -path /etc/ld.so.cache -prune -o -print 2>/dev/null | sort
}
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "install ok installed"; then
  dpkg --purge "$PKG" >/dev/null
fi
BEFORE="$(mktemp)"; AFTER="$(mktemp)"
trap 'rm -f "$BEFORE" "$AFTER"' EXIT
snapshot >"$BEFORE"

echo "test-deb: dpkg -i $(basename "$DEB")"
dpkg -i "$DEB"
test -x /usr/bin/madoguchi || { echo "test-deb: FAIL: /usr/bin/madoguchi missing" >&2; exit 1; }
for f in layouts seal files rates fonts/BIZUDGothic-Regular.ttf fonts/BIZUDMincho-Regular.ttf; do
  test -e "/usr/lib/Madoguchi/assets/$f" || { echo "test-deb: FAIL: assets/$f not installed" >&2; exit 1; }
done
echo "test-deb: FIGURE installed_size_kib=$(dpkg-query -W -f='${Installed-Size}' "$PKG")"

export NO_AT_BRIDGE=1 WEBKIT_DISABLE_COMPOSITING_MODE=1
mkdir -p "$ROOT/artifacts/deb"
status=0
keyctl session - xvfb-run -a -s "-screen 0 1600x1000x24" dbus-run-session -- \
  python3 "$ROOT/tests/e2e/deb_smoke.py" --app /usr/bin/madoguchi --artifacts "$ROOT/artifacts/deb" || status=$?

echo "test-deb: dpkg -r $PKG"
dpkg -r "$PKG" >/dev/null
snapshot >"$AFTER"
if ! diff -u "$BEFORE" "$AFTER"; then
  echo "test-deb: FAIL: files left after dpkg -r (above)" >&2; status=1
else
  echo "test-deb: ok: dpkg -r leaves nothing outside the user's data directory"
fi
dpkg --purge "$PKG" >/dev/null
if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "ok"; then
  echo "test-deb: FAIL: $PKG still known to dpkg after purge" >&2; status=1
fi
exit "$status"
