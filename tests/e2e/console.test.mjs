// The seeds' "Bind Passkey with Admin Console", end to end in Chromium: sign
// in to /console with an admin API token, add a webhook (its secret read from
// the page), create an identity, "Add a passkey" → "Proceed & send email", the
// message reaches the SMTP sink, its link opens /bind in the same browser (a
// virtual authenticator), the passkey is created, the identity's page shows it
// and the job COMPLETE, the passkey is revoked, the events page shows each
// change, and a webhook receiver on loopback got every event with a valid
// Standard Webhooks signature. Then the other pages (configs, API tokens,
// email branding with its sandboxed preview, paging, RETURN links with a QR
// code), the session's limits (a forged or ended session is 401, another
// tenant is out of reach, cross-site requests fail, a realm-scoped session
// stays in its realm) and keyboard use. Each console page gets a screenshot
// in test-results/console-*.png (checked non-empty) and an axe-core check
// against WCAG 2.1 A/AA.
//
// The steps run in order and share state; a step fails when an earlier one
// left nothing to work on.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { root, startServer, startSmtpSink, openBrowser, parseMail, findLink, screenshot, base64ToUrl, cli, browsers } from "./support.mjs";

let sink, server, receiver, browser, page;
const state = {};
// Chromium only (Playwright's page API); PASSBIND_E2E_BROWSERS without chromium skips it.
const suite = browsers.includes("chromium") ? describe : describe.skip;

/**
 * A webhook endpoint on 127.0.0.1 that keeps every request; signatures are
 * checked once the secret is known (the console shows it after creation).
 */
