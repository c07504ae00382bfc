// Email branding on the hosted /bind page (issue 11, part 2), in a real
// browser: the realm's logo (served from another origin, allowed by the
// page's CSP for that origin only), its colour (a same-origin stylesheet,
// the page's style-src stays 'self'), its support link and footer, escaped
// (a <script> in the footer is shown as text and never runs); the passkey is
// still created. Screenshot: test-results/bind-branded.png.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startServer, newBindingLink, openBrowser, redirectOf, screenshot, browsers } from "./support.mjs";

const LOGO = `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40" viewBox="0 0 160 40">
<rect width="160" height="40" rx="6" fill="#0a7f3f"/><text x="80" y="27" font-family="sans-serif" font-size="20" fill="#fff" text-anchor="middle">ACME</text></svg>`;

let server, configId, logoServer, logoUrl;

before(async () => {
  server = await startServer();
  const config = await server.admin("POST", "/authenticator-configs", { authenticator_config: { config: { type: "hosted_web" } } });
  configId = config.id;
  // The logo on another origin (loopback http is allowed for development).
  logoServer = createServer((req, res) => res.writeHead(200, { "content-type": "image/svg+xml" }).end(LOGO));
  await new Promise((resolve) => logoServer.listen(0, "127.0.0.1", resolve));
  logoUrl = `http://127.0.0.1:${logoServer.address().port}/logo.svg`;
  await server.admin("PUT", "/email-branding", {
    sender_name: "Acme Passkeys",
    logo_url: logoUrl,
    primary_color: "#0A7F3F",
    support_url: "https://help.acme.example/passkeys",
    footer_text: "Acme Inc. <script>window.__branded = 1</script>\nQuestions? Write to it@acme.example",
  });
});

after(async () => {
  await server?.stop();
  logoServer?.closeAllConnections();
  await new Promise((r) => (logoServer ? logoServer.close(r) : r()));
});

for (const name of browsers) describe(name, () => {
  let browser;
  before(async () => {
    browser = await openBrowser(server.url + "/", name);
  });
  after(async () => {
    await browser?.close();
  });

  test("the /bind page of a branded realm shows its logo, colour, support link and footer, escaped, and binds", async () => {
    const { link } = await newBindingLink(server.admin, configId, `Branded ${name}`);
    await browser.goto(await redirectOf(link));
    await browser.waitForHeading("Your passkey is ready");
    const seen = await browser.evaluate(() => {
      const logo = document.querySelector("img.brand-logo");
      return {
        brand: getComputedStyle(document.documentElement).getPropertyValue("--brand").trim(),
        heading: getComputedStyle(document.querySelector("h1")).color,
        logoLoaded: Boolean(logo?.complete && logo.naturalWidth > 0),
        logoAlt: logo?.alt,
        support: document.querySelector("a.brand-support")?.href,
        footer: document.querySelector(".brand-footer-text")?.innerText,
        ran: window.__branded ?? null,
        scripts: document.querySelectorAll("script").length,
      };
    });
    assert.equal(seen.brand, "#0a7f3f");
    assert.equal(seen.heading, "rgb(10, 127, 63)");
    assert.ok(seen.logoLoaded, "the logo's origin is allowed by the page's CSP");
    assert.equal(seen.logoAlt, "Acme Passkeys");
    assert.equal(seen.support, "https://help.acme.example/passkeys");
    assert.equal(seen.footer, "Acme Inc. <script>window.__branded = 1</script>\nQuestions? Write to it@acme.example");
    assert.equal(seen.ran, null, "the footer's <script> is text, never run");
    assert.equal(seen.scripts, 1, "only bind.js");
    await screenshot(browser, "bind-branded");
  });
});
