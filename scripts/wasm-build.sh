#!/usr/bin/env bash
# Builds the wasm helper for the web: `scripts/wasm-build.sh <out dir>` writes two modules
# (wasm-release profile, wasm-bindgen --target web, then binaryen's wasm-opt -Oz --converge:
# version 132 from .tools, never Debian's 108; then the imports' and exports' names minified,
# the JS glue and typings following, scripts/wasm-names.mjs):
#   facegate.js, facegate.d.ts, facegate_bg.wasm and snippets/   the helper (crates/facegate-wasm)
#   facegate_qr.js, facegate_qr.d.ts, facegate_qr_bg.wasm        the QR encoder (crates/facegate-qr),
#     which the helper's qrCodeSvg loads from beside facegate.js the first time a page draws one
# and makes the .d.ts compile in a strict project without lib "esnext.disposable" (see below).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
# `scripts/wasm-build.sh --qr-only` (Trunk.toml's post-build hook) writes only the QR module,
# into $TRUNK_STAGING_DIR: Trunk builds the helper itself.
qr_only=0
if [ "${1:-}" = --qr-only ]; then
  qr_only=1
  out=${TRUNK_STAGING_DIR:?wasm-build.sh --qr-only runs as a Trunk hook}
else
  out=${1:?usage: wasm-build.sh <out dir>}
fi
# The names the helper's loader (crates/facegate-wasm/js/qr.js) imports: fixed.
name=facegate

case "$(wasm-opt --version)" in
  *"version 132"*) ;;
  *) echo "wasm-build: wasm-opt 132 is needed (run scripts/setup.sh); found: $(wasm-opt --version)" >&2; exit 1 ;;
esac

# Without reference types and multi-value (on by default since Rust 1.82): 1.2 KB gzip smaller
# (no externref table shims: wasm-bindgen keeps JS objects in its JS-side heap). Only this
# build: the debug builds of the browser tests keep the defaults, which wasm-bindgen's test
# runner expects from the precompiled standard library's target_features (the package tests
# instantiate this build in Node and Chromium).
#
# Panic locations name source files: without this machine's registry path in front of them
# ("gloo-net-0.6.0/src/error.rs", not "/root/.cargo/registry/src/index.crates.io-.../..."), the
# module is smaller and does not depend on where it was built.
remap=""
for index in "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/; do
  remap="$remap --remap-path-prefix=$index="
done
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="-C target-feature=-reference-types,-multivalue$remap"
[ "$qr_only" = 1 ] || cargo build --locked -p facegate-wasm --target wasm32-unknown-unknown --profile wasm-release
# Apart: the QR module is no_std, and built with the helper its wasm-bindgen would get "std".
cargo build --locked -p facegate-qr --features module --target wasm32-unknown-unknown --profile wasm-release
mkdir -p "$out"
modules="facegate_wasm:$name facegate_qr:${name}_qr"
if [ "$qr_only" = 1 ]; then
  modules="facegate_qr:${name}_qr"
else
  rm -rf "$out/snippets"
fi
for module in $modules; do
  wasm-bindgen --target web --out-dir "$out" --out-name "${module#*:}" \
    "target/wasm32-unknown-unknown/wasm-release/${module%%:*}.wasm"
  # -Oz until it stops shrinking (--converge), without the producers and target_features
  # sections (tool names and feature flags, which no browser reads): 300 bytes gzip between them.
  # Neither reference types nor multi-value are enabled (see above), so wasm-opt neither accepts
  # nor introduces them.
  features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals"
  wasm-opt -Oz --converge --strip-producers --strip-target-features $features \
    "$out/${module#*:}_bg.wasm" -o "$out/${module#*:}_bg.wasm"
  # Then one- and two-letter names for the imports, their module and the exports, carried into
  # the JS glue and the typings (scripts/wasm-names.mjs says why and checks the result): 1.6 KB
  # of the helper's gzip. Apart from -Oz --converge, which would rename the renamed names again;
  # the -Oz after it gives back what re-encoding the module costs.
  wasm-opt --minify-imports-and-exports-and-modules -Oz $features \
    "$out/${module#*:}_bg.wasm" -o "$out/${module#*:}_bg.wasm" |
    node scripts/wasm-names.mjs "$out" "${module#*:}"
done
# The loader's relative import must reach the QR module from the snippet wasm-bindgen wrote.
loader=$(ls "$out"/snippets/facegate-wasm-*/js/qr.js)
[ "$(cd "$(dirname "$loader")/../../.." && pwd)" = "$(cd "$out" && pwd)" ] && [ -f "$out/${name}_qr.js" ] || {
  echo "wasm-build: the QR loader ($loader) does not sit three levels below $out" >&2
  exit 1
}
if [ "$qr_only" = 1 ]; then exit 0; fi

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
