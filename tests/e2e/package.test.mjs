// The SDK as an npm package, used the way a newcomer uses it: a fresh Vite app
// (tests/package/, vite and typescript pinned) installs the tarball that
// `npm pack pkg` makes, `vite build` bundles it, `tsc --noEmit` checks a
// TypeScript consumer against its .d.ts, and the built app — served on its
// own localhost port, another origin than the binding service — binds a
// passkey in Chromium through an `embedded` authenticator config: the
// service redirects the browser to the app, the app calls bindPasskey (no
// init()), and the SDK's calls to the service are cross-origin (CORS).
//
// npm install fetches vite 8.3.4 and typescript 7.0.2 (17 packages, 66 MB,
// about 5 s here with or without a warm npm cache) from the registry into a
// temp dir; the whole file takes about 10 s.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, sep } from "node:path";
import { root, startServer, newBindingLink, openBrowser, base64ToUrl, redirectOf } from "./support.mjs";

const appDir = mkdtempSync(join(tmpdir(), "passbind-package-"));
let app, server, chrome, configId;

after(async () => {
  await chrome?.browser.close();
  await server?.stop();
  await app?.close();
  rmSync(appDir, { recursive: true, force: true });
});

// npm run / npm test pass their settings to scripts as npm_* variables; the
// app's own npm must not inherit them (a prefix, a workspace, the root's
// lockfile settings), as it would not on a newcomer's machine.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));

