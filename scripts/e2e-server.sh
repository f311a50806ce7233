# Sourced by scripts/wasm-test.sh and scripts/e2e.sh: starts target/debug/facegate on a free
# loopback port with a temporary data dir, exports FACEGATE_TEST_URL, and stops it on exit.
# FACEGATE_DEMO_DIR passes through (the Trunk-built demo, for the end-to-end tests).

start_server() {
  local port
  port=$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  FACEGATE_SERVER_DATA=$(mktemp -d)
  FACEGATE_TEST_URL="http://127.0.0.1:$port"
  export FACEGATE_TEST_URL
  FACEGATE_ADDR="127.0.0.1:$port" FACEGATE_PUBLIC_URL="$FACEGATE_TEST_URL" \
    FACEGATE_DATA_DIR="$FACEGATE_SERVER_DATA" \
    target/debug/facegate serve >"$FACEGATE_SERVER_DATA/server.log" 2>&1 &
  FACEGATE_SERVER_PID=$!
  trap stop_server EXIT
  for _ in $(seq 1 100); do
    if curl -sf "$FACEGATE_TEST_URL/healthz" >/dev/null; then
      echo "facegate is up at $FACEGATE_TEST_URL"
      return 0
    fi
    if ! kill -0 "$FACEGATE_SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.2
  done
  echo "facegate did not start; its log:" >&2
  cat "$FACEGATE_SERVER_DATA/server.log" >&2
  return 1
}

stop_server() {
  if [ -n "${FACEGATE_SERVER_PID:-}" ]; then
    kill "$FACEGATE_SERVER_PID" 2>/dev/null || true
    wait "$FACEGATE_SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "${FACEGATE_SERVER_DATA:-}" ]; then rm -rf "$FACEGATE_SERVER_DATA"; fi
}
