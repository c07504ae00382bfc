// The console's other pages in Chromium, signed in with the bootstrap admin
// token: identities (suspend, reactivate, a RETURN link with Copy and a QR
// code, paging), authenticator configs, API tokens, email branding with its
// sandboxed preview, and an older server that lacks an endpoint. Each page
// gets a screenshot and an axe-core check (console-kit.mjs).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ctx, consoleSuite, until, realm, pageShot, goConsole } from "./console-kit.mjs";

let page, server;
const suite = consoleSuite({ signedIn: true, ready: () => ({ page, server } = ctx) });

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
