// What the console's end-to-end suites share (console.test.mjs, the seeds'
// path; console-pages.test.mjs; console-session.test.mjs): one service with an
// SMTP sink and a webhook receiver, Chromium on /console/, and helpers that
// read from `ctx`. Each suite starts its own (startConsole/stopConsole).
import { describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root, startServer, startSmtpSink, openBrowser, screenshot, browsers } from "./support.mjs";

/** The running console: `sink`, `receiver`, `server`, `browser`, `page`. */
export const ctx = {};
// Chromium only (Playwright's page API); PASSBIND_E2E_BROWSERS without chromium skips it.
export const chromium = browsers.includes("chromium");

/**
 * A webhook endpoint on 127.0.0.1 that keeps every request; signatures are
 * checked once the secret is known (the console shows it after creation).
 */
export async function startReceiver() {
  const requests = [];
  const http = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => http.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${http.address().port}/hooks/passbind`,
    requests,
    close: () => new Promise((r) => { http.closeAllConnections(); http.close(r); }),
  };
}

/** Standard Webhooks: HMAC-SHA256 over `${id}.${timestamp}.${body}`, key = base64 after "whsec_". */
export function signatureValid(secret, { headers, body }) {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = (headers["webhook-signature"] ?? "").split(" ");
  if (!id || !/^\d+$/.test(timestamp ?? "") || !secret.startsWith("whsec_")) return false;
  if (Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = Buffer.from(createHmac("sha256", Buffer.from(secret.slice(6), "base64")).update(`${id}.${timestamp}.${body}`).digest("base64"));
  return signatures.some((s) => {
    const [version, sig] = s.split(",");
    const got = Buffer.from(sig ?? "");
    return version === "v1" && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

export async function until(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The console's session cookie (the HttpOnly one the sign-in set). */
export async function sessionCookie() {
  const cookies = await ctx.page.context().cookies(ctx.server.url);
  const cookie = cookies.find((c) => c.httpOnly);
  assert.ok(cookie, `a session cookie: ${JSON.stringify(cookies.map((c) => c.name))}`);
  return cookie;
}

/** A request from outside the browser with `cookie` (name=value) and optional extra headers. */
export function withCookie(method, path, cookie, { headers = {}, body } = {}) {
  return fetch(`${ctx.server.url}${path}`, {
    method,
    headers: { Cookie: cookie, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body && JSON.stringify(body),
  });
}

export const realm = () => `/v1/tenants/${ctx.server.bootstrap.tenant_id}/realms/${ctx.server.bootstrap.realm_id}`;

const AXE = readFileSync(join(root, "node_modules/axe-core/axe.min.js"), "utf8");

/**
 * test-results/<name>.png (checked non-empty) and an axe-core check of the
 * page against WCAG 2.1 A/AA (labels, contrast, roles, …): no violations.
 */
export async function pageShot(name) {
  await screenshot(ctx.page, name);
  // Playwright's evaluate is not subject to the page's CSP (which rightly forbids eval).
  if (!(await ctx.page.evaluate(() => "axe" in window))) await ctx.page.evaluate(AXE);
  const violations = await ctx.page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"], iframes: false });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  });
  assert.deepEqual(violations, [], `accessibility of ${name}`);
}

export async function goConsole(hash, heading) {
  await ctx.page.goto(`${ctx.server.url}/console/#${hash}`);
  if (heading) await ctx.page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

/** The session cookie as a `Cookie` header value. */
export async function cookieHeader() {
  const { name, value } = await sessionCookie();
  return `${name}=${value}`;
}

/** Starts the SMTP sink, the webhook receiver, the service and Chromium on /console/. */
export async function startConsole() {
  if (!chromium) return;
  ctx.sink = await startSmtpSink();
  ctx.receiver = await startReceiver();
  ctx.server = await startServer([
    "--smtp-host", "127.0.0.1", "--smtp-port", String(ctx.sink.port), "--smtp-tls", "none",
    "--mail-from", "Example Passkeys <passkeys@example.test>",
    // Deliver webhooks within a fifth of a second.
    "--webhook-poll-ms", "200", "--webhook-retry-base-ms", "200",
  ]);
  ctx.browser = await openBrowser(`${ctx.server.url}/console/`, "chromium");
  ctx.page = ctx.browser.page;
  ctx.page.on("dialog", (d) => d.accept());
  ctx.page.on("pageerror", (e) => console.error("[pageerror]", e.message));
}

export async function stopConsole() {
  await ctx.browser?.close();
  await ctx.server?.stop();
  await ctx.receiver?.close();
  await ctx.sink?.close();
}

/** Signs in through the sign-in form with `token` (the bootstrap admin token by default). */
export async function signIn(token = ctx.server.bootstrap.api_token) {
  const { page } = ctx;
  await page.goto(`${ctx.server.url}/console/#/sign-in`);
  await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
  await page.getByLabel("Admin API token").fill(token);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Identities" }).waitFor();
}

/**
 * Registers the file's hooks: the console started before its tests (signed
 * in with the bootstrap token when `signedIn`), then `ready()`, and stopped
 * after them. One hook, because Node 20 starts a file's top-level `before`
 * hooks without waiting for one another. Answers `describe`, or
 * `describe.skip` without Chromium.
 */
export function consoleSuite({ signedIn = false, ready = () => {} } = {}) {
  before(async () => {
    await startConsole();
    if (!chromium) return;
    if (signedIn) await signIn();
    await ready();
  });
  after(stopConsole);
  return chromium ? describe : describe.skip;
}
