#!/usr/bin/env bash
# The wasm helper's size, as shipped: wasm-release profile, wasm-bindgen --target web, wasm-opt
# -Oz (scripts/wasm-build.sh), then gzip -9. A benchmark that reports, not a test that fails:
# the goal is <= 35 KB gzip for the whole helper (issue 4).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
scripts/wasm-build.sh "$out" facegate >/dev/null 2>&1 || scripts/wasm-build.sh "$out" facegate

wasm="$out/facegate_bg.wasm"
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
js=$(gzip -9 -c "$out/facegate.js" | wc -c)
goal=$((35 * 1024))
kb() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1024 }'; }
verdict="met"
[ "$gz" -le "$goal" ] || verdict="over by $(kb $((gz - goal))) KB"
echo "facegate_bg.wasm  $raw bytes  $(kb "$raw") KB"
echo "gzip -9           $gz bytes  $(kb "$gz") KB  (goal <= 35 KB: $verdict)"
echo "facegate.js gzip  $js bytes  $(kb "$js") KB"
