#!/usr/bin/env bash
# Benchmark 1: the shipped SDK's size — every JS and wasm file of the npm
# package @passbind/sdk (what `npm pack pkg` packs; the same files /sdk/
# serves), raw and gzip -9 each, and their sum against the budget (80 KB
# gzip) — and where the wasm's bytes go (twiggy over a build that keeps the
# wasm name section; it is the same code as the shipped file, before the name
# section is dropped and wasm-opt runs).
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

# The package's own list of what it ships (package.json "files" and what npm
# always adds), so a file added to the package is measured without an edit here.
files=$(npm pack --dry-run --json ./pkg 2>/dev/null | node -e '
  const [pack] = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(pack.files.map((f) => f.path).filter((p) => /\.(m?js|wasm)$/.test(p)).sort().join("\n"));')
[ -n "$files" ] || { echo "[bench] pkg/ has no JS or wasm files: build it first" >&2; exit 1; }
budget=81920 # 80 KB

size() { wc -c <"$1" | tr -d ' '; }
gz() { gzip -9c "$1" | wc -c | tr -d ' '; }
wr=0 wg=0 jr=0 jg=0 rows=""
echo "== SDK size (the npm package's JS and wasm files, also served at /sdk/)"
printf '  %-26s %8s %10s\n' file raw "gzip -9"
for f in $files; do
  r=$(size "pkg/$f") g=$(gz "pkg/$f")
  printf '  %-26s %8d %10d\n' "$f" "$r" "$g"
  rows="$rows$f $r $g;"
  case "$f" in
    *.wasm) wr=$((wr + r)) wg=$((wg + g)) ;;
    *) jr=$((jr + r)) jg=$((jg + g)) ;;
  esac
done
tr=$((wr + jr)) tg=$((wg + jg))
printf '  %-26s %8d %10d\n' "wasm + JS" "$tr" "$tg"
printf '  target: wasm + JS <= %d bytes gzip (80 KB): %s\n' "$budget" "$([ "$tg" -le "$budget" ] && echo met || echo "not met")"

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
const [wr, wg, jr, jg, budget, rows, summary] = process.argv.slice(1);
const { top, crates } = JSON.parse(require("fs").readFileSync(summary, "utf8"));
const files = rows.split(";").filter(Boolean).map((row) => {
  const [name, raw, gzip] = row.split(" ");
  return { name, raw: +raw, gzip: +gzip };
});
const out = { date: new Date().toISOString(), files, wasm: { raw: +wr, gzip: +wg }, js: { raw: +jr, gzip: +jg },
  total: { raw: +wr + +jr, gzip: +wg + +jg }, target_gzip: +budget, top, crates };
require("fs").writeFileSync("bench/out/sdk-size.json", JSON.stringify(out, null, 2));
' "$wr" "$wg" "$jr" "$jg" "$budget" "$rows" "$summary"
