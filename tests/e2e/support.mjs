// Shared by the end-to-end tests: a real passbind-server on a temp SQLite
// file, its admin API, and headless Chromium with a CDP virtual authenticator.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Starts target/debug/passbind-server --dev on a free port; resolves once it listens.
 *  PASSBIND_SERVER_BIN picks another binary (the benchmarks use the release build). */
export async function startServer(extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), "passbind-e2e-"));
  const child = spawn(process.env.PASSBIND_SERVER_BIN ?? join(root, "target/debug/passbind-server"), [
    "--dev",
    "--listen", "localhost:0",
    "--database-url", `sqlite://${join(dir, "passbind.db")}`,
    "--www-dir", join(root, "www"),
    "--sdk-dir", join(root, "pkg"),
    ...extraArgs,
  ], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? "warn" } });
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
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
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

/** Headless Chromium with one virtual platform authenticator on a page of the service. */
export async function openBrowser(url) {
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
    browser,
    page,
    async credentials() {
      return (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials;
    },
    /** Empties the virtual authenticator (it holds only a few resident keys). */
    async clearCredentials() {
      await cdp.send("WebAuthn.clearCredentials", { authenticatorId });
    },
    async setUserVerified(isUserVerified) {
      await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified });
    },
    /** Runs bindPasskey(link) in the page; returns {ok, value} or {ok: false, error}. */
    bind(link) {
      return page.evaluate(async (link) => {
        const sdk = await import("/sdk/passbind.js");
        await sdk.default();
        try {
          return { ok: true, value: await sdk.bindPasskey(link) };
        } catch (e) {
          return { ok: false, error: { isError: e instanceof Error, code: e.code, message: e.message, causeName: e.cause?.name ?? null } };
        }
      }, link);
    },
  };
}

/** CDP reports credential IDs in standard base64; WebAuthn JSON uses base64url. */
export function base64ToUrl(b64) {
  return b64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
