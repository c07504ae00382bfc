#!/usr/bin/env bash
# Builds the browser SDK into pkg/, which is the npm package @passbind/sdk
# (`npm pack pkg` makes the tarball) and what the service serves at /sdk/:
#   passbind.js, passbind.d.ts    the entry (npm/: loads the wasm on import)
#   passbind_wasm.js, .d.ts       wasm-bindgen's glue and types
#   passbind_wasm_bg.wasm         the SDK
#   package.json, README.md       from npm/
# Prints the gzip size of each JS and wasm file and their sum.
#
# After wasm-bindgen, size steps with the npm dev dependencies (pinned in
# package.json; bench/RESULTS.md has what each one saves):
#   - wasm-opt -Oz from npm binaryen@132 (never Debian's binaryen: its
#     wasm-opt 108 breaks wasm-bindgen output, see TOOLCHAIN.md), also
#     dropping the producers and target-features sections, when it makes the
#     gzip smaller;
#   - scripts/shorten-wasm-names.mjs: short import/export names in the wasm,
#     the glue and its .d.ts;
#   - terser on the glue and the entry.
# Without node_modules (run `npm ci` or scripts/setup.sh node) they are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

# The package's version is the SDK crate's: one number to bump.
crate_version=$(awk -F'"' '/^\[package\]/ { p = 1 } p && /^version = / { print $2; exit }' Cargo.toml)
npm_version=$(node -p 'require("./npm/package.json").version')
if [ "$crate_version" != "$npm_version" ]; then
  echo "[sdk] npm/package.json has version $npm_version, Cargo.toml $crate_version: make them equal" >&2
  exit 1
fi

# std rebuilt for size, with a panic as a bare trap (panic=immediate-abort):
# std's precompiled panic and formatting paths are the largest part of the
# wasm that is not ours (bench/RESULTS.md: -13 KB gzip). Both are unstable
# cargo/rustc options; the toolchain here is the one stable rustc (no nightly
# can be fetched), so RUSTC_BOOTSTRAP enables them for this build alone. The
# code is the same; only std's build and the panic strategy differ. Without
# std's sources (rustup component rust-src) the stable build is used.
if rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort" \
    cargo build -p passbind --target wasm32-unknown-unknown --profile wasm-release \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
else
  echo "[sdk] no rust-src (rustup component add rust-src): std is not rebuilt for size" >&2
  cargo build -p passbind --target wasm32-unknown-unknown --profile wasm-release
fi
# From scratch, so that no file of an older layout (passbind_bg.wasm) stays
# behind in what the service serves and `npm pack` packs.
rm -rf pkg
# --out-name: wasm-bindgen's passbind_wasm.js is wrapped by npm/passbind.js.
wasm-bindgen --target web --remove-name-section --out-dir pkg --out-name passbind_wasm \
  target/wasm32-unknown-unknown/wasm-release/passbind.wasm
rm -f pkg/passbind_wasm_bg.wasm.d.ts # internal names only (and --target web does not use it)
cp npm/package.json npm/passbind.js npm/passbind.d.ts npm/README.md pkg/
if [ -x node_modules/.bin/wasm-opt ] && [ -x node_modules/.bin/terser ]; then
  # Exactly the features rustc's wasm32-unknown-unknown emits by default; not
  # --all-features (compact imports, for one, fail to compile in Chromium 156).
  node_modules/.bin/wasm-opt -Oz --converge --strip-producers --strip-target-features --enable-bulk-memory --enable-bulk-memory-opt --enable-multivalue \
    --enable-mutable-globals --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext \
    pkg/passbind_wasm_bg.wasm -o pkg/opt.wasm
  # -Oz shrinks the raw file but, on this code, can make the gzip larger:
  # the gzip size is the budget, so the smaller gzip wins.
  if [ "$(gzip -9c pkg/opt.wasm | wc -c)" -lt "$(gzip -9c pkg/passbind_wasm_bg.wasm | wc -c)" ]; then
    mv pkg/opt.wasm pkg/passbind_wasm_bg.wasm
  else
    echo "[sdk] wasm-opt -Oz made the gzip larger: kept rustc's output" >&2
    rm pkg/opt.wasm
  fi
  node scripts/shorten-wasm-names.mjs pkg/passbind_wasm_bg.wasm pkg/passbind_wasm.js pkg/passbind_wasm.d.ts
  for js in passbind_wasm passbind; do
    node_modules/.bin/terser "pkg/$js.js" --module --compress passes=2 --mangle --comments false -o "pkg/$js.min.js"
    mv "pkg/$js.min.js" "pkg/$js.js"
  done
else
  echo "[sdk] node_modules has no wasm-opt/terser (npm ci): pkg/ is not size-optimized" >&2
fi

# pkg/ must hold exactly the package's "files" (plus package.json and
# README.md, which npm always packs): a file wasm-bindgen starts to emit
# (snippets/, say) has to be listed, or the package would lack it.
node -e '
const { readdirSync } = require("fs");
const files = require("./pkg/package.json").files;
const want = [...files, "package.json", "README.md"].sort();
const have = readdirSync("pkg").sort();
if (want.join() !== have.join()) {
  console.error(`[sdk] pkg/ has ${have.join(", ")}; npm/package.json "files" lists ${files.join(", ")}`);
  process.exit(1);
}'

total_raw=0 total_gz=0
for f in pkg/*.js pkg/*.wasm; do
  raw=$(wc -c <"$f") gz=$(gzip -9c "$f" | wc -c)
  total_raw=$((total_raw + raw)) total_gz=$((total_gz + gz))
  printf '[sdk] %-26s %7d bytes, %6d gzip -9\n' "$f" "$raw" "$gz" >&2
done
printf '[sdk] %-26s %7d bytes, %6d gzip -9\n' "JS + wasm" "$total_raw" "$total_gz" >&2
