// The console session's limits in Chromium: a forged or ended session is
// 401, another tenant is out of reach, cross-site requests fail, sign-out
// clears the cookie, a realm-scoped session stays in its realm; and the
// console used with the keyboard alone. The steps run in order (tenant B,
// made by one, is used by the last).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { cli } from "./support.mjs";
import { ctx, consoleSuite, until, sessionCookie, withCookie, realm, pageShot, goConsole, cookieHeader } from "./console-kit.mjs";

let page, server;
const state = {};
const suite = consoleSuite({
  signedIn: true,
  ready: async () => {
    ({ page, server } = ctx);
    const grace = await server.admin("POST", "/identities", { identity: { display_name: "Grace Hopper", traits: { type: "traits_v0", username: "grace", primary_email_address: "grace@example.com" } } });
    state.identityId = grace.id;
  },
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
