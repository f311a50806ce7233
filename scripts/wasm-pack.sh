#!/usr/bin/env bash
# Builds the npm package `facegate` from crates/facegate-wasm into web/pkg (wasm-release
# profile, wasm-bindgen --target web, wasm-opt -Oz), packs it with `npm pack`, then installs
# the tarball into a scratch TypeScript project and typechecks an import of every entry point.
# Installs nothing from a registry (the tarball has no dependencies); exits non-zero on failure.
# Prints the path of the tarball last.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PATH="$root/.tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"

scripts/wasm-build.sh web/pkg facegate

echo "== npm pack"
out=$(mktemp -d)
(cd web && npm pack --silent --pack-destination "$out" >/dev/null)
tarball=$(ls "$out"/facegate-*.tgz)
tar -tzf "$tarball" | sort

echo "== install the tarball into a scratch project and typecheck"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp tests/e2e/typecheck/consumer.ts "$scratch/"
cat >"$scratch/package.json" <<'JSON'
{ "name": "facegate-consumer", "private": true, "type": "module" }
JSON
cat >"$scratch/tsconfig.json" <<'JSON'
{
  "compilerOptions": {
    "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext",
    "lib": ["es2022", "dom", "esnext.disposable"], "strict": true, "noEmit": true, "skipLibCheck": false,
    "noImplicitAny": true, "types": []
  },
  "files": ["consumer.ts"]
}
JSON
(cd "$scratch" && npm install --offline --no-audit --no-fund --silent "$tarball")
tsc -p "$scratch/tsconfig.json"
echo "typecheck passed"
echo "$tarball"
