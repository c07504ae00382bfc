// Prints the latest numbers of every benchmark (bench/out/*.json) side by side
// with their targets (issue 5). Missing results show as "-".
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";

const read = (name) => (existsSync(`bench/out/${name}.json`) ? JSON.parse(readFileSync(`bench/out/${name}.json`, "utf8")) : null);
const size = read("sdk-size"), browser = read("browser-bind"), service = read("service"), verify = read("verify");
const kb = (b) => (b == null ? "-" : `${(b / 1024).toFixed(1)} KB`);
const ms = (x) => (x == null ? "-" : `${x.toFixed(2)} ms`);
const verdict = (ok) => (ok == null ? "-" : ok ? "met" : "NOT met");

const rows = [];
if (size) {
  // The budget is in the result (bench/sdk-size.sh): 80 KB for the npm package's wasm + all its JS.
  const target = size.target_gzip ?? 81920;
  rows.push(["SDK package wasm + JS, gzip -9", kb(size.total.gzip), `<= ${target / 1024} KB`, verdict(size.total.gzip <= target)]);
  rows.push(["  wasm / JS, gzip -9", `${kb(size.wasm.gzip)} / ${kb(size.js.gzip)}`, "", ""]);
  rows.push(["  wasm + JS, raw", kb(size.total.raw), "", ""]);
}
if (browser) {
  rows.push([`bindPasskey whole call p50 / p95 (n=${browser.n})`, `${ms(browser.total.p50)} / ${ms(browser.total.p95)}`, "", ""]);
  rows.push(["  SDK's own share p50 / p95", `${ms(browser.sdk.p50)} / ${ms(browser.sdk.p95)}`, "<= 2 ms p50", verdict(browser.sdk.p50 <= 2)]);
  rows.push(["  credentials.create p50", ms(browser.create.p50), "", ""]);
  rows.push(["  two HTTP round trips p50", ms(browser.http.p50), "", ""]);
  rows.push(["  wasm init (fetch+compile+instantiate) p50", ms(browser.init.p50), "", ""]);
}
if (service) {
  for (const r of service.levels) {
    rows.push([`service ${service.database}, ${r.concurrency} clients`, `${r.bindings_per_s.toFixed(0)}/s, p50 ${ms(r.p50_ms)}, p99 ${ms(r.p99_ms)}`,
      r.concurrency === 64 ? ">= 3000/s, p99 <= 25 ms" : "", r.concurrency === 64 ? verdict(r.bindings_per_s >= 3000 && r.p99_ms <= 25) : ""]);
    rows.push(["  CPU per binding: server / client", `${r.server_cpu_ms_per_binding.toFixed(3)} / ${r.client_cpu_ms_per_binding.toFixed(3)} ms`, "", ""]);
  }
  if (service.split) for (const [k, v] of Object.entries(service.split)) if (typeof v === "number") rows.push([`  split: ${k}`, `${v.toFixed(1)} us`, "", ""]);
}
if (verify) for (const r of verify.rows) rows.push([r.name, `${r.median_us.toFixed(2)} us median`, "", ""]);
const head = ["measure", "value", "target", ""];
const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
const line = (r) => "  " + r.map((c, i) => String(c).padEnd(w[i])).join("  ").trimEnd();
console.log(`== passbind benchmarks (${new Date().toISOString().slice(0, 10)}, ${cpus().length} x ${cpus()[0]?.model?.trim() ?? "cpu"})`);
console.log(line(head));
console.log(line(w.map((n) => "-".repeat(n))));
for (const r of rows) console.log(line(r));
if (!rows.length) console.log("  (no results yet: run npm run bench)");
