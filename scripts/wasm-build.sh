#!/usr/bin/env bash
# Builds the wasm helper for the web: `scripts/wasm-build.sh <out dir> <name>` writes
# <name>.js, <name>.d.ts and <name>_bg.wasm (wasm-release profile, wasm-bindgen --target web,
# then binaryen's wasm-opt -Oz --converge: version 132 from .tools, never Debian's 108), and makes the
# .d.ts compile in a strict project without lib "esnext.disposable" (see below).
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

# Without reference types and multi-value (on by default since Rust 1.82): 1.2 KB gzip smaller
# (no externref table shims: wasm-bindgen keeps JS objects in its JS-side heap). Only this
# build: the debug builds of the browser tests keep the defaults, which wasm-bindgen's test
# runner expects from the precompiled standard library's target_features (the package tests
# instantiate this build in Node and Chromium).
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=-reference-types,-multivalue"
cargo build --locked -p facegate-wasm --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$out"
wasm-bindgen --target web --out-dir "$out" --out-name "$name" \
  target/wasm32-unknown-unknown/wasm-release/facegate_wasm.wasm
# -Oz until it stops shrinking (--converge), without the producers and target_features
# sections (tool names and feature flags, which no browser reads): 300 bytes gzip between them.
# Neither reference types nor multi-value are enabled (.cargo/config.toml builds without them),
# so wasm-opt neither accepts nor introduces them.
wasm-opt -Oz --converge --strip-producers --strip-target-features \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals \
  "$out/${name}_bg.wasm" -o "$out/${name}_bg.wasm"

# wasm-bindgen types each class's `[Symbol.dispose](): void`, which needs lib
# "esnext.disposable": a strict es2020 + dom project with skipLibCheck off fails on the
# package. Declare it through the global `Disposable` instead: where the project has the lib,
# the empty augmentation merges with the lib's interface and each class keeps its
# `[Symbol.dispose]` (so `using` works); where it has not, `Disposable` is empty. The JS sets
# Symbol.dispose wherever the runtime has it, either way.
node - "$out/$name.d.ts" <<'JS'
const fs = require("node:fs");
const path = process.argv[2];
const lines = fs.readFileSync(path, "utf8").split("\n");
const disposable = [];
let current = null;
const kept = lines.filter((line) => {
  const opened = /^export class (\w+)/.exec(line);
  if (opened) current = opened[1];
  if (/^\s*\[Symbol\.dispose\]\(\): void;$/.test(line)) {
    disposable.push(current);
    return false;
  }
  return true;
});
if (disposable.length) {
  kept.push(
    "// The dispose member, typed through the global Disposable: present with lib esnext.disposable, empty without.",
    "declare global {",
    "    interface Disposable {}",
    "}",
    ...disposable.map((name) => `export interface ${name} extends Disposable {}`),
    "",
  );
}
fs.writeFileSync(path, kept.join("\n"));
JS
if grep -q 'Symbol\.dispose' "$out/$name.d.ts"; then
  echo "wasm-build: $name.d.ts still names Symbol.dispose" >&2
  exit 1
fi
