#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 / Ubuntu machine: installs what is missing, then runs the
# formatting and lint checks, every Rust test (unit, property, system tests over real mutual TLS, the
# vault on the real OS keyring, printing through a real CUPS queue), the UI's tests, and the end-to-end
# test in the real Tauri window under Xvfb, and the installer (.deb) installed, started and removed.
# Exits non-zero on the first failure. `.ci/run` calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"

step() { printf '\n==> %s\n' "$*"; }

step "Installing missing system packages"
bash scripts/install-deps.sh
export PATH="$HOME/.cargo/bin:$PATH"

step "Formatting"
cargo fmt --all -- --check

step "UI: install, lint, type-check, unit tests, build"
bash scripts/test-ui.sh
(cd ui && npm run --silent build)
# The production bundle carries no test-support hook (the perf hook is only in the e2e's build).
bash ui/scripts/check-no-test-hooks.sh

step "Rust lints (clippy, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p madoguchi --all-targets --no-default-features -- -D warnings

step "Release dependency tree: no union server without 研修モード, no test hooks"
if cargo tree -p madoguchi -e normal --no-default-features | grep -q madoguchi-union-server; then
  echo "madoguchi-union-server is linked into the app without the training feature" >&2
  exit 1
fi
# Test hooks (fault injection, raw-path requests, the virtual printer's files) stay out of the app.
if cargo tree -p madoguchi -e normal,features | grep -q 'feature "test-support"'; then
  echo "a test-support feature is enabled in the app's dependency tree" >&2
  exit 1
fi

step "Printing: CUPS with the cups-pdf virtual printer"
bash scripts/setup-cups-pdf.sh
export MADOGUCHI_REQUIRE_CUPS=1
# Media scans run the real clamscan with the shipped EICAR-only signatures (assets/clamav/): fail, not skip.
export MADOGUCHI_REQUIRE_CLAMAV=1

step "PostgreSQL: a throwaway cluster for the union store's tests"
# The union server's store tests run against sled and PostgreSQL (tests/store_contract.rs, tests/store_postgres.rs); a missing
# server fails them instead of skipping the PostgreSQL half.
MADOGUCHI_TEST_PG_URL="$(bash scripts/pg-test-cluster.sh start)"
export MADOGUCHI_TEST_PG_URL
trap 'bash "$ROOT/scripts/pg-test-cluster.sh" stop' EXIT
export MADOGUCHI_REQUIRE_POSTGRES=1

step "Rust tests"
# The vault uses the kernel keyutils keyring, which needs a session keyring of our own (tech-notes §3.2).
keyctl session madoguchi-test cargo test --workspace --no-fail-fast

step "Union server system tests on PostgreSQL"
# The same system tests (tests/*.rs) with the union's store on PostgreSQL (tests/common: one schema per
# data directory); the build is the one above, so this costs the tests' run time only.
MADOGUCHI_TEST_STORE=postgres cargo test -p madoguchi-union-server --test '*' --no-fail-fast

step "Generated IPC types are current (ui/src/lib/generated)"
# Regenerated from the Rust types by the export test (src-tauri/src/bindings.rs); the build is the one the
# Rust tests above just made, so this costs seconds. A difference means a Rust type changed without
# `cargo test -p madoguchi export_bindings` and a commit of the result.
cargo test -p madoguchi --lib bindings
if ! git diff --exit-code --stat -- ui/src/lib/generated ||
  [ -n "$(git status --porcelain -- ui/src/lib/generated)" ]; then
  echo "ui/src/lib/generated is stale: run 'cargo test -p madoguchi export_bindings' and commit it" >&2
  exit 1
fi

step "End-to-end: the real window under Xvfb"
bash scripts/test-e2e.sh

step "Installer: the .deb built, installed with dpkg -i, started to a signed-in counter, removed"
# A debug-profile package: it reuses the build above (the release figures come from scripts/test-deb.sh
# without --debug, quoted in installer/README.md).
bash scripts/test-deb.sh --debug

step "All tests passed"
