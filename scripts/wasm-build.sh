#!/usr/bin/env bash
# Builds the wasm helper for the web: `scripts/wasm-build.sh <out dir> <name>` writes
# <name>.js, <name>.d.ts and <name>_bg.wasm (wasm-release profile, wasm-bindgen --target web,
# then binaryen's wasm-opt -Oz: version 132 from .tools, never Debian's 108).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
out=${1:?usage: wasm-build.sh <out dir> <name>}
name=${2:?usage: wasm-build.sh <out dir> <name>}

case "$(wasm-opt --version)" in
  *"version 132"*) ;;
  *) echo "wasm-build: wasm-opt 132 is needed (run scripts/setup.sh); found: $(wasm-opt --version)" >&2; exit 1 ;;
esac

cargo build --locked -p facegate-wasm --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" --out-name "$name" \
  target/wasm32-unknown-unknown/wasm-release/facegate_wasm.wasm
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"
