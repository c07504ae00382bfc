// Gives the wasm module's imports and internal exports short names, in the
// .wasm, in the wasm-bindgen JS glue and (optionally) in its .d.ts alike
// (usage: node shorten-wasm-names.mjs pkg/passbind_wasm_bg.wasm
// pkg/passbind_wasm.js [pkg/passbind_wasm.d.ts]). wasm-bindgen names every
// import `__wbg_<name>_<16 hex digits>` and each name is written twice, once
// in each file: about 1.8 KB of hashes that gzip cannot shrink
// (bench/RESULTS.md). The public exports (every `export function` of the
// glue: bindPasskey, isBindPasskeyUrl, …) and `memory` keep their names. Run
// it before terser, on wasm-bindgen's own glue, where every such name is a
// whole word that means only that import/export.
import { readFileSync, writeFileSync } from "node:fs";

const [wasmPath, jsPath, dtsPath] = process.argv.slice(2);
const bytes = readFileSync(wasmPath);
let js = readFileSync(jsPath, "utf8");
// Read from the glue, so that a new #[wasm_bindgen] export needs no edit here.
const KEEP = new Set(["memory", ...[...js.matchAll(/^export (?:async )?function (\w+)/gm)].map((m) => m[1])]);

function readU32(buf, pos) {
  let result = 0, shift = 0, b;
  do {
    b = buf[pos++];
    result |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return [result >>> 0, pos];
}
function u32(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}
const name = (s) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);

let counter = 0;
const ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
function shortName() {
  let n = counter++, s = "";
  do {
    s = ALPHA[n % ALPHA.length] + s;
    n = Math.floor(n / ALPHA.length) - 1;
  } while (n >= 0);
  return "$" + s; // `$` keeps them apart from anything the glue calls itself
}
const renames = new Map();
const word = (w) => new RegExp(`(?<![\\w$])${w.replace(/\$/g, "\\$")}(?![\\w$])`, "g");
function rename(old, isExport) {
  // An export the glue never names (e.g. __abort_handler) keeps its name.
  if (KEEP.has(old) || (isExport && !word(old).test(js))) return old;
  if (!renames.has(old)) renames.set(old, shortName());
  return renames.get(old);
}

// Walk the sections; rewrite the import (2) and export (7) sections.
if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${wasmPath} is not a wasm module`);
const parts = [bytes.subarray(0, 8)];
let pos = 8;
while (pos < bytes.length) {
  const id = bytes[pos];
  const [size, start] = readU32(bytes, pos + 1);
  const end = start + size;
  const body = bytes.subarray(start, end);
  if (id === 2 || id === 7) {
    let p = 0, count;
    [count, p] = readU32(body, p);
    const out = [u32(count)];
    for (let i = 0; i < count; i++) {
      if (id === 2) {
        let len;
        [len, p] = readU32(body, p);
        const module = body.subarray(p, p + len).toString();
        p += len;
        out.push(name(module));
      }
      let len;
      [len, p] = readU32(body, p);
      const field = body.subarray(p, p + len).toString();
      p += len;
      out.push(name(rename(field, id === 7)));
      // The rest of the entry (kind + descriptor) is copied as it is.
      const descStart = p;
      const kind = body[p++];
      if (id === 7) {
        [, p] = readU32(body, p);
      } else if (kind === 0) {
        [, p] = readU32(body, p); // type index
      } else if (kind === 1) {
        p++; // reftype
        const flags = body[p++];
        [, p] = readU32(body, p);
        if (flags & 1) [, p] = readU32(body, p);
      } else if (kind === 2) {
        const flags = body[p++];
        [, p] = readU32(body, p);
        if (flags & 1) [, p] = readU32(body, p);
      } else if (kind === 3) {
        p += 2; // valtype, mutability
      } else if (kind === 4) {
        p++; // tag attribute
        [, p] = readU32(body, p);
      } else {
        throw new Error(`import kind ${kind} is not known here`);
      }
      out.push(body.subarray(descStart, p));
    }
    if (p !== body.length) throw new Error(`section ${id} was not read to its end`);
    const newBody = Buffer.concat(out);
    parts.push(Buffer.from([id]), u32(newBody.length), newBody);
  } else {
    parts.push(bytes.subarray(pos, end));
  }
  pos = end;
}

// The glue: every old name is a whole identifier-like word.
for (const [old, short] of renames) {
  const before = js;
  js = js.replace(word(old), short);
  if (js === before) throw new Error(`${old} does not occur in ${jsPath}`);
}
writeFileSync(wasmPath, Buffer.concat(parts));
writeFileSync(jsPath, js);
// The .d.ts names only the exports (InitOutput); the imports are not in it.
if (dtsPath) {
  let dts = readFileSync(dtsPath, "utf8");
  for (const [old, short] of renames) dts = dts.replace(word(old), short);
  writeFileSync(dtsPath, dts);
}
console.error(`[sdk] shortened ${renames.size} import/export names`);
