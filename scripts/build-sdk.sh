#!/usr/bin/env bash
# Builds the browser SDK into pkg/ (passbind.js + passbind_bg.wasm), which the
# service serves at /sdk/. Prints the gzip sizes.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -p passbind --target wasm32-unknown-unknown --profile wasm-release
wasm-bindgen --target web --remove-name-section --out-dir pkg \
  target/wasm32-unknown-unknown/wasm-release/passbind.wasm
for f in pkg/passbind_bg.wasm pkg/passbind.js; do
  printf '[sdk] %-22s %7d bytes, %6d gzip -9\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)" >&2
done