async function startReceiver() {
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
function signatureValid(secret, { headers, body }) {
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

async function until(what, check, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The console's session cookie (the HttpOnly one the sign-in set). */
async function sessionCookie() {
  const cookies = await page.context().cookies(server.url);
  const cookie = cookies.find((c) => c.httpOnly);
  assert.ok(cookie, `a session cookie: ${JSON.stringify(cookies.map((c) => c.name))}`);
  return cookie;
}

/** A request from outside the browser with `cookie` (name=value) and optional extra headers. */
function withCookie(method, path, cookie, { headers = {}, body } = {}) {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { Cookie: cookie, Accept: "application/json", ...(body ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body && JSON.stringify(body),
  });
}

const realm = () => `/v1/tenants/${server.bootstrap.tenant_id}/realms/${server.bootstrap.realm_id}`;

const AXE = readFileSync(join(root, "node_modules/axe-core/axe.min.js"), "utf8");

/**
 * test-results/<name>.png (checked non-empty) and an axe-core check of the
 * page against WCAG 2.1 A/AA (labels, contrast, roles, …): no violations.
 */
async function pageShot(name) {
  await screenshot(page, name);
  // Playwright's evaluate is not subject to the page's CSP (which rightly forbids eval).
  if (!(await page.evaluate(() => "axe" in window))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"], iframes: false });
    return result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  });
  assert.deepEqual(violations, [], `accessibility of ${name}`);
}

async function goConsole(hash, heading) {
  await page.goto(`${server.url}/console/#${hash}`);
  if (heading) await page.getByRole("heading", { level: 1, name: heading }).waitFor();
}

before(async () => {
  if (!browsers.includes("chromium")) return;
  sink = await startSmtpSink();
  receiver = await startReceiver();
  server = await startServer([
    "--smtp-host", "127.0.0.1", "--smtp-port", String(sink.port), "--smtp-tls", "none",
    "--mail-from", "Example Passkeys <passkeys@example.test>",
    // Deliver webhooks within a fifth of a second.
    "--webhook-poll-ms", "200", "--webhook-retry-base-ms", "200",
  ]);
  browser = await openBrowser(`${server.url}/console/`, "chromium");
  page = browser.page;
  page.on("dialog", (d) => d.accept());
  page.on("pageerror", (e) => console.error("[pageerror]", e.message));
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
  await sink?.close();
});

suite("the seeds' console path", () => {
  test("/console redirects to /console/, a page with the strict CSP and no inline code", async () => {
    const res = await fetch(`${server.url}/console`, { redirect: "manual" });
    assert.ok([301, 302, 303, 307, 308].includes(res.status), String(res.status));
    assert.equal(new URL(res.headers.get("location"), server.url).pathname, "/console/");
    const page = await fetch(`${server.url}/console/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-security-policy"), /script-src 'self'/);
    const html = await page.text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)/, "no inline script");
    assert.doesNotMatch(html, /\sstyle=|<style/, "no inline style");
  });

  test("sign in with the admin API token (HttpOnly SameSite=Strict cookie; the token kept nowhere)", async () => {
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), "H1", "focus on the heading");
    await pageShot("console-sign-in");
    const token = server.bootstrap.api_token;
    await page.getByLabel("Admin API token").fill(token);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Identities" }).waitFor();

    const cookie = await sessionCookie();
    assert.equal(cookie.sameSite, "Strict");
    assert.ok(!cookie.value.includes(token), "the cookie is not the token");
    const kept = await page.evaluate(() => JSON.stringify({ l: { ...localStorage }, s: { ...sessionStorage }, u: location.href, c: document.cookie }));
    assert.ok(!kept.includes(token), "no token in storage, URL or script-visible cookies");
    assert.equal(await page.getByLabel("Admin API token").count(), 0);
    assert.ok(!server.logs().includes(token), "the token is not logged");
  });

  test("create a webhook in the console; its secret is shown once", async () => {
    await goConsole("/webhooks", "Webhooks");
    await page.getByLabel("Endpoint URL").fill(receiver.url);
    await page.getByLabel("Description (optional)").fill("console e2e receiver");
    await page.getByRole("button", { name: "Add webhook" }).click();
    const secret = await page.getByLabel("Signing secret").inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
    state.secret = secret;
    await page.getByRole("cell", { name: "console e2e receiver" }).waitFor();
    await pageShot("console-webhooks");
  });

  test("create an identity", async () => {
    await goConsole("/identities", "Identities");
    await page.getByLabel("Display name").fill("Grace Hopper");
    await page.getByLabel("Username").fill("grace");
    await page.getByLabel("Email address").fill("grace@example.com");
    await page.getByRole("button", { name: "Create identity" }).click();
    await page.getByRole("heading", { level: 1, name: "Grace Hopper" }).waitFor();
    state.identityId = decodeURIComponent(new URL(page.url()).hash.split("/").pop());
    const identity = await server.admin("GET", `/identities/${state.identityId}`);
    assert.equal(identity.traits.username, "grace");

    // The list, searched.
    await goConsole("/identities?q=GRACE", "Identities");
    await page.getByRole("link", { name: "Grace Hopper" }).waitFor();
    await pageShot("console-identities");
  });

  test("Add a passkey → Proceed & send email: the message reaches the SMTP sink", async () => {
    await goConsole(`/identities/${state.identityId}`, "Grace Hopper");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByLabel("Authenticator config").selectOption(server.bootstrap.authenticator_config_id);
    assert.ok(await page.getByLabel(/Send an enrollment email/).isChecked());
    await page.getByLabel("Post-binding redirect URI (optional)").fill(`${server.url}/console/#/identities/${state.identityId}`);
    await pageShot("console-add-passkey");
    await page.getByRole("button", { name: "Proceed & send email" }).click();
    await page.locator("#email-sent").waitFor();

    const message = await sink.next();
    assert.deepEqual(message.rcpt, ["grace@example.com"]);
    const mail = parseMail(message.raw);
    state.link = findLink(mail.text);
    const { credential_binding_jobs: jobs } = await server.admin("GET", `/identities/${state.identityId}/credential-binding-jobs`);
    assert.equal(jobs.length, 1);
    assert.equal(jobs[0].delivery_method, "EMAIL");
    state.jobId = jobs[0].id;
  });

  test("the link opens /bind in the same browser; the passkey is created; the identity page shows it and the job COMPLETE", async () => {
    await browser.clearCredentials();
    await page.goto(state.link);
    // /bind binds, then follows post_binding_redirect_uri back to the console.
    await page.waitForURL(`${server.url}/console/#/identities/${state.identityId}`, { timeout: 20_000 });
    await page.getByRole("heading", { level: 1, name: "Grace Hopper" }).waitFor();
    const created = await browser.credentials();
    assert.equal(created.length, 1);
    const { credentials } = await server.admin("GET", `/identities/${state.identityId}/credentials`);
    assert.deepEqual(credentials.map((c) => c.credential_id), [base64ToUrl(created[0].credentialId)]);
    state.credentialId = credentials[0].id;

    const passkeys = page.getByRole("table", { name: "Passkeys of this identity" });
    await passkeys.getByText("ACTIVE", { exact: true }).waitFor();
    const jobs = page.getByRole("table", { name: "Credential-binding jobs of this identity" });
    await jobs.getByText("COMPLETE", { exact: true }).waitFor();
    await pageShot("console-identity");
  });

  test("revoke the passkey from the identity page", async () => {
    const passkeys = page.getByRole("table", { name: "Passkeys of this identity" });
    await passkeys.getByRole("button", { name: `Revoke passkey ${state.credentialId}` }).click();
    await passkeys.getByText("REVOKED", { exact: true }).waitFor();
    const c = await server.admin("GET", `/identities/${state.identityId}/credentials/${state.credentialId}`);
    assert.equal(c.state, "REVOKED");
  });

  test("the events page shows each change, the console's own by its session", async () => {
    const { events } = await server.admin("GET", `/events?identity_id=${state.identityId}`);
    // Oldest first would order COMPLETE and ACTIVE by chance (one transaction): compare as sets.
    const changes = events.map((e) => `${e.type} ${e.state_before ?? "-"}→${e.state_after} ${e.actor.type}`).sort();
    assert.deepEqual(changes, [
      "CredentialBindingJobChange -→LINK_SENT CONSOLE_SESSION",
      "CredentialBindingJobChange LINK_OPENED→COMPLETE LINK",
      "CredentialBindingJobChange LINK_SENT→LINK_OPENED LINK",
      "CredentialChange -→ACTIVE LINK",
      "CredentialChange ACTIVE→REVOKED CONSOLE_SESSION",
    ]);
    const session = await (await withCookie("GET", "/v1/console/session", await cookieHeader())).json();
    assert.equal(events.find((e) => e.state_after === "REVOKED").actor.id, session.session_id);
    state.events = events;

    await goConsole(`/events?identity_id=${state.identityId}`, "Events");
    const table = page.getByRole("table", { name: "Change events, newest first" });
    await table.waitFor();
    assert.equal(await table.locator("tbody tr").count(), events.length);
    for (const s of ["LINK_SENT", "LINK_OPENED", "COMPLETE", "ACTIVE", "REVOKED"]) await table.getByText(s, { exact: true }).first().waitFor();
    await pageShot("console-events");
  });

  test("the webhook receiver got every event, each with a valid signature", async () => {
    assert.ok(state.secret, "the webhook was created");
    const want = new Set(state.events.map((e) => e.id));
    await until("every event at the receiver", () => {
      const got = new Set(receiver.requests.map((r) => r.headers["webhook-id"]));
      return [...want].every((id) => got.has(id));
    });
    for (const r of receiver.requests) {
      assert.equal(r.method, "POST");
      assert.ok(signatureValid(state.secret, r), `valid signature on ${r.headers["webhook-id"]}`);
      const payload = JSON.parse(r.body);
      assert.equal(payload.data.id, r.headers["webhook-id"]);
      assert.equal(payload.type, payload.data.type);
      assert.ok(!r.body.includes("token=") && !r.body.includes(server.bootstrap.api_token), "no link or token in a payload");
    }
    for (const e of state.events) {
      const r = receiver.requests.find((x) => x.headers["webhook-id"] === e.id);
      assert.deepEqual(JSON.parse(r.body).data, e, "the event exactly as GET …/events shows it");
    }
    // A forged signature does not pass the same check.
    const first = receiver.requests[0];
    assert.ok(!signatureValid(state.secret, { ...first, body: first.body.replace(/}$/, ' ,"x":1}') }), "a changed body fails");
    assert.ok(!signatureValid(`whsec_${Buffer.from("another key").toString("base64")}`, first), "another secret fails");

    // The delivery log in the console.
    await goConsole("/webhooks", "Webhooks");
    await page.getByRole("link", { name: receiver.url, exact: true }).click();
    await page.getByRole("heading", { level: 1, name: `Deliveries to ${receiver.url}` }).waitFor();
    await until("deliveries SUCCEEDED in the console", async () => {
      await page.getByRole("button", { name: "Refresh" }).click();
      await page.getByRole("heading", { level: 1, name: `Deliveries to ${receiver.url}` }).waitFor();
      return (await page.getByText("SUCCEEDED", { exact: true }).count()) >= want.size;
    });
    await pageShot("console-webhook-deliveries");
  });
});

suite("the other console pages", () => {
  test("identities: suspend and reactivate from the list; Add a passkey → Show a link: the link, Copy and a QR code", async () => {
    await goConsole("/identities", "Identities");
    await page.getByLabel("Display name").fill("Ada Lovelace");
    await page.getByLabel("Username").fill("ada");
    await page.getByLabel("Email address").fill("ada@example.com");
    await page.getByRole("button", { name: "Create identity" }).click();
    await page.getByRole("heading", { level: 1, name: "Ada Lovelace" }).waitFor();
    const id = decodeURIComponent(new URL(page.url()).hash.split("/").pop());

    await goConsole("/identities?q=lovelace", "Identities");
    await page.getByRole("button", { name: "Suspend Ada Lovelace" }).click();
    await page.getByRole("button", { name: "Reactivate Ada Lovelace" }).waitFor();
    assert.equal((await server.admin("GET", `/identities/${id}`)).status, "suspended");
    await page.getByRole("button", { name: "Reactivate Ada Lovelace" }).click();
    await page.getByRole("button", { name: "Suspend Ada Lovelace" }).waitFor();
    assert.equal((await server.admin("GET", `/identities/${id}`)).status, "active");

    await goConsole(`/identities/${id}`, "Ada Lovelace");
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByLabel(/Show a link/).check();
    await page.getByRole("button", { name: "Create link" }).click();
    const link = await page.getByLabel("Binding link", { exact: true }).inputValue();
    assert.match(link, /:invokeAuthenticator\?token=/);
    await page.getByRole("img", { name: "QR code of the binding link" }).waitFor();
    await page.getByRole("button", { name: "Copy link" }).waitFor();
    const jobs = page.getByRole("table", { name: "Credential-binding jobs of this identity" });
    await jobs.getByText("RETURN", { exact: true }).waitFor();
    await pageShot("console-add-passkey-link");
    // Revoke the open job: its link stops working.
    await jobs.getByRole("button", { name: /^Revoke binding job/ }).click();
    await jobs.getByText("REVOKED", { exact: true }).waitFor();
    const res = await fetch(link.replace(":invokeAuthenticator?", ":invokeAuthenticator?x=1&"), { redirect: "manual", headers: { Accept: "text/html" } });
    assert.notEqual(res.status, 302, "a revoked job's link no longer redirects");
  });

  test("identities: paging with Next page and First page", async () => {
    for (let i = 0; i < 21; i++) {
      await server.admin("POST", "/identities", { identity: { display_name: `Paged ${i}`, traits: { type: "traits_v0", username: `paged${i}` } } });
    }
    await goConsole("/identities?q=paged", "Identities");
    const pager = page.getByRole("navigation", { name: "Pages" });
    await pager.getByText("Showing 1–20 of 21").waitFor();
    await pager.getByRole("link", { name: "Next page" }).click();
    await pager.getByText("Showing 21–21 of 21").waitFor();
    assert.equal(await page.getByRole("table").locator("tbody tr").count(), 1);
    await pager.getByRole("link", { name: "First page" }).click();
    await pager.getByText("Showing 1–20 of 21").waitFor();
  });

  test("authenticator configs: create an embedded config with policy, see it listed, delete it", async () => {
    await goConsole("/authenticator-configs", "Authenticator configs");
    await page.getByLabel("embedded").check();
    await page.getByLabel("Invoke URL").fill("https://app.example.com");
    await page.getByLabel("Trusted origins").fill("https://app.example.com");
    await page.getByLabel("Authenticator attachment").selectOption("platform");
    await page.getByRole("button", { name: "Create config" }).click();
    await page.getByRole("cell", { name: "https://app.example.com" }).first().waitFor();
    await pageShot("console-authenticator-configs");
    const { authenticator_configs: configs } = await server.admin("GET", "/authenticator-configs");
    const embedded = configs.find((c) => c.config.type === "embedded");
    assert.equal(embedded.config.authenticator_attachment, "platform");
    await page.getByRole("button", { name: `Delete config ${embedded.id}` }).click();
    await until("the config gone", async () => !(await server.admin("GET", "/authenticator-configs")).authenticator_configs.some((c) => c.id === embedded.id));
  });

  test("API tokens: create one (shown once, it works), see it listed, revoke it", async () => {
    await goConsole("/api-tokens", "API tokens");
    await page.getByLabel("Description").fill("console e2e token");
    await page.getByRole("button", { name: "Create token" }).click();
    const token = await page.getByLabel("New API token").inputValue();
    assert.ok(token.length > 20);
    const works = await fetch(`${server.url}${realm()}/identities`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(works.status, 200);
    const row = page.getByRole("row").filter({ hasText: "console e2e token" });
    await row.waitFor();
    await pageShot("console-api-tokens");
    await row.getByRole("button", { name: /Revoke/ }).click();
    await until("the token revoked", async () => (await fetch(`${server.url}${realm()}/identities`, { headers: { Authorization: `Bearer ${token}` } })).status === 401);
  });

  test("email branding: save the six fields; the preview shows them in a sandboxed frame", async () => {
    await goConsole("/email-branding", "Email branding");
    await page.getByLabel("Sender name").fill("Acme Security");
    await page.getByLabel("Subject").fill("Create your Acme passkey");
    await page.getByLabel("Primary colour").fill("#aa3300");
    await page.getByLabel("Support URL").fill("https://help.example.com/passkeys");
    await page.getByLabel("Footer text").fill("Acme Inc. <script>alert(1)</script>");
    await page.getByRole("button", { name: "Save branding" }).click();
    await until("the branding saved", async () => (await server.admin("GET", "/email-branding")).sender_name === "Acme Security");
    await until("the preview updated", async () => (await page.locator("#preview-subject").textContent()) === "Create your Acme passkey");
    const frame = page.locator("iframe.preview-frame");
    assert.equal(await frame.getAttribute("sandbox"), "", "sandboxed, no scripts");
    const src = await frame.getAttribute("src");
    assert.match(src, /email-branding\/preview\?/);
    assert.match(src, /format=html/);
    const inner = page.frameLocator("iframe.preview-frame");
    await inner.getByText("Acme Inc. <script>alert(1)</script>").waitFor();
    await page.waitForLoadState("networkidle");
    await pageShot("console-email-branding");
  });
});

suite("an older server", () => {
  test("an endpoint the server lacks reads as 'Not available', and the rest of the console works", async () => {
    const missing = (route) => route.fulfill({ status: 404, contentType: "application/json", body: JSON.stringify({ code: "not_found", message: "no such resource", details: [] }) });
    await page.route(/\/v1\/tenants\/[^/]+\/webhooks(\?|$)/, missing);
    try {
      await goConsole("/webhooks", "Webhooks");
      const box = page.locator(".error.missing");
      await box.waitFor();
      assert.match(await box.textContent(), /Not available: Loading webhooks: This server does not offer GET \/v1\/tenants\/\{t\}\/webhooks \(yet\)\./);
      await page.getByRole("link", { name: "Identities" }).click();
      await page.getByRole("heading", { level: 1, name: "Identities" }).waitFor();
    } finally {
      await page.unroute(/\/v1\/tenants\/[^/]+\/webhooks(\?|$)/);
    }
  });
});

suite("the session's limits", () => {
  test("a forged session cookie is 401; so is none", async () => {
    const { name, value } = await sessionCookie();
    const path = `${realm()}/identities`;
    assert.equal((await withCookie("GET", path, `${name}=${value}`)).status, 200);
    const forged = value.slice(0, -2) + (value.endsWith("AA") ? "BB" : "AA");
    const res = await withCookie("GET", path, `${name}=${forged}`);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).code, "unauthenticated");
    assert.equal((await withCookie("GET", path, `${name}=`)).status, 401);
    assert.equal((await fetch(`${server.url}${path}`)).status, 401);
  });

  test("a session of tenant A cannot reach tenant B", async () => {
    const b = cli(server.databaseUrl, ["tenant", "create", "--display-name", "Tenant B", "--realm-display-name", "B staff"]);
    const bToken = cli(server.databaseUrl, ["token", "create", "--tenant-id", b.tenant_id, "--description", "b"]).token;
    const bPath = `/v1/tenants/${b.tenant_id}/realms/${b.realm_id}`;
    state.tenantB = b;
    const cookie = await cookieHeader();
    for (const path of [`${bPath}/identities`, `${bPath}/authenticator-configs`, `${bPath}/events`, `/v1/tenants/${b.tenant_id}/realms`, `/v1/tenants/${b.tenant_id}/api-tokens`]) {
      const res = await withCookie("GET", path, cookie);
      assert.ok([403, 404].includes(res.status), `${path}: ${res.status}`);
    }
    const write = await withCookie("POST", `${bPath}/identities`, cookie, {
      headers: { "X-Passbind-CSRF": "1" },
      body: { identity: { display_name: "Mallory", traits: { type: "traits_v0", username: "mallory" } } },
    });
    assert.ok([403, 404].includes(write.status), String(write.status));
    const bList = await (await fetch(`${server.url}${bPath}/identities`, { headers: { Authorization: `Bearer ${bToken}` } })).json();
    assert.equal(bList.total_size, 0, "nothing written in tenant B");
    // The realm picker lists tenant A's realms only.
    const realms = await (await withCookie("GET", `/v1/tenants/${server.bootstrap.tenant_id}/realms`, cookie)).json();
    assert.ok(realms.realms.every((r) => r.id !== b.realm_id));
  });

  test("cross-site requests with the cookie fail (CSRF)", async () => {
    const cookie = await cookieHeader();
    const body = { identity: { display_name: "Csrf", traits: { type: "traits_v0", username: "csrf" } } };
    const path = `${realm()}/identities`;
    // Without the header, or from another Origin: 403.
    assert.equal((await withCookie("POST", path, cookie, { body })).status, 403);
    assert.equal((await withCookie("POST", path, cookie, { body, headers: { "X-Passbind-CSRF": "1", Origin: "http://evil.example" } })).status, 403);
    assert.equal((await withCookie("DELETE", "/v1/console/session", cookie, { headers: { Origin: "http://evil.example", "X-Passbind-CSRF": "1" } })).status, 403);

    // A page on another origin, in the same browser (the cookie is there), posts to the API.
    const evil = createServer((req, res) => {
      res.writeHead(200, { "content-type": "text/html" }).end(`<!doctype html><title>evil</title>
<form id=f method=post action="${server.url}${path}" enctype="text/plain"><input name='{"identity":{"display_name":"Form","traits":{"type":"traits_v0","username":"form"}},"x":"' value='"}'></form>`);
    });
    await new Promise((r) => evil.listen(0, "127.0.0.1", r));
    // The console's own tab goes there (a page made with browser.newPage() cannot open a second one in its context).
    const other = page;
    try {
      await other.goto(`http://127.0.0.1:${evil.address().port}/`);
      const outcome = await other.evaluate(async (url) => {
        const results = [];
        for (const init of [
          { method: "POST", credentials: "include", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: JSON.stringify({ identity: { display_name: "Fetch", traits: { type: "traits_v0", username: "fetch" } } }) },
          { method: "POST", credentials: "include", headers: { "Content-Type": "application/json", "X-Passbind-CSRF": "1" }, body: "{}" },
        ]) {
          try {
            const r = await fetch(url, init);
            results.push(r.type === "opaque" ? "opaque" : r.status);
          } catch (e) {
            results.push(`blocked: ${e.name}`);
          }
        }
        return results;
      }, `${server.url}${path}`);
      assert.notEqual(outcome[1], 200, `a preflighted request must not succeed: ${outcome}`);
      await Promise.all([other.waitForNavigation().catch(() => {}), other.evaluate(() => document.getElementById("f").submit())]);
    } finally {
      evil.close();
    }
    const { identities } = await server.admin("GET", "/identities");
    assert.deepEqual(identities.map((i) => i.traits.username).filter((u) => ["csrf", "form", "fetch"].includes(u)), [], "nothing created cross-site");
  });

  test("a session that ended elsewhere: sign in again and land on the same page", async () => {
    await goConsole(`/identities/${state.identityId}`, "Grace Hopper");
    const ended = await withCookie("DELETE", "/v1/console/session", await cookieHeader(), { headers: { "X-Passbind-CSRF": "1" } });
    assert.equal(ended.status, 204);
    // The next API call answers 401: the console goes to sign-in, saying why.
    await page.getByRole("button", { name: "Add a passkey" }).click();
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    assert.match(await page.locator("#status").textContent(), /session has ended/);
    await page.getByLabel("Admin API token").fill(server.bootstrap.api_token);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Grace Hopper" }).waitFor();
  });

  test("sign out: the cookie is cleared and no longer works", async () => {
    const cookie = await cookieHeader();
    await goConsole("/identities", "Identities");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    assert.equal((await withCookie("GET", `${realm()}/identities`, cookie)).status, 401);
    assert.equal((await page.context().cookies(server.url)).filter((c) => c.httpOnly && c.value).length, 0);
  });
});

suite("keyboard", () => {
  test("sign in, reach Add a passkey and open it with the keyboard alone; focus follows navigation", async () => {
    await page.goto(`${server.url}/console/#/sign-in`);
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      return `${el.tagName}${el.id ? `#${el.id}` : ""}:${el.getAttribute("name") ?? el.textContent.trim().slice(0, 30)}`;
    });
    await page.keyboard.press("Tab");
    assert.match(await focused(), /^INPUT.*:api_token$/);
    await page.keyboard.type(server.bootstrap.api_token);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Identities" }).waitFor();
    await until("focus on the page heading", async () => (await focused()) === "H1:Identities", 5000);
    // Tab to the first identity's link and open it with Enter.
    for (let i = 0; i < 40 && !(await focused()).startsWith("A:Grace Hopper"); i++) await page.keyboard.press("Tab");
    assert.match(await focused(), /^A:Grace Hopper/);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Grace Hopper" }).waitFor();
    await until("focus on the identity's heading", async () => (await focused()) === "H1:Grace Hopper", 5000);
    for (let i = 0; i < 20 && !(await focused()).startsWith("BUTTON#add-passkey"); i++) await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await until("the config picker focused", async () => (await focused()).startsWith("SELECT"), 5000);
    assert.equal(await page.getByRole("button", { name: "Add a passkey" }).getAttribute("aria-expanded"), "true");
    // The focus ring is visible (an outline), not suppressed.
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, "none");
  });
});

