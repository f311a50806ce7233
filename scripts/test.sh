#!/usr/bin/env bash
# Every test: formatting, lints, the native suite (unit tests and the journeys over real HTTP,
# SQLite), and the browser suites where they exist. Installs what it needs, skips what is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh --trunk --browser
export PATH="$HOME/.cargo/bin:$root/.tools/node_modules/.bin:$PATH"
export CARGO_TERM_COLOR=never
# A clean clone gains nothing from incremental state, and it is the biggest part of target/ after
# the test binaries (a CI disk once filled up mid-build). Locally it stays on unless set.
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"; fi

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (native, all targets)"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "cargo test (native workspace, SQLite)"
env -u FACEGATE_TEST_DATABASE_URL cargo test --locked --workspace

step "cargo test on PostgreSQL (the journeys and the store again; scripts/postgres.sh)"
pg_url=$(scripts/postgres.sh)
FACEGATE_TEST_DATABASE_URL="$pg_url" cargo test --locked -p facegate-tests
FACEGATE_TEST_DATABASE_URL="$pg_url" cargo test --locked -p facegate-server --test postgres_store

for suite in scripts/wasm-test.sh scripts/e2e.sh; do
  if [ -x "$suite" ]; then
    step "$suite"
    "$suite"
  fi
done
step "all test suites passed (target/ holds $(du -sh target 2>/dev/null | cut -f1))"
