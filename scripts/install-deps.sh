#!/usr/bin/env bash
# Installs what Madoguchi needs on a fresh Debian 12 / Ubuntu machine and is a no-op when all is present.
# Used by both README commands (run and test). Needs root (or sudo) for apt-get.
set -euo pipefail

APT_PACKAGES=(
  # Tauri 2 on Linux (WebKitGTK 4.1) — https://v2.tauri.app/start/prerequisites
  build-essential pkg-config curl wget file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev
  # end-to-end tests in the real window
  webkit2gtk-driver xvfb xauth dbus-x11 at-spi2-core
  # BIZ UD fonts (SIL OFL) for screen and print
  fonts-morisawa-bizud-gothic fonts-morisawa-bizud-mincho
  # printing: CUPS with the cups-pdf virtual printer, poppler to read back PDFs
  cups cups-client cups-bsd cups-ipp-utils printer-driver-cups-pdf poppler-utils
  # virus scan of electronic media before any byte is read (clamscan; tests use assets/clamav/)
  clamav
  # the union server's PostgreSQL store: a throwaway cluster for its tests (scripts/pg-test-cluster.sh)
  postgresql
  # kernel keyutils for the OS keyring on headless Linux (keyctl session -)
  keyutils
  # the end-to-end test's WebDriver client and the print tests' helpers
  python3
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Rust toolchain: rustup's stable is expected (rust-toolchain.toml pins the channel).
if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then export PATH="$HOME/.cargo/bin:$PATH"; else
    echo "install-deps: cargo not found; install Rust with rustup first" >&2; exit 1
  fi
fi

# Node.js for the UI build (Vite 8 needs Node >= 20.19; Debian 12 ships 18, so install Node 20+ first
# where it is missing — e.g. from NodeSource or nvm).
if ! command -v npm >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q nodejs npm
fi
