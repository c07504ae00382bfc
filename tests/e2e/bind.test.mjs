// The walking skeleton end to end: admin API → binding link → bindPasskey in
// a real browser with a virtual authenticator → verified, stored passkey.
// Every test runs in each of `browsers` (Chromium, Firefox ESR).
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, newBindingLink, openBrowser, base64ToUrl, browsers } from "./support.mjs";

// A service per browser: the tests create the same usernames in each.
for (const name of browsers) describe(name, () => {
  let server, configId, browser;

  before(async () => {
    server = await startServer();
    const config = await server.admin("POST", "/authenticator-configs", { authenticator_config: { config: { type: "hosted_web" } } });
    assert.equal(config.config.type, "hosted_web");
    configId = config.id;
    browser = await openBrowser(server.url + "/", name);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("bindPasskey binds the authenticator's credential and the admin API lists it", async () => {
    const { identity, job, link } = await newBindingLink(server.admin, configId, "Grace Hopper");
    assert.equal(job.state, "LINK_SENT");
    assert.equal(await browser.evaluate(async (l) => (await import("/sdk/passbind.js")).isBindPasskeyUrl(l), link), true);

    const before = await browser.credentials();
    const result = await browser.bind(link);
    assert.ok(result.ok, JSON.stringify(result.error));
    const { passkey, postBindingRedirectUri } = result.value;

    // The one new credential in the authenticator is the passkey the SDK returned.
    const created = (await browser.credentials()).filter((c) => !before.some((b) => b.credentialId === c.credentialId));
    assert.equal(created.length, 1);
    assert.equal(passkey.credentialId, base64ToUrl(created[0].credentialId));
    assert.equal(created[0].rpId, "localhost");
    assert.equal(passkey.state, "ACTIVE");
    assert.equal(passkey.identity.id, identity.id);
    assert.equal(passkey.identity.username, "grace.hopper");
    assert.equal(passkey.identity.displayName, "Grace Hopper");
    assert.equal(passkey.tenant.id, server.bootstrap.tenant_id);
    assert.equal(passkey.realm.id, server.bootstrap.realm_id);
    assert.match(passkey.authenticator.aaguid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(postBindingRedirectUri, "http://localhost/done");

    // …and the same one the admin API lists; the job is COMPLETE.
    const { credentials } = await server.admin("GET", `/identities/${identity.id}/credentials`);
    assert.deepEqual(credentials.map((c) => [c.id, c.credential_id]), [[passkey.id, passkey.credentialId]]);
    const { credential_binding_job } = await server.admin("GET", `/identities/${identity.id}/credential-binding-jobs/${job.id}`)
      .then((r) => (r.credential_binding_job ? r : { credential_binding_job: r }));
    assert.equal(credential_binding_job.state, "COMPLETE");

    // The link is single-use: a second bind fails with JOB_COMPLETE and stores nothing.
    const again = await browser.bind(link);
    assert.equal(again.ok, false);
    assert.equal(again.error.isError, true);
    assert.equal(again.error.code, "JOB_COMPLETE");
    assert.equal((await server.admin("GET", `/identities/${identity.id}/credentials`)).credentials.length, 1);
  });

  test("a cancelled ceremony fails with NOT_ALLOWED and the same link works afterwards", async () => {
    const { identity, link } = await newBindingLink(server.admin, configId, "Alan Turing");
    await browser.setUserVerified(false);
    let cancelled;
    try {
      cancelled = await browser.bind(link);
    } finally {
      await browser.setUserVerified(true);
    }
    assert.equal(cancelled.ok, false);
    assert.equal(cancelled.error.isError, true);
    assert.equal(cancelled.error.code, "NOT_ALLOWED");
    assert.equal(cancelled.error.causeName, "NotAllowedError");
    assert.equal((await server.admin("GET", `/identities/${identity.id}/credentials`)).credentials.length, 0);

    const retried = await browser.bind(link);
    assert.ok(retried.ok, JSON.stringify(retried.error));
    assert.equal(retried.value.passkey.identity.id, identity.id);
    assert.equal((await server.admin("GET", `/identities/${identity.id}/credentials`)).credentials.length, 1);
  });

  test("malformed links reject with INVALID_LINK before any request", async () => {
    for (const bad of ["", "https://example.com/", "http://api.example.com/v1/tenants/t/realms/r/identities/i/credential-binding-jobs/j:invokeAuthenticator?token=x"]) {
      const r = await browser.bind(bad);
      assert.equal(r.ok, false, bad);
      assert.equal(r.error.code, "INVALID_LINK", bad);
      assert.equal(r.error.isError, true, bad);
    }
  });

  test("a config's authenticator policy refuses with ATTESTATION_REJECTED and the reason as .reason", async () => {
    await browser.clearCredentials();
    // An allow list the virtual authenticator's AAGUID is not on (issue 12).
    const allowOnly = await server.admin("POST", "/authenticator-configs", {
      authenticator_config: { config: { type: "hosted_web", policy: { aaguid_allow: ["00000000-0000-4000-8000-00000000a11e"] } } },
    });
    assert.deepEqual(allowOnly.config.policy.aaguid_allow, ["00000000-0000-4000-8000-00000000a11e"]);
    const { identity, link } = await newBindingLink(server.admin, allowOnly.id, "Barbara Liskov");
    const r = await browser.bind(link);
    assert.equal(r.ok, false);
    assert.equal(r.error.isError, true);
    assert.equal(r.error.code, "ATTESTATION_REJECTED");
    assert.equal(r.error.reason, "aaguid_not_allowed");
    assert.equal((await server.admin("GET", `/identities/${identity.id}/credentials`)).credentials.length, 0);
  });

  test("an unknown token is refused by the service with INVALID_LINK", async () => {
    const { link } = await newBindingLink(server.admin, configId, "Edsger Dijkstra");
    const forged = link.replace(/token=[^&]+/, "token=forged-token");
    const r = await browser.bind(forged);
    assert.equal(r.ok, false);
    assert.equal(r.error.code, "INVALID_LINK");
  });
});
