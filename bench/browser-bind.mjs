// Benchmark 2: bindPasskey in headless Chromium with a CDP virtual
// authenticator against a local passbind-server (release build when there is
// one). N sequential binds, each with its own identity and RETURN job made
// beforehand through the admin API. In the page, window.fetch and
// navigator.credentials.create are wrapped with performance.now() shims, so
//   SDK's own share = whole call - time inside credentials.create - time inside fetch
// (the fetch shim also reads the body, so the round trip includes the answer).
// Also: wasm init (fetch + compile + instantiate of passbind_wasm_bg.wasm, cache
// defeated by a unique query) and the import of wasm-bindgen's glue
// Writes bench/out/browser-bind.json. Not a test. BENCH_BINDS (default 200).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root, startServer, newBindingLink, openBrowser } from "../tests/e2e/support.mjs";

const N = Number(process.env.BENCH_BINDS ?? 200);
const WARMUP = 10;
const INITS = Number(process.env.BENCH_INITS ?? 30);
const release = join(root, "target/release/passbind-server");
if (!process.env.PASSBIND_SERVER_BIN && existsSync(release)) process.env.PASSBIND_SERVER_BIN = release;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const stats = (xs) => ({ p50: pct(xs, 50), p95: pct(xs, 95), mean: xs.reduce((a, b) => a + b, 0) / xs.length });

const server = await startServer();
let chrome;
try {
  const config = await server.admin("POST", "/authenticator-configs", { authenticator_config: { config: { type: "hosted_web" } } });
  const links = [];
  for (let i = 0; i < N + WARMUP; i++) links.push((await newBindingLink(server.admin, config.id, `Bench User ${i}`)).link);

  chrome = await openBrowser(server.url + "/");
  const { page } = chrome;

  // wasm init, cold each time: a unique URL for the glue and the wasm.
  // Then the same split in its parts (buffered instead of streaming compile).
  const init = await page.evaluate(async (count) => {
    const out = { import: [], init: [], fetch: [], compile: [], instantiate: [] };
    for (let i = 0; i < count; i++) {
      const t0 = performance.now();
      const m = await import(`/sdk/passbind_wasm.js?bench=${i}`);
      const t1 = performance.now();
      await m.default({ module_or_path: `/sdk/passbind_wasm_bg.wasm?bench=${i}` });
      out.import.push(t1 - t0);
      out.init.push(performance.now() - t1);
    }
    for (let i = 0; i < count; i++) {
      const m = await import(`/sdk/passbind_wasm.js?split=${i}`);
      const t0 = performance.now();
      const bytes = await (await fetch(`/sdk/passbind_wasm_bg.wasm?split=${i}`)).arrayBuffer();
      const t1 = performance.now();
      const module = await WebAssembly.compile(bytes);
      const t2 = performance.now();
      await m.default({ module_or_path: module });
      out.fetch.push(t1 - t0);
      out.compile.push(t2 - t1);
      out.instantiate.push(performance.now() - t2);
    }
    return out;
  }, INITS);

  // The timing shims, installed once in the page.
  await page.evaluate(async () => {
    const sdk = await import("/sdk/passbind.js");
    await sdk.default();
    const t = { fetch: 0, create: 0 };
    const realFetch = window.fetch;
    window.fetch = async function (...args) {
      const t0 = performance.now();
      try {
        const r = await realFetch.apply(this, args);
        const body = await r.text();
        return new Response(body, { status: r.status, statusText: r.statusText, headers: r.headers });
      } finally {
        t.fetch += performance.now() - t0;
      }
    };
    const container = navigator.credentials;
    const realCreate = container.create.bind(container);
    container.create = async (options) => {
      const t0 = performance.now();
      try {
        return await realCreate(options);
      } finally {
        t.create += performance.now() - t0;
      }
    };
    window.__benchBind = async (link) => {
      t.fetch = 0;
      t.create = 0;
      const t0 = performance.now();
      let bound;
      try {
        bound = await sdk.bindPasskey(link);
      } catch (e) {
        return { error: `${e.code} ${e.message}` };
      }
      const total = performance.now() - t0;
      if (!bound?.passkey?.credentialId) return { error: "no passkey in the result" };
      return { total, create: t.create, http: t.fetch, sdk: total - t.create - t.fetch };
    };
  });
  // One bind per evaluate; the virtual authenticator keeps only 3 resident
  // keys, so it is emptied before each bind (outside the timed region).
  const result = [];
  for (let i = 0; i < links.length; i++) {
    await chrome.clearCredentials();
    const row = await page.evaluate((link) => window.__benchBind(link), links[i]);
    if (row.error) throw new Error(`bind ${i}: ${row.error}`);
    if (i >= WARMUP) result.push(row);
  }

  const col = (k) => result.map((r) => r[k]);
  const out = {
    date: new Date().toISOString(),
    n: result.length,
    warmup: WARMUP,
    server: process.env.PASSBIND_SERVER_BIN ?? "target/debug/passbind-server",
    chromium: await chrome.browser.version(),
    total: stats(col("total")),
    sdk: stats(col("sdk")),
    create: stats(col("create")),
    http: stats(col("http")),
    init: { first: init.init[0], ...stats(init.init) },
    import: { first: init.import[0], ...stats(init.import) },
    init_parts: { fetch: stats(init.fetch), compile: stats(init.compile), instantiate: stats(init.instantiate) },
  };
  mkdirSync(join(root, "bench/out"), { recursive: true });
  writeFileSync(join(root, "bench/out/browser-bind.json"), JSON.stringify(out, null, 2));
  const f = (x) => x.toFixed(2).padStart(8);
  console.log(`  ${out.n} sequential binds (after ${WARMUP} warm-up), Chromium ${out.chromium}, ${out.server.includes("release") ? "release" : "debug"} server`);
  console.log(`  ${"ms".padEnd(34)}      p50      p95     mean`);
  for (const [name, s] of [["whole bindPasskey call", out.total], ["SDK's own share", out.sdk], ["inside credentials.create", out.create], ["inside fetch (2 round trips)", out.http], [`wasm init, cold (n=${INITS})`, out.init], [`JS glue import, cold (n=${INITS})`, out.import],
    ["  init part: fetch wasm", out.init_parts.fetch], ["  init part: WebAssembly.compile", out.init_parts.compile], ["  init part: instantiate + start", out.init_parts.instantiate]]) {
    console.log(`  ${name.padEnd(34)} ${f(s.p50)} ${f(s.p95)} ${f(s.mean)}`);
  }
  console.log(`  target: SDK's own share <= 2 ms p50: ${out.sdk.p50 <= 2 ? "met" : "not met"}`);
} finally {
  await chrome?.browser.close();
  await server.stop();
}
