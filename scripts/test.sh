#!/usr/bin/env bash
# npm test: install what is missing, then every test — Rust (protocol, SDK
# logic, service with a software authenticator), the SDK in headless Chromium,
# and the end-to-end flows (and the npm package in a Vite app) in Chromium and
# Firefox ESR with virtual authenticators.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
bash scripts/setup.sh sdk browser firefox node postgres fuzz schemathesis

step() { printf '\n== %s\n' "$*"; }

step "Rust tests (protocol, SDK logic, service)"
cargo test --workspace

step "Fuzzing: a short run of every parser's target (fuzz/; the long run is npm run fuzz)"
bash scripts/fuzz.sh short 5

step "API fuzzing from /openapi.json (schemathesis, bounded; the long run is npm run schemathesis:long)"
bash scripts/schemathesis.sh

step "SDK build"
bash scripts/build-sdk.sh

step "SDK in headless Chromium (wasm-bindgen-test)"
bash scripts/test-sdk-browser.sh

step "End to end (Chromium via Playwright, Firefox via geckodriver; virtual authenticators)"
node --test --test-concurrency=1 tests/e2e/*.test.mjs
