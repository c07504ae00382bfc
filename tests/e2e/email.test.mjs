// The seeds' "Sending Enrollment Emails" flow, for real: an EMAIL job sends a
// message over SMTP (to a sink in this test); the person opens the link in
// the browser (Chromium and Firefox ESR: `browsers`); the service redirects
// to {invoke_url}/bind (an application of its own on another port, serving a
// copy of the /bind page) or to its own /bind (hosted_web); the page binds
// the passkey with the virtual authenticator and lands on
// post_binding_redirect_uri. Screenshots of the page's states go to
// test-results/ (Firefox's with a firefox- prefix).
import { test, describe, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  root, startServer, startSmtpSink, startAppServer, openBrowser, parseMail, findLink, redirectOf, screenshot, base64ToUrl, browsers,
} from "./support.mjs";

let sink, server, app, embeddedId;
let people = 0;

before(async () => {
  sink = await startSmtpSink();
  server = await startServer(
    ["--smtp-host", "127.0.0.1", "--smtp-port", String(sink.port), "--smtp-tls", "none", "--mail-from", "Example Passkeys <passkeys@example.test>"],
    // Debug logs on: the token must still not appear in them (SMTP mode).
    { env: { RUST_LOG: "debug,sqlx=debug,tower_http=debug,hyper=info,h2=info" } },
  );
  app = await startAppServer();
  const config = await server.admin("POST", "/authenticator-configs", {
    authenticator_config: { config: { type: "embedded", invoke_url: `${app.url}/app`, trusted_origins: [app.url] } },
  });
  embeddedId = config.id;
});

after(async () => {
  await server?.stop();
  await app?.close();
  await sink?.close();
});

/** A new identity with an EMAIL job; returns {identity, job, link, mail}. */
async function emailJob(configId, redirect = `${app.url}/app/done`) {
  const n = ++people;
  const identity = await server.admin("POST", "/identities", {
    identity: { display_name: `Person ${n}`, traits: { type: "traits_v0", username: `person${n}`, primary_email_address: `person${n}@example.com` } },
  });
  const res = await server.admin("POST", `/identities/${identity.id}/credential-binding-jobs`, {
    job: { delivery_method: "EMAIL", authenticator_config_id: configId, post_binding_redirect_uri: redirect },
  });
  assert.deepEqual(Object.keys(res), ["credential_binding_job"], "EMAIL answers the job only, no link");
  assert.equal(res.credential_binding_job.state, "LINK_SENT");
  const message = await sink.next();
  assert.deepEqual(message.rcpt, [`person${n}@example.com`]);
  assert.equal(message.from, "passkeys@example.test");
  const mail = parseMail(message.raw);
  assert.match(mail.headers.to, new RegExp(`Person ${n}.*<person${n}@example\\.com>`));
  assert.ok(mail.text && mail.html, "text and HTML parts");
  const link = findLink(mail.text);
  assert.equal(findLink(mail.html), link);
  return { identity, job: res.credential_binding_job, link, mail };
}

async function jobState(identity, job) {
  return (await server.admin("GET", `/identities/${identity.id}/credential-binding-jobs/${job.id}`)).state;
}

