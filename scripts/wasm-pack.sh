#!/usr/bin/env bash
# Builds the npm package `facegate` from crates/facegate-wasm into web/pkg (wasm-release
# profile, wasm-bindgen --target web, wasm-opt -Oz), packs it with `npm pack`, then installs
# the tarball into a scratch TypeScript project and typechecks an import of every entry point
# (strict, lib es2020 + dom, skipLibCheck off; then again with lib esnext.disposable).
# Fails when the .wasm passes its size budget (below). Installs nothing from a registry (the
# tarball has no dependencies); exits non-zero on failure.
# Prints the path of the tarball last.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

scripts/wasm-build.sh web/pkg

# The size budgets (issue 16): the helper's .wasm, gzip -9, may not grow past 50 KB (51,200
# bytes, the issue's target; the levers in README "Size" reached 50,863); the QR module, fetched
# only by the first qrCodeSvg, past 10 KB (9,242). Lower them as the modules shrink, on the way
# to the helper's 35 KB goal (scripts/bench-wasm-size.sh reports both).
budget=51200
qr_budget=10240
gz=$(gzip -9 -c web/pkg/facegate_bg.wasm | wc -c)
echo "== size: facegate_bg.wasm $gz bytes gzip -9 (budget $budget)"
if [ "$gz" -gt "$budget" ]; then
  echo "wasm-pack: facegate_bg.wasm is $gz bytes gzip, over the budget of $budget (README, Size)" >&2
  exit 1
fi
qr_gz=$(gzip -9 -c web/pkg/facegate_qr_bg.wasm | wc -c)
echo "== size: facegate_qr_bg.wasm $qr_gz bytes gzip -9 (budget $qr_budget)"
if [ "$qr_gz" -gt "$qr_budget" ]; then
  echo "wasm-pack: facegate_qr_bg.wasm is $qr_gz bytes gzip, over the budget of $qr_budget (README, Size)" >&2
  exit 1
fi

echo "== npm pack"
out=$(mktemp -d)
(cd web && npm pack --silent --pack-destination "$out" >/dev/null)
tarball=$(ls "$out"/facegate-*.tgz)
tar -tzf "$tarball" | sort

echo "== install the tarball into a scratch project and typecheck"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp tests/e2e/typecheck/consumer.ts tests/e2e/typecheck/disposable.ts "$scratch/"
cat >"$scratch/package.json" <<'JSON'
{ "name": "facegate-consumer", "private": true, "type": "module" }
JSON
# An ordinary strict project: es2020 + dom only, the package's own .d.ts checked too.
cat >"$scratch/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "strict": true, "lib": ["es2020", "dom"], "skipLibCheck": false, "target": "es2020",
    "module": "nodenext", "moduleResolution": "nodenext", "noEmit": true, "types": []
  },
  "files": ["consumer.ts"]
}
JSON
# A project with lib esnext.disposable, where `using` a FacegateClient must type-check.
cat >"$scratch/tsconfig.disposable.json" <<'JSON'
{
  "extends": "./tsconfig.json",
  "compilerOptions": { "lib": ["es2020", "dom", "esnext.disposable"] },
  "files": ["consumer.ts", "disposable.ts"]
}
JSON
(cd "$scratch" && npm install --offline --no-audit --no-fund --silent "$tarball")
echo "-- lib es2020, dom"
tsc -p "$scratch/tsconfig.json"
echo "-- lib es2020, dom, esnext.disposable"
tsc -p "$scratch/tsconfig.disposable.json"
echo "typecheck passed"
echo "$tarball"