suite("a realm-scoped session", () => {
  test("sees its realm only; tenant-wide resources say no; its tokens are realm tokens", async () => {
    const b = state.tenantB;
    assert.ok(b, "tenant B exists");
    const scoped = cli(server.databaseUrl, ["token", "create", "--tenant-id", b.tenant_id, "--realm-id", b.realm_id, "--description", "b staff admin"]);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByRole("heading", { name: "Sign in to the console" }).waitFor();
    await page.getByLabel("Admin API token").fill(scoped.token);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByRole("heading", { level: 1, name: "Identities" }).waitFor();
    assert.match(await page.locator("#who").textContent(), /Realm: B staff.*“b staff admin” \(one realm\)/s);
    await page.getByText("No identities yet").waitFor();

    await goConsole("/webhooks", "Webhooks");
    const denied = page.locator("section[aria-label='Webhook list'] .error");
    await denied.waitFor();
    assert.match(await denied.textContent(), /permission_denied/i);

    await goConsole("/api-tokens", "API tokens");
    assert.deepEqual(await page.getByLabel("Scope").locator("option").allTextContents(), ["This realm only"]);
    await page.getByRole("cell", { name: "b staff admin this session" }).waitFor();
    await pageShot("console-api-tokens-realm-scoped");
  });
});

async function cookieHeader() {
  const { name, value } = await sessionCookie();
  return `${name}=${value}`;
}