for (const name of browsers) describe(name, () => {
  let browser;
  // Tests that need Playwright itself (a second page, request interception).
  const chromiumOnly = name === "chromium" ? test : () => {};

  before(async () => {
    browser = await openBrowser(`${app.url}/app/done`, name);
  });

  // Chromium's virtual authenticator keeps at most 3 resident credentials.
  beforeEach(() => browser.clearCredentials());

  after(async () => {
    await browser?.close();
  });

  test("embedded: the emailed link opens the application's copy of /bind, binds, and lands on post_binding_redirect_uri", async () => {
    const { identity, job, link } = await emailJob(embeddedId);
    const before = await browser.credentials();

    await browser.goto(link);
    // The 302 went to {invoke_url}/bind on the application's origin.
    const url = await browser.url();
    assert.ok(url.startsWith(`${app.url}/app/bind?api_base_url=`), url);
    await browser.waitFor("main[data-state=done]");
    assert.equal(await browser.text("#result-title"), "Your passkey is ready");
    assert.equal(await browser.evaluate(() => document.activeElement?.id), "result-title", "focus moves to the result");
    assert.equal(await browser.attribute("#continue", "href"), `${app.url}/app/done`);
    // The "Continue now" link is shown, not only set (its row was once left hidden).
    assert.equal(await browser.evaluate(() => document.getElementById("continue").checkVisibility()), true);
    await screenshot(browser, "bind-success");
    await browser.waitForURL(`${app.url}/app/done`);
    assert.equal(await browser.text("h1"), "Welcome back to the example app");

    const created = (await browser.credentials()).filter((c) => !before.some((b) => b.credentialId === c.credentialId));
    assert.equal(created.length, 1);
    assert.equal(created[0].rpId, "localhost");
    const { credentials } = await server.admin("GET", `/identities/${identity.id}/credentials`);
    assert.deepEqual(credentials.map((c) => c.credential_id), [base64ToUrl(created[0].credentialId)]);
    assert.equal(await jobState(identity, job), "COMPLETE");

    // The link is used: opening it again shows the service's page, no redirect.
    const res = await fetch(link, { redirect: "manual", headers: { Accept: "text/html" } });
    assert.equal(res.status, 409);
    assert.equal(res.headers.get("location"), null);
    await browser.goto(link);
    await browser.waitForHeading("This link was already used");
    await screenshot(browser, "link-page-already-used");

    // No token in the service's logs (SMTP mode), even at debug level.
    const token = new URL(link).searchParams.get("token");
    assert.ok(token.length > 20);
    assert.ok(!server.logs().includes(token), "the token must not be logged");
  });

  test("hosted_web: the emailed link opens the service's own /bind page and binds", async () => {
    const { identity, job, link } = await emailJob(server.bootstrap.authenticator_config_id);
    await browser.goto(link);
    const url = await browser.url();
    assert.ok(url.startsWith(`${server.url}/bind?api_base_url=`), url);
    await browser.waitForURL(`${app.url}/app/done`);
    assert.equal((await server.admin("GET", `/identities/${identity.id}/credentials`)).credentials.length, 1);
    assert.equal(await jobState(identity, job), "COMPLETE");
  });

  chromiumOnly("the page shows 'waiting for your authenticator' while the authenticator is asked", async () => {
    const { job, identity, link } = await emailJob(embeddedId);
    // A page with no virtual authenticator: create() waits for one forever.
    const page = await browser.browser.newPage();
    try {
      await page.goto(link);
      await page.locator("main[data-state=authenticator]").waitFor();
      assert.match(await page.textContent("#status"), /Waiting for your authenticator/);
      assert.equal(await page.getAttribute('li[data-step="authenticator"]', "aria-current"), "step");
      assert.equal(await page.getAttribute('li[data-step="preparing"]', "class"), "done");
      await screenshot(page, "bind-waiting-for-authenticator");
      assert.equal(await jobState(identity, job), "LINK_OPENED");
    } finally {
      await page.close();
      // WebAuthn needs the document focused: give it back to the main page.
      await browser.page.bringToFront();
    }
  });

  test("a cancelled prompt (NOT_ALLOWED) offers a retry that works without reloading", async () => {
    const { identity, job, link } = await emailJob(embeddedId);
    await browser.setUserVerified(false);
    try {
      await browser.goto(link);
      await browser.waitFor("main[data-code=NOT_ALLOWED]");
    } finally {
      await browser.setUserVerified(true);
    }
    assert.equal(await browser.text("#result-title"), "The passkey was not created");
    assert.ok(await browser.isVisible("#retry"));
    assert.equal(await browser.evaluate(() => document.activeElement?.id), "result-title");
    await screenshot(browser, "bind-error-not-allowed");
    assert.equal((await server.admin("GET", `/identities/${identity.id}/credentials`)).credentials.length, 0);

    await browser.evaluate(() => { window.sameDocument = true; });
    await browser.click("#retry");
    await browser.waitFor("main[data-state=done]");
    assert.equal(await browser.evaluate(() => window.sameDocument), true, "no reload");
    await browser.waitForURL(`${app.url}/app/done`);
    assert.equal(await jobState(identity, job), "COMPLETE");
  });

  test("the page explains used, cancelled and invalid links (no retry)", async () => {
    const expectError = async (url, code, title, shot) => {
      await browser.goto(url);
      await browser.waitFor(`main[data-code=${code}]`);
      assert.equal(await browser.text("#result-title"), title);
      assert.equal(await browser.isVisible("#retry"), false, `${code} has no retry`);
      assert.equal(await browser.text("#result-code"), code);
      await screenshot(browser, shot);
    };

    // JOB_COMPLETE: the /bind address of a job that is already complete.
    const done = await emailJob(embeddedId);
    const doneBind = await redirectOf(done.link);
    await browser.goto(doneBind);
    await browser.waitForURL(`${app.url}/app/done`);
    await expectError(doneBind, "JOB_COMPLETE", "This link was already used", "bind-error-job-complete");

    // JOB_REVOKED: revoked after the email went out (the /bind address from an earlier open).
    const revoked = await emailJob(embeddedId);
    const revokedBind = await redirectOf(revoked.link);
    await server.admin("POST", `/identities/${revoked.identity.id}/credential-binding-jobs/${revoked.job.id}:revoke`);
    await expectError(revokedBind, "JOB_REVOKED", "This link was cancelled", "bind-error-job-revoked");
    // …and the emailed link itself now gets the service's page.
    await browser.goto(revoked.link);
    await browser.waitForHeading("This link was cancelled");
    await screenshot(browser, "link-page-revoked");

    // INVALID_LINK: /bind without a link, and with a forged token.
    await expectError(`${app.url}/app/bind`, "INVALID_LINK", "This link is not valid", "bind-error-invalid-link");
    const fresh = await emailJob(embeddedId);
    const forged = (await redirectOf(fresh.link)).replace(/token=[^&]+/, "token=forged");
    await expectError(forged, "INVALID_LINK", "This link is not valid", "bind-error-forged-token");
  });

  chromiumOnly("a network failure (NETWORK) offers a retry that works once the network is back", async () => {
    const { page } = browser;
    const { identity, job, link } = await emailJob(embeddedId);
    // The browser's POST to the service fails; the GET of the emailed link still works.
    const offline = (url) => url.pathname.endsWith(":invokeAuthenticator");
    await page.route(offline, (route) => (route.request().method() === "POST" ? route.abort("internetdisconnected") : route.continue()));
    try {
      await page.goto(link);
      await page.locator("main[data-code=NETWORK]").waitFor();
    } finally {
      await page.unroute(offline);
    }
    assert.equal(await page.textContent("#result-title"), "The service could not be reached");
    assert.ok(await page.isVisible("#retry"));
    await screenshot(page, "bind-error-network");
    await page.click("#retry");
    await page.waitForURL(`${app.url}/app/done`);
    assert.equal(await jobState(identity, job), "COMPLETE");
  });
});

test("the page has a message for every error code, and a retry exactly where retrying helps", () => {
  const codes = ["INVALID_LINK", "LINK_EXPIRED", "JOB_COMPLETE", "JOB_REVOKED", "IDENTITY_SUSPENDED", "NOT_ALLOWED", "ALREADY_REGISTERED",
    "ABORTED", "UNSUPPORTED", "SECURITY", "ATTESTATION_REJECTED", "NETWORK", "SERVER"];
  const source = readFileSync(join(root, "www", "bind.js"), "utf8");
  const entries = [...source.matchAll(/^ {2}([A-Z_]+): \["[^"]+", "[^"]+"(, true)?\],$/gm)];
  assert.deepEqual(entries.map((m) => m[1]).sort(), [...codes].sort());
  assert.deepEqual(entries.filter((m) => m[2]).map((m) => m[1]).sort(), ["ABORTED", "NETWORK", "NOT_ALLOWED"]);
});
