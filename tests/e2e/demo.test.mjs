// The demo page that `npm start` opens: a person's clicks bind a passkey.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
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

test("the demo page sends an enrollment email to the outbox; its link binds on /bind and comes back", async () => {
  const { page } = chrome;
  await chrome.clearCredentials();
  await page.goto(server.url + "/");
  await page.getByText(/Tenant .* realm .*hosted_web/).waitFor();
  await page.fill("input[name=display_name]", "Mary Jackson");
  await page.fill("input[name=username]", "mary");
  await page.fill("input[name=email]", "mary@example.com");
  await page.click("#create-identity");
  await page.locator("#identity-select option", { hasText: "mary" }).waitFor({ state: "attached" });
  const identityId = await page.inputValue("#identity-select");

  await page.click("#send-email");
  await page.locator("#email-link").waitFor();
  assert.match(await page.textContent("#email-status"), /outbox for mary@example\.com/);
  // The .eml is in the outbox directory the server was started with.
  const files = readdirSync(server.outboxDir).filter((f) => f.endsWith(".eml"));
  assert.equal(files.length, 1);
  assert.match(readFileSync(join(server.outboxDir, files[0]), "utf8"), /To: .*<mary@example\.com>/);

  await page.click("#email-link");
  await page.waitForURL(/\/bind\?api_base_url=/);
  await page.waitForURL(`${server.url}/?bound=${identityId}`);
  await page.getByText("Back from the /bind page").waitFor();
  await page.locator("#passkeys li").first().waitFor();
  assert.equal(await page.locator("#passkeys li").count(), 1);
  assert.equal(await page.inputValue("#identity-select"), identityId);
});
