#!/usr/bin/env bash
# facegate against the physical limit (issue 6): builds the release binaries and runs
# facegate-bench, which writes BENCHMARKS.md at the repository root. Not part of the test suite.
#
#   scripts/bench.sh                 the full run (a few minutes)
#   scripts/bench.sh --smoke         a second or two of everything, SQLite only, report in /tmp
#   scripts/bench.sh --seconds 10    any facegate-bench option passes through (--help lists them)
#   scripts/bench.sh --pin           PostgreSQL replicas pinned to cores with taskset
#   scripts/bench.sh --creation-only --facegate-binary path/to/other/facegate
#                                    creation only, against another facegate build (A/B runs)
#
# PostgreSQL: --postgres URL, else FACEGATE_TEST_DATABASE_URL, else trust auth on
# 127.0.0.1:5432 (scripts/postgres.sh provides one); without a server the PostgreSQL rows are
# skipped and the report says so. The wasm helper's size comes from scripts/bench-wasm-size.sh
# when the wasm toolchain is installed (scripts/setup.sh) and FACEGATE_BENCH_WASM is not "skip",
# else the report says it was not built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

cargo build --release --locked -p facegate-server -p facegate-sandbox -p facegate-bench

wasm_args=()
smoke=false
for arg in "$@"; do [ "$arg" = "--smoke" ] && smoke=true; done
if ! $smoke && [ "${FACEGATE_BENCH_WASM:-}" != skip ] && command -v wasm-bindgen >/dev/null 2>&1 \
   && rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
  wasm_out="$root/target/bench-wasm-size.txt"
  if scripts/bench-wasm-size.sh > "$wasm_out" 2>/dev/null; then
    wasm_args=(--wasm-size-file "$wasm_out")
  else
    echo "[bench] scripts/bench-wasm-size.sh failed; the report says the wasm was not built" >&2
  fi
fi

exec target/release/facegate-bench --command-line "scripts/bench.sh $*" "${wasm_args[@]}" "$@"
