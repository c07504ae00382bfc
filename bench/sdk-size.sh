#!/usr/bin/env bash
# Benchmark 1: the shipped SDK's size — exactly the files served from pkg/
# (passbind_bg.wasm + passbind.js), raw and gzip -9 — and where the bytes go
# (twiggy over a build that keeps the wasm name section; it is the same code
# as the shipped file, before the name section is dropped and wasm-opt runs).
# Writes bench/out/sdk-size.json. Not a test: it never fails on a number.
# BENCH_SKIP_BUILD=1 measures pkg/ as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p bench/out

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  bash scripts/setup.sh sdk node
  bash scripts/build-sdk.sh 2>/dev/null
fi
if ! command -v twiggy >/dev/null; then
  echo "[bench] cargo install twiggy (once, about 2 minutes)" >&2
  cargo install twiggy --version 0.8.0 >&2 || true
fi

size() { wc -c <"$1" | tr -d ' '; }
gz() { gzip -9c "$1" | wc -c | tr -d ' '; }
wasm=pkg/passbind_bg.wasm js=pkg/passbind.js
wr=$(size $wasm) wg=$(gz $wasm) jr=$(size $js) jg=$(gz $js)
tr=$((wr + jr)) tg=$((wg + jg))

echo "== SDK size (served from pkg/)"
printf '  %-22s %8s %10s\n' file raw "gzip -9"
printf '  %-22s %8d %10d\n' passbind_bg.wasm "$wr" "$wg" passbind.js "$jr" "$jg" "wasm + glue" "$tr" "$tg"
printf '  target: wasm + glue <= 30720 bytes gzip (30 KB): %s\n' "$([ "$tg" -le 30720 ] && echo met || echo "not met")"

summary=$(mktemp); echo '{"top": [], "crates": []}' >"$summary"
named=target/wasm32-unknown-unknown/wasm-release/passbind.wasm
if command -v twiggy >/dev/null && [ -f "$named" ]; then
  tmp=$(mktemp -d); trap 'rm -rf "$tmp" "$summary"' EXIT
  wasm-bindgen --target web --out-dir "$tmp" "$named"
  twiggy top -n 100000 --format csv "$tmp/passbind_bg.wasm" >"$tmp/top.csv"
  # Top items and bytes per crate (code and data; the name section itself excluded).
  node bench/lib/twiggy-summary.mjs "$tmp/top.csv" "$summary"
fi
node -e '
const [wr, wg, jr, jg, summary] = process.argv.slice(1);
const { top, crates } = JSON.parse(require("fs").readFileSync(summary, "utf8"));
const out = { date: new Date().toISOString(), wasm: { raw: +wr, gzip: +wg }, js: { raw: +jr, gzip: +jg },
  total: { raw: +wr + +jr, gzip: +wg + +jg }, target_gzip: 30720, top, crates };
require("fs").writeFileSync("bench/out/sdk-size.json", JSON.stringify(out, null, 2));
' "$wr" "$wg" "$jr" "$jg" "$summary"
