#!/usr/bin/env bash
# End to end: packs the npm package and typechecks it in a scratch project, builds the demo
# with Trunk and the server, starts the real server (sandbox vendor, temp data dir, free
# loopback port) serving the demo, and runs tests/e2e/*.test.mjs with node's test runner,
# driving /usr/bin/chromium (screenshots in tests/e2e/artifacts/). Installs nothing
# (scripts/setup.sh --browser --trunk did); exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

for tool in trunk wasm-bindgen wasm-opt node npm tsc curl /usr/bin/chromium; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool is missing: run scripts/setup.sh --browser --trunk" >&2; exit 1; }
done
for package in playwright-core openapi-typescript openapi-fetch; do
  [ -d ".tools/node_modules/$package" ] || { echo "e2e: $package is missing: run scripts/setup.sh --browser" >&2; exit 1; }
done

echo "== npm package: build, pack, scratch-project typecheck"
scripts/wasm-pack.sh

echo "== demo: trunk build"
trunk build --config Trunk.toml

echo "== server"
cargo build --locked -p facegate-server --bin facegate
export FACEGATE_DEMO_DIR="$root/dist"
# The admin page (tests/e2e/admin.test.mjs): a key for this run only.
FACEGATE_ADMIN_KEY="e2e-admin-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
export FACEGATE_ADMIN_KEY
source scripts/e2e-server.sh
start_server
export FACEGATE_SERVER_DATA

echo "== end-to-end tests (headless Chromium)"
rm -rf tests/e2e/artifacts
node --test --test-concurrency=1 tests/e2e/
echo "screenshots: $(ls tests/e2e/artifacts | tr '\n' ' ')"
