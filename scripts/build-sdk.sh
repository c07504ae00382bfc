#!/usr/bin/env bash
# Builds the browser SDK into pkg/ (passbind.js + passbind_bg.wasm), which the
# service serves at /sdk/. Prints the gzip sizes.
#
# After wasm-bindgen, size steps with the npm dev dependencies (pinned in
# package.json; bench/RESULTS.md has what each one saves):
#   - wasm-opt -Oz from npm binaryen@132 (never Debian's binaryen: its
#     wasm-opt 108 breaks wasm-bindgen output, see TOOLCHAIN.md), also
#     dropping the producers and target-features sections;
#   - scripts/shorten-wasm-names.mjs: short import/export names in both files;
#   - terser on the JS glue.
# Without node_modules (run `npm ci` or scripts/setup.sh node) they are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -p passbind --target wasm32-unknown-unknown --profile wasm-release
wasm-bindgen --target web --remove-name-section --out-dir pkg \
  target/wasm32-unknown-unknown/wasm-release/passbind.wasm
if [ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/terser ]; then
  # Exactly the features rustc's wasm32-unknown-unknown emits by default; not
  # --all-features (compact imports, for one, fail to compile in Chromium 156).
  node_modules/.bin/wasm-opt -Oz --converge --strip-producers --strip-target-features --enable-bulk-memory --enable-bulk-memory-opt --enable-multivalue \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
    pkg/passbind_bg.wasm -o pkg/passbind_bg.wasm
  node scripts/shorten-wasm-names.mjs pkg/passbind_bg.wasm pkg/passbind.js
  rm -f pkg/passbind_bg.wasm.d.ts # its export names no longer apply (and --target web does not use it)
  node_modules/.bin/terser pkg/passbind.js --module --compress passes=2 --mangle --comments false -o pkg/passbind.min.js
  mv pkg/passbind.min.js pkg/passbind.js
else
  echo "[sdk] node_modules has no wasm-opt/terser (npm ci): pkg/ is not size-optimized" >&2
fi
for f in pkg/passbind_bg.wasm pkg/passbind.js; do
  printf '[sdk] %-22s %7d bytes, %6d gzip -9\n' "$f" "$(wc -c <"$f")" "$(gzip -9c "$f" | wc -c)" >&2
done
