// Reads `twiggy top --format csv` and prints (one line, two JSON arrays) the
// 15 largest items and the bytes per crate as text, and writes them as JSON
// to the file named by the second argument.
import { readFileSync, writeFileSync } from "node:fs";

const rows = readFileSync(process.argv[2], "utf8").trim().split("\n").slice(1).map((line) => {
  // Name,ShallowSize,ShallowSizePercent — names may contain commas and quotes.
  const m = line.match(/^(.*),(\d+),([\d.]+),[^,]*,[^,]*$/);
  return m ? { name: m[1].replace(/^"|"$/g, "").replace(/""/g, '"'), bytes: +m[2] } : null;
}).filter(Boolean).filter((r) => !/names" subsection|^"?custom section|producers/.test(r.name) && !/^Σ|more\.$/.test(r.name));

function crateOf(name) {
  if (name.startsWith("data segment")) return "(data: " + name.replace(/^data segment /, "") + ")";
  if (/^(code|type|import|export|elem|table|memory|global|wasm-bindgen)/.test(name) && !name.includes("::")) return "(wasm sections, glue stubs)";
  let n = name.replace(/^<+/, "").replace(/^&(mut )?/, "");
  const m = n.match(/^([A-Za-z_][A-Za-z0-9_]*)(\[[0-9a-f]+\])?::/);
  if (!m) return /^(__|_ZN|memcpy|memset|memmove|memcmp)/.test(n) ? "(compiler builtins)" : "(other)";
  return m[1] === "__rustc" ? "(std: alloc/panic)" : m[1];
}

const top = rows.slice().sort((a, b) => b.bytes - a.bytes).slice(0, 15);
const byCrate = new Map();
for (const r of rows) byCrate.set(crateOf(r.name), (byCrate.get(crateOf(r.name)) ?? 0) + r.bytes);
const crates = [...byCrate].map(([crate, bytes]) => ({ crate, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, 15);

const short = (s) => (s.length > 90 ? s.slice(0, 87) + "..." : s);
console.error("  largest items (uncompressed, before wasm-opt):");
for (const r of top) console.error(`    ${String(r.bytes).padStart(7)}  ${short(r.name)}`);
console.error("  by crate (uncompressed, before wasm-opt):");
for (const c of crates) console.error(`    ${String(c.bytes).padStart(7)}  ${c.crate}`);
writeFileSync(process.argv[3], JSON.stringify({ top, crates }));
