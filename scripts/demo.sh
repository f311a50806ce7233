#!/usr/bin/env bash
# The main job: build the demo app and run facegate with SQLite and the sandbox vendor.
# Installs what it needs (pinned), skips what is there. Ctrl-C stops the server.
# FACEGATE_ADDR (default 127.0.0.1:8080) and every other FACEGATE_* setting pass through.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup.sh --trunk
export PATH="$HOME/.cargo/bin:$root/.tools/node_modules/.bin:$PATH"

echo "[demo] building the server"
cargo build --locked -p facegate-server --bin facegate
echo "[demo] building the demo app (trunk)"
cargo fetch --locked >/dev/null
trunk build --config Trunk.toml

export FACEGATE_DEMO_DIR="$root/dist"
export FACEGATE_DATA_DIR="${FACEGATE_DATA_DIR:-$root/facegate-data}"
exec target/debug/facegate serve