/** Runs a command in the app's dir; resolves with {stdout, ms}, rejects with its output. */
function run(cmd, args) {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: appDir, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${cmd} ${args.join(" ")} failed (${error.code}):\n${stdout}\n${stderr}`));
      else resolve({ stdout, ms: Date.now() - started });
    });
  });
}

test("the packed SDK installs into a fresh Vite app, bundles and type-checks", { timeout: 300_000 }, async (t) => {
  assert.ok(existsSync(join(root, "pkg/package.json")), "pkg/ is not built: bash scripts/build-sdk.sh");
  cpSync(join(root, "tests/package"), appDir, { recursive: true });

  const pack = await run("npm", ["pack", join(root, "pkg"), "--pack-destination", appDir, "--json"]);
  const [packed] = JSON.parse(pack.stdout);
  assert.equal(packed.name, "@passbind/sdk");
  assert.deepEqual(packed.files.map((f) => f.path).sort(),
    ["README.md", "package.json", "passbind.d.ts", "passbind.js", "passbind_wasm.d.ts", "passbind_wasm.js", "passbind_wasm_bg.wasm"]);
  t.diagnostic(`npm pack: ${packed.filename}, ${packed.size} bytes (${packed.unpackedSize} unpacked), ${pack.ms} ms`);

  // What the README tells a newcomer to run.
  const install = await run("npm", ["install", "--no-audit", "--no-fund", `./${packed.filename}`]);
  t.diagnostic(`npm install (vite, typescript, the tarball): ${install.ms} ms`);
  const manifest = JSON.parse(readFileSync(join(appDir, "package.json"), "utf8"));
  assert.equal(manifest.dependencies["@passbind/sdk"], `file:${packed.filename}`);

  const build = await run(join(appDir, "node_modules/.bin/vite"), ["build"]);
  t.diagnostic(`vite build: ${build.ms} ms`);
  const typecheck = await run(join(appDir, "node_modules/.bin/tsc"), ["--noEmit", "-p", "tsconfig.json"]);
  t.diagnostic(`tsc --noEmit: ${typecheck.ms} ms`);

  // The bundle: Vite found the wasm through new URL(…, import.meta.url) and
  // emitted it as an asset file (not inlined, not left behind).
  const assets = readdirSync(join(appDir, "dist/assets")).filter((f) => /\.(js|wasm)$/.test(f));
  assert.equal(assets.filter((f) => f.endsWith(".wasm")).length, 1, `dist/assets: ${assets.join(", ")}`);
  let raw = 0, gzip = 0;
  for (const f of assets) {
    const bytes = readFileSync(join(appDir, "dist/assets", f));
    const gz = execFileSync("gzip", ["-9c", join(appDir, "dist/assets", f)], { maxBuffer: 64 << 20 }).length; // as build-sdk.sh counts
    raw += bytes.length;
    gzip += gz;
    t.diagnostic(`Vite app bundle ${f.padEnd(34)} ${String(bytes.length).padStart(7)} bytes, ${String(gz).padStart(6)} gzip -9`);
  }
  t.diagnostic(`Vite app bundle ${"JS + wasm".padEnd(34)} ${String(raw).padStart(7)} bytes, ${String(gzip).padStart(6)} gzip -9`);
});

test("the Vite app binds a passkey through the package, across origins", { timeout: 120_000 }, async () => {
  assert.ok(existsSync(join(appDir, "dist/index.html")), "the app was not built (see the test above)");
  app = await serveStatic(join(appDir, "dist"));
  server = await startServer();
  assert.notEqual(new URL(server.url).origin, app.url);

  const config = await server.admin("POST", "/authenticator-configs", {
    authenticator_config: { config: { type: "embedded", invoke_url: app.url, trusted_origins: [app.url] } },
  });
  configId = config.id;
  const { identity, job, link } = await newBindingLink(server.admin, configId, "Nora Newcomer");
  const token = new URL(link).searchParams.get("token");

  // The person opens the link: the service redirects to {invoke_url}/bind?….
  chrome = await openBrowser(link);
  await chrome.page.waitForFunction(() => window.app, null, { timeout: 15_000 });
  const page = await chrome.page.evaluate(() => ({ url: location.href, ...window.app }));
  assert.ok(page.url.startsWith(`${app.url}/bind?`), page.url);
  assert.equal(page.isLink, true);

  // The person presses the button; the virtual authenticator consents.
  await chrome.page.click("#bind");
  await chrome.page.waitForFunction(() => window.app.result, null, { timeout: 30_000 });
  const result = await chrome.page.evaluate(() => window.app.result);
  assert.ok(result.ok, JSON.stringify(result));
  const { passkey } = result;

  const credentials = await chrome.credentials();
  assert.equal(credentials.length, 1);
  assert.equal(passkey.credentialId, base64ToUrl(credentials[0].credentialId));
  assert.equal(credentials[0].rpId, "localhost");
  assert.equal(passkey.identity.id, identity.id);
  assert.equal(result.postBindingRedirectUri, "http://localhost/done");

  const listed = await server.admin("GET", `/identities/${identity.id}/credentials`);
  assert.deepEqual(listed.credentials.map((c) => [c.id, c.credential_id]), [[passkey.id, passkey.credentialId]]);
  const got = await server.admin("GET", `/identities/${identity.id}/credential-binding-jobs/${job.id}`);
  assert.equal((got.credential_binding_job ?? got).state, "COMPLETE");

  // The wasm came from the app's own origin (the bundle's asset), not /sdk/.
  const wasm = await chrome.page.evaluate(() => performance.getEntriesByType("resource").map((e) => e.name).filter((n) => n.endsWith(".wasm")));
  assert.equal(wasm.length, 1);
  assert.ok(wasm[0].startsWith(`${app.url}/assets/`), wasm[0]);

  // parseBindPasskeyUrl, called by the app on load: the link's parts, never
  // its token. (Checked last: bindPasskey above does not depend on it.)
  assert.deepEqual(page.parsed, {
    apiBaseUrl: link.slice(0, link.indexOf("/v1/tenants/")),
    tenantId: server.bootstrap.tenant_id,
    realmId: server.bootstrap.realm_id,
    identityId: identity.id,
    jobId: job.id,
  });
  assert.ok(!JSON.stringify(page.parsed).includes(token));
});

test("without its wasm the app still loads; bindPasskey rejects with NETWORK or UNSUPPORTED and retries the load", { timeout: 60_000 }, async () => {
  assert.ok(chrome, "needs the app and the service of the test above");
  const { page } = chrome;
  const { identity, link } = await newBindingLink(server.admin, configId, "Olga Offline");
  const appLink = await redirectOf(link);
  const result = async () => {
    await page.waitForFunction(() => window.app?.result, null, { timeout: 30_000 });
    return page.evaluate(() => { const r = window.app.result; window.app.result = null; return r; });
  };

  // Offline when the page loads: the import still succeeds, the synchronous
  // functions answer false / null, and bindPasskey rejects with NETWORK.
  await page.route("**/*.wasm", (route) => route.abort("internetdisconnected"));
  await page.goto(appLink);
  await page.waitForFunction(() => window.app);
  assert.deepEqual(await page.evaluate(() => [window.app.isLink, window.app.parsed]), [false, null]);
  await page.click("#bind");
  const offline = await result();
  assert.equal(offline.ok, false);
  assert.equal(offline.code, "NETWORK");
  assert.equal(offline.causeName, "TypeError");

  // An HTML page where the wasm should be (a portal, an SPA fallback): NETWORK too.
  await page.unroute("**/*.wasm");
  await page.route("**/*.wasm", (route) => route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><title>Sign in to Wi-Fi</title>" }));
  await page.click("#bind");
  const portal = await result();
  assert.equal(portal.code, "NETWORK");
  assert.equal(portal.causeName, "CompileError");

  // Back online: the same call loads the wasm and binds.
  await page.unroute("**/*.wasm");
  await page.click("#bind");
  const online = await result();
  assert.ok(online.ok, JSON.stringify(online));
  assert.equal(online.passkey.identity.id, identity.id);

  // A browser without WebAssembly: UNSUPPORTED, and the page still works.
  const bare = await chrome.browser.newPage();
  try {
    await bare.addInitScript(() => { delete globalThis.WebAssembly; });
    await bare.goto(appLink);
    await bare.waitForFunction(() => window.app);
    await bare.click("#bind");
    await bare.waitForFunction(() => window.app.result);
    const none = await bare.evaluate(() => window.app.result);
    assert.equal(none.ok, false);
    assert.equal(none.code, "UNSUPPORTED");
  } finally {
    await bare.close();
  }
});

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css", ".svg": "image/svg+xml" };

/**
 * Serves `dir` on a free localhost port, like a static host with an SPA
 * fallback: a path without an extension (/bind) gets index.html, a missing
 * file 404.
 */
async function serveStatic(dir) {
  const http = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = join(dir, path);
    if (!extname(path)) file = join(dir, "index.html");
    if (!file.startsWith(dir + sep) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  await new Promise((resolve) => http.listen(0, "localhost", resolve));
  return {
    url: `http://localhost:${http.address().port}`,
    close() {
      http.closeAllConnections();
      return new Promise((r) => http.close(r));
    },
  };
}
