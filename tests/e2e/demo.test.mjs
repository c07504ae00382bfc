// The demo page that `npm start` opens: a person's clicks bind a passkey.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startServer, openBrowser, base64ToUrl } from "./support.mjs";

let server, chrome;

before(async () => {
  server = await startServer();
  chrome = await openBrowser(server.url + "/");
});

after(async () => {
  await chrome?.browser.close();
  await server?.stop();
});

test("the demo page creates an identity and a link, then binds a passkey", async () => {
  const { page } = chrome;
  await page.getByText(/Tenant .* realm .*hosted_web/).waitFor();
  await page.fill("input[name=display_name]", "Katherine Johnson");
  await page.fill("input[name=username]", "katherine");
  await page.fill("input[name=email]", "katherine@example.com");
  await page.click("#create-identity");
  await page.locator("#identity-select option", { hasText: "katherine" }).waitFor({ state: "attached" });

  await page.click("#create-job");
  await page.getByText("isBindPasskeyUrl: true").waitFor();
  await page.click("#bind");
  await page.locator("#result.ok").waitFor();
  const shown = JSON.parse(await page.textContent("#result"));

  const [credential] = await chrome.credentials();
  assert.equal(shown.passkey.credentialId, base64ToUrl(credential.credentialId));
  assert.equal(shown.passkey.identity.username, "katherine");
  await page.locator("#passkeys li").first().waitFor();
  assert.equal(await page.locator("#passkeys li").count(), 1);
});
