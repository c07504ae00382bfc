// Shared by the end-to-end tests: a real passbind-server on a temp SQLite
// file, its admin API, and headless Chromium (Playwright, CDP virtual
// authenticator) or Firefox ESR (firefox.mjs, WebDriver virtual authenticator).
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, mkdirSync, copyFileSync, readFileSync, readdirSync, writeFileSync, statSync } from "node:fs";
import { createServer as createTcpServer } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { openFirefox } from "./firefox.mjs";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Starts target/debug/passbind-server --dev on a free port; resolves once it
 * listens. Without --smtp-host in extraArgs, enrollment emails go to the dev
 * outbox in a temp dir (`outboxDir`). `env` adds environment variables.
 * PASSBIND_SERVER_BIN picks another binary (the benchmarks use the release build).
 */
export async function startServer(extraArgs = [], { env = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "passbind-e2e-"));
  const outboxDir = join(dir, "outbox");
  const databaseUrl = `sqlite://${join(dir, "passbind.db")}`;
  const child = spawn(process.env.PASSBIND_SERVER_BIN ?? join(root, "target/debug/passbind-server"), [
    "--dev",
    "--listen", "localhost:0",
    "--database-url", databaseUrl,
    "--www-dir", join(root, "www"),
    "--sdk-dir", join(root, "pkg"),
    "--outbox-dir", outboxDir,
    ...extraArgs,
  ], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn", ...env } });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start in 30 s:\n${stderr}`)), 30_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/passbind-server listening on (\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited with ${code}:\n${stderr}`)); });
  });
  child.stdout.resume();
  const bootstrap = await (await fetch(`${url}/dev/bootstrap`)).json();
  return {
    url,
    bootstrap,
    admin: adminClient(url, bootstrap),
    outboxDir,
    /** The server's database (for the CLI: `cli(server.databaseUrl, …)`). */
    databaseUrl,
    /** What the server wrote to stderr so far. */
    logs: () => stderr,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs a `passbind-server` CLI command (`tenant create`, `token create`, …)
 * against `databaseUrl`; returns its JSON output.
 */
export function cli(databaseUrl, args) {
  const bin = process.env.PASSBIND_SERVER_BIN ?? join(root, "target/debug/passbind-server");
  const out = execFileSync(bin, [...args, "--database-url", databaseUrl], { env: { ...process.env, RUST_LOG: "warn" }, encoding: "utf8" });
  return JSON.parse(out);
}

/** A small admin API client; rejects with {status, body} on any non-2xx. */
function adminClient(url, { tenant_id, realm_id, api_token }) {
  const base = `${url}/v1/tenants/${tenant_id}/realms/${realm_id}`;
  return async function admin(method, path, body) {
    const res = await fetch(base + path, {
      method,
      headers: { Authorization: `Bearer ${api_token}`, "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!res.ok) throw Object.assign(new Error(`${method} ${path}: ${res.status} ${json.code}`), { status: res.status, body: json });
    return json;
  };
}

/** Creates an identity and a RETURN job for it; returns {identity, job, link}. */
export async function newBindingLink(admin, configId, name) {
  const identity = await admin("POST", "/identities", {
    identity: { display_name: name, traits: { type: "traits_v0", username: name.toLowerCase().replace(/\W+/g, "."), primary_email_address: `${name.toLowerCase().replace(/\W+/g, ".")}@example.com` } },
  });
  const res = await admin("POST", `/identities/${identity.id}/credential-binding-jobs`, {
    job: { delivery_method: "RETURN", authenticator_config_id: configId, post_binding_redirect_uri: "http://localhost/done" },
  });
  return { identity, job: res.credential_binding_job, link: res.credential_binding_link };
}

/**
 * The browsers the shared end-to-end tests run in: PASSBIND_E2E_BROWSERS
 * (comma-separated) or both. Firefox needs `bash scripts/setup.sh firefox`.
 */
export const browsers = (process.env.PASSBIND_E2E_BROWSERS ?? "chromium,firefox").split(",").map((b) => b.trim()).filter(Boolean);

/**
 * A headless browser with one virtual platform authenticator, on `url`.
 * Both drivers answer the same small interface, so test bodies are shared:
 * goto, url, evaluate(fn, arg), waitFor(selector, {hasText}), waitForHeading,
 * waitForURL, text, attribute, isVisible, click, screenshot, bind(link),
 * credentials, clearCredentials, setUserVerified, close. The Chromium driver
 * also exposes Playwright's `browser` and `page` for the Chromium-only tests.
 */
export async function openBrowser(url, name = "chromium") {
  let driver;
  if (name === "chromium") driver = await openChromium(url);
  else if (name === "firefox") driver = await openFirefox(url);
  else throw new Error(`unknown browser ${name} (PASSBIND_E2E_BROWSERS takes chromium, firefox)`);
  /** Runs bindPasskey(link) in the page; returns {ok, value} or {ok: false, error}. */
  driver.bind = (link) => driver.evaluate(bindInPage, link);
  return driver;
}

/** Sent to the page as source: import and init the SDK, then bindPasskey(link). */
async function bindInPage(link) {
  const sdk = await import("/sdk/passbind.js");
  await sdk.default();
  try {
    return { ok: true, value: await sdk.bindPasskey(link) };
  } catch (e) {
    return { ok: false, error: { isError: e instanceof Error, code: e.code, reason: e.reason ?? null, message: e.message, causeName: e.cause?.name ?? null } };
  }
}

/** Headless Chromium (Playwright) with a CDP virtual authenticator. */
async function openChromium(url) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = await browser.newPage();
  page.on("console", (m) => { if (m.type() === "error") console.error("[page]", m.text()); });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  await page.goto(url);
  return {
    name: "chromium",
    filePrefix: "",
    browser,
    page,
    goto: (to) => page.goto(to),
    url: () => page.url(),
    evaluate: (fn, arg) => page.evaluate(fn, arg),
    waitFor: (selector, { hasText } = {}) => page.locator(selector, hasText ? { hasText } : {}).waitFor(),
    waitForHeading: (name) => page.getByRole("heading", { name }).waitFor(),
    waitForURL: (to) => page.waitForURL(to),
    text: (selector) => page.textContent(selector),
    attribute: (selector, name) => page.getAttribute(selector, name),
    isVisible: (selector) => page.isVisible(selector),
    click: (selector) => page.click(selector),
    screenshot: (options) => page.screenshot(options),
    /** In standard base64 (CDP); base64ToUrl gives the WebAuthn form. */
    async credentials() {
      return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
    },
    /** Chromium's virtual CTAP2 authenticator holds at most 3 resident credentials: empty it between tests. */
    async clearCredentials() {
      await cdp.send("WebAuthn.clearCredentials", { authenticatorId });
    },
    async setUserVerified(isUserVerified) {
      await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified });
    },
    close: () => browser.close(),
  };
}

/**
 * CDP reports credential IDs in standard base64, WebDriver (Firefox) and
 * WebAuthn JSON in base64url: this gives base64url for either.
 */
export function base64ToUrl(b64) {
  return b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

// ---------------------------------------------------------------------------
// Email: an SMTP sink (no dependencies) and enough MIME reading for the tests.

/**
 * An SMTP server on 127.0.0.1 that keeps every message it accepts
 * ({from, rcpt, raw}). `refuse: true` answers 550 to every RCPT TO.
 */
export async function startSmtpSink({ refuse = false } = {}) {
  const messages = [];
  let waiters = [];
  let taken = 0;
  const sockets = new Set();
  const server = createTcpServer((sock) => {
    sockets.add(sock);
    sock.on("close", () => sockets.delete(sock));
    sock.on("error", () => {});
    sock.setEncoding("utf8");
    let buf = "", inData = false, from = "", rcpt = [], data = [];
    const reply = (line) => sock.write(`${line}\r\n`);
    const address = (arg) => (arg.match(/<([^>]*)>/) ?? [null, arg.trim()])[1];
    reply("220 sink.test ESMTP test sink");
    sock.on("data", (chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf("\r\n")) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            messages.push({ from, rcpt: [...rcpt], raw: data.join("\r\n") });
            for (const w of waiters.splice(0)) w();
            reply("250 2.0.0 queued");
          } else {
            data.push(line.startsWith(".") ? line.slice(1) : line);
          }
          continue;
        }
        const up = line.toUpperCase();
        if (up.startsWith("EHLO")) sock.write("250-sink.test\r\n250 8BITMIME\r\n");
        else if (up.startsWith("HELO")) reply("250 sink.test");
        else if (up.startsWith("MAIL FROM:")) { from = address(line.slice(10)); rcpt = []; reply("250 2.1.0 OK"); }
        else if (up.startsWith("RCPT TO:")) {
          if (refuse) reply("550 5.1.1 mailbox unavailable");
          else { rcpt.push(address(line.slice(8))); reply("250 2.1.5 OK"); }
        } else if (up === "DATA") { inData = true; data = []; reply("354 end data with <CR><LF>.<CR><LF>"); }
        else if (up === "QUIT") { reply("221 2.0.0 bye"); sock.end(); }
        else if (up === "RSET" || up === "NOOP") reply("250 2.0.0 OK");
        else reply("502 5.5.2 command not recognized");
      }
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: server.address().port,
    messages,
    /** The next message not yet taken (waits up to `ms`). */
    async next(ms = 10_000) {
      const deadline = Date.now() + ms;
      while (messages.length <= taken) {
        if (Date.now() > deadline) throw new Error("no message reached the SMTP sink");
        await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
      }
      return messages[taken++];
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}

function decodeQuotedPrintable(s) {
  const bytes = [];
  const text = s.replace(/=\r?\n/g, "");
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === "=" && /^[0-9A-Fa-f]{2}$/.test(hex)) { bytes.push(parseInt(hex, 16)); i += 2; }
    else bytes.push(...Buffer.from(text[i], "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

function splitHeaders(part) {
  const text = part.replace(/\r\n/g, "\n");
  const at = text.indexOf("\n\n");
  const head = at < 0 ? text : text.slice(0, at);
  const body = at < 0 ? "" : text.slice(at + 2);
  const headers = {};
  let last;
  for (const line of head.split("\n")) {
    if (/^[ \t]/.test(line) && last) headers[last] += " " + line.trim();
    else {
      const i = line.indexOf(":");
      if (i > 0) { last = line.slice(0, i).trim().toLowerCase(); headers[last] = line.slice(i + 1).trim(); }
    }
  }
  return { headers, body };
}

/** A multipart/alternative message → {headers, text, html}. */
export function parseMail(raw) {
  const { headers, body } = splitHeaders(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers["content-type"] ?? "")?.[1];
  if (!boundary) throw new Error(`not a multipart message: ${headers["content-type"]}`);
  const out = { headers, text: null, html: null };
  for (const part of body.split(`--${boundary}`).slice(1)) {
    if (part.startsWith("--")) break;
    const p = splitHeaders(part.replace(/^\r?\n/, ""));
    const enc = p.headers["content-transfer-encoding"] ?? "7bit";
    const decoded = enc === "quoted-printable" ? decodeQuotedPrintable(p.body) : enc === "base64" ? Buffer.from(p.body, "base64").toString("utf8") : p.body;
    if (p.headers["content-type"]?.startsWith("text/plain")) out.text = decoded;
    if (p.headers["content-type"]?.startsWith("text/html")) out.html = decoded;
  }
  return out;
}

/** The binding link (API form) in an email's text. */
export function findLink(text) {
  const m = /https?:\/\/[^\s"<]+:invokeAuthenticator\?token=[A-Za-z0-9_.~-]+/.exec(text ?? "");
  if (!m) throw new Error(`no binding link in:\n${text}`);
  return m[0];
}

// ---------------------------------------------------------------------------
// An application of its own: a static server on another localhost port that
// serves a COPY of the /bind page (proving it works outside the service) at
// {url}/app/bind, the SDK at /sdk/, and a landing page at /app/done.

const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json" };

export async function startAppServer() {
  const dir = mkdtempSync(join(tmpdir(), "passbind-app-"));
  mkdirSync(join(dir, "app"));
  mkdirSync(join(dir, "sdk"));
  for (const f of ["bind.html", "bind.js", "bind.css"]) copyFileSync(join(root, "www", f), join(dir, "app", f));
  // Every file of the built SDK, whatever its layout (the entry imports its glue and wasm).
  for (const f of readdirSync(join(root, "pkg"))) if (/\.(js|wasm)$/.test(f)) copyFileSync(join(root, "pkg", f), join(dir, "sdk", f));
  writeFileSync(join(dir, "app", "done.html"), "<!doctype html><html lang=en><meta charset=utf-8><title>Example app</title><h1>Welcome back to the example app</h1>");
  const routes = { "/app/bind": "app/bind.html", "/app/done": "app/done.html" };
  const server = createHttpServer((req, res) => {
    const path = new URL(req.url, "http://x").pathname;
    const file = routes[path] ?? path.slice(1);
    const full = join(dir, file);
    if (file.includes("..") || !full.startsWith(dir) || !statSync(full, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    const ext = file.slice(file.lastIndexOf("."));
    res.writeHead(200, { "content-type": TYPES[ext] ?? "application/octet-stream" }).end(readFileSync(full));
  });
  await new Promise((resolve) => server.listen(0, "localhost", resolve));
  const url = `http://localhost:${server.address().port}`;
  return {
    url,
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => { rmSync(dir, { recursive: true, force: true }); r(); }));
    },
  };
}

/** Where the service redirects a browser that opens `link` (the 302's Location). */
export async function redirectOf(link) {
  const res = await fetch(link, { redirect: "manual", headers: { Accept: "text/html" } });
  if (res.status !== 302) throw new Error(`expected a 302 for ${link}, got ${res.status}`);
  return res.headers.get("location");
}

/**
 * test-results/<name>.png, checked to be a non-empty PNG. `page` is a
 * Playwright page or a driver from openBrowser (whose filePrefix keeps
 * Firefox's screenshots apart from Chromium's).
 */
export async function screenshot(page, name) {
  const dir = join(root, "test-results");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${page.filePrefix ?? ""}${name}.png`);
  await page.screenshot({ path, fullPage: true });
  const bytes = readFileSync(path);
  if (bytes.length < 1000 || bytes.toString("latin1", 1, 4) !== "PNG") throw new Error(`screenshot ${path} is empty`);
  return path;
}
