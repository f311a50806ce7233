#!/usr/bin/env bash
# Installs what facegate's build, demo and tests need, skipping what is already there.
# Usage: scripts/setup.sh [--browser] [--trunk]
# Idempotent: every step checks before it installs. Versions are pinned.
set -euo pipefail

WASM_BINDGEN_VERSION=0.2.130
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
# The TypeScript client check (tests/e2e/openapi-client.test.mjs): types from /openapi.json
# named by operationId (a repeated operationId does not compile) and the fetch client for them.
OPENAPI_TYPESCRIPT_VERSION=7.13.0
OPENAPI_FETCH_VERSION=0.17.0
root=$(cd "$(dirname "$0")/.." && pwd)
tools="$root/.tools"

want_browser=0 want_trunk=0
for arg in "$@"; do
  case "$arg" in
    --browser) want_browser=1 ;;
    --trunk) want_trunk=1 ;;
    *) echo "setup.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

say() { printf '[setup] %s\n' "$*"; }
export PATH="$HOME/.cargo/bin:$tools/node_modules/.bin:$PATH"

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (2-4 min)"
  # Without --locked: its lock file pins a webpki-roots the registry mirror lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "$BINARYEN_VERSION" ]; then
  # Debian's binaryen 108 emits modules Chromium cannot instantiate: use npm's build.
  say "installing binaryen $BINARYEN_VERSION (wasm-opt) into .tools"
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"name":"facegate-tools","private":true}' > "$tools/package.json"
  npm install --prefix "$tools" --no-audit --no-fund --silent "binaryen@$BINARYEN_VERSION"
fi

if [ "$want_trunk" = 1 ] && [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (7-14 min, once)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --force
fi

# The version of an npm package installed in .tools, or nothing.
tools_version() {
  node -p "require('$tools/node_modules/$1/package.json').version" 2>/dev/null || true
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if [ "$want_browser" = 1 ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver
  fi
  # The zh-CN pages' screenshots (tests/e2e/artifacts/) need a CJK font, or Chinese renders as
  # boxes: Debian's Noto Sans CJK, the font the pages' font stacks name for Linux.
  if ! dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "install ok installed"; then
    apt_install fonts-noto-cjk
  fi
  if [ ! -d "$tools/node_modules/playwright-core" ]; then
    say "installing playwright-core and typescript into .tools (no browser download)"
    npm install --prefix "$tools" --no-audit --no-fund --silent playwright-core@1.56.1 typescript@5.9.3
  fi
  if [ "$(tools_version openapi-typescript)" != "$OPENAPI_TYPESCRIPT_VERSION" ] \
    || [ "$(tools_version openapi-fetch)" != "$OPENAPI_FETCH_VERSION" ]; then
    say "installing openapi-typescript $OPENAPI_TYPESCRIPT_VERSION and openapi-fetch $OPENAPI_FETCH_VERSION into .tools"
    npm install --prefix "$tools" --no-audit --no-fund --silent --save-exact \
      "openapi-typescript@$OPENAPI_TYPESCRIPT_VERSION" "openapi-fetch@$OPENAPI_FETCH_VERSION"
  fi
fi

say "ready"
