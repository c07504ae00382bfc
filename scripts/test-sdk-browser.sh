#!/usr/bin/env bash
# Runs the SDK's tests: natively (pure logic), then in headless Chromium with
# a virtual authenticator (tests/browser/ through wasm-bindgen-test-runner,
# behind tests/support/webdriver-proxy.mjs).
# Needs: the wasm32-unknown-unknown target, wasm-bindgen-cli of the locked
# wasm-bindgen version, node, chromium and chromedriver.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

cargo test -p passbind --lib

proxy_log=$(mktemp)
node tests/support/webdriver-proxy.mjs >"$proxy_log" 2>&1 &
proxy_pid=$!
trap 'kill "$proxy_pid" 2>/dev/null || true; rm -f "$proxy_log"' EXIT
for _ in $(seq 100); do
  grep -q '^listening ' "$proxy_log" && break
  kill -0 "$proxy_pid" 2>/dev/null || { cat "$proxy_log"; echo "webdriver proxy failed" >&2; exit 1; }
  sleep 0.1
done
port=$(sed -n 's/^listening //p' "$proxy_log")
[ -n "$port" ] || { cat "$proxy_log"; echo "webdriver proxy did not start" >&2; exit 1; }

export CHROMEDRIVER_REMOTE="http://127.0.0.1:$port"
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-90}"
status=0
cargo test -p passbind --target wasm32-unknown-unknown --test browser || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- webdriver proxy log" >&2
  cat "$proxy_log" >&2
fi
exit "$status"
