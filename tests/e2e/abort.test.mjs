// The shipped SDK (release build, panic = abort) against the real service in
// Chromium: a caller's abort with a string reason never traps the module,
// and a credential the service refuses is signalled unknown to the browser.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, newBindingLink, openBrowser, base64ToUrl } from "./support.mjs";

let server, chrome, configId;

before(async () => {
  server = await startServer();
  configId = (await server.admin("POST", "/authenticator-configs", { authenticator_config: { config: { type: "hosted_web" } } })).id;
  chrome = await openBrowser(server.url + "/");
});

after(async () => {
  await chrome?.close();
  await server?.stop();
});

test("aborting with a string reason during the ceremony is ABORTED, and the same module binds afterwards", async () => {
  await chrome.clearCredentials();
  const { identity, link } = await newBindingLink(server.admin, configId, "Barbara Liskov");
  const result = await chrome.page.evaluate(async (link) => {
    const sdk = await import("/sdk/passbind.js");
    const describe = (e) => ({ code: e.code, isError: e instanceof Error, cause: e.cause });
    // The caller aborts while the authenticator prompt is open.
    const controller = new AbortController();
    const container = navigator.credentials;
    const create = container.create;
    container.create = function (options) {
      controller.abort("the user closed the dialog");
      return create.call(container, options);
    };
    let aborted;
    try {
      aborted = { ok: true, value: await sdk.bindPasskey(link, { signal: controller.signal }) };
    } catch (e) {
      aborted = { ok: false, error: describe(e) };
    } finally {
      container.create = create;
    }
    // A signal aborted with a string before the call starts.
    let early;
    try {
      await sdk.bindPasskey(link, { signal: AbortSignal.abort("not now") });
    } catch (e) {
      early = describe(e);
    }
    // Same module instance, same link: binds.
    const bound = await sdk.bindPasskey(link).then((v) => ({ ok: true, value: v }), (e) => ({ ok: false, error: describe(e) }));
    return { aborted, early, bound };
  }, link);

  assert.deepEqual(result.aborted, { ok: false, error: { code: "ABORTED", isError: true, cause: "the user closed the dialog" } });
  assert.deepEqual(result.early, { code: "ABORTED", isError: true, cause: "not now" });
  assert.ok(result.bound.ok, JSON.stringify(result.bound.error));
  assert.equal(result.bound.value.passkey.identity.id, identity.id);
  assert.equal((await server.admin("GET", `/identities/${identity.id}/credentials`)).credentials.length, 1);
});

test("a credential the service refuses is signalled unknown with its RP ID and credential ID", async () => {
  await chrome.clearCredentials();
  const { identity, job, link } = await newBindingLink(server.admin, configId, "Frances Allen");
  // The job is revoked while the person is at the authenticator prompt, so
  // :bindCredential refuses the credential the authenticator just created.
  await chrome.page.exposeFunction("revokeJob", () => server.admin("POST", `/identities/${identity.id}/credential-binding-jobs/${job.id}:revoke`, {}));
  const result = await chrome.page.evaluate(async (link) => {
    const sdk = await import("/sdk/passbind.js");
    const signalled = [];
    const original = PublicKeyCredential.signalUnknownCredential;
    PublicKeyCredential.signalUnknownCredential = function (options) {
      signalled.push({ ...options });
      return original.call(PublicKeyCredential, options);
    };
    const container = navigator.credentials;
    const create = container.create;
    let createdId;
    container.create = async function (options) {
      const created = await create.call(container, options);
      createdId = created.id;
      await window.revokeJob();
      return created;
    };
    try {
      await sdk.bindPasskey(link);
      return { ok: true, signalled, createdId };
    } catch (e) {
      return { ok: false, code: e.code, signalled, createdId };
    } finally {
      container.create = create;
      PublicKeyCredential.signalUnknownCredential = original;
    }
  }, link);

  assert.equal(result.ok, false);
  assert.equal(result.code, "JOB_REVOKED");
  assert.deepEqual(result.signalled, [{ rpId: "localhost", credentialId: result.createdId }]);
  // …the credential the authenticator made (unless the browser already dropped it).
  const left = (await chrome.credentials()).map((c) => base64ToUrl(c.credentialId));
  assert.ok(left.length === 0 || (left.length === 1 && left[0] === result.createdId), JSON.stringify(left));
  assert.equal((await server.admin("GET", `/identities/${identity.id}/credentials`)).credentials.length, 0);
});
