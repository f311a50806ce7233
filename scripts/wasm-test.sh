#!/usr/bin/env bash
# The wasm helper's tests: native unit tests, then the browser suite in headless Chromium
# (wasm-bindgen-test-runner + chromedriver), then the round trip against a real facegate server
# with the sandbox vendor. Installs nothing (scripts/setup.sh --browser did); exits non-zero on
# any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never
export CHROMEDRIVER=/usr/bin/chromedriver

for tool in wasm-bindgen-test-runner "$CHROMEDRIVER" /usr/bin/chromium curl node; do
  command -v "$tool" >/dev/null || { echo "wasm-test: $tool is missing: run scripts/setup.sh --browser" >&2; exit 1; }
done

echo "== facegate-wasm: native unit tests"
cargo test --locked -p facegate-wasm

echo "== facegate-wasm: browser tests (headless Chromium)"
cargo test --locked -p facegate-wasm --target wasm32-unknown-unknown

echo "== facegate-qr: native tests (its drawing runs in Chromium in the suite above)"
cargo test --locked -p facegate-qr

echo "== facegate-wasm: round trip against a real server"
cargo build --locked -p facegate-server --bin facegate
source scripts/e2e-server.sh
start_server

# Three sandbox sessions through the demo's merchant endpoint: "<id> <client_secret>" each.
create_session() {
  curl -sf -H 'content-type: application/json' -d '{"provider": "sandbox"}' \
    "$FACEGATE_TEST_URL/demo/api/start" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s);console.log(v.id+" "+v.client_secret)})'
}
FACEGATE_TEST_PASS=$(create_session)
FACEGATE_TEST_FAIL=$(create_session)
FACEGATE_TEST_PENDING=$(create_session)
export FACEGATE_TEST_PASS FACEGATE_TEST_FAIL FACEGATE_TEST_PENDING
cargo test --locked -p facegate-wasm --target wasm32-unknown-unknown --features round-trip --test round_trip
echo "== facegate-wasm: all passed"
