// The seeds' "Bind Passkey with Admin Console", end to end in Chromium: sign
// in to /console with an admin API token, add a webhook (its secret read from
// the page), create an identity, "Add a passkey" → "Proceed & send email", the
// message reaches the SMTP sink, its link opens /bind in the same browser (a
// virtual authenticator), the passkey is created, the identity's page shows it
// and the job COMPLETE, the passkey is revoked, the events page shows each
// change, and a webhook receiver on loopback got every event with a valid
// Standard Webhooks signature. The other pages are in console-pages.test.mjs,
// the session's limits and keyboard use in console-session.test.mjs. Each
// console page gets a screenshot in test-results/console-*.png (checked
// non-empty) and an axe-core check against WCAG 2.1 A/AA.
//
// The steps run in order and share state; a step fails when an earlier one
// left nothing to work on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseMail, findLink, base64ToUrl } from "./support.mjs";
import { ctx, consoleSuite, signatureValid, until, sessionCookie, withCookie, pageShot, goConsole, cookieHeader } from "./console-kit.mjs";

let page, server, sink, receiver, browser;
const state = {};
const suite = consoleSuite({ ready: () => ({ page, server, sink, receiver, browser } = ctx) });

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
