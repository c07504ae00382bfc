// Stock Firefox ESR for the end-to-end tests, driven through geckodriver's
// W3C WebDriver HTTP API with plain fetch calls (no npm dependency: a dozen
// endpoints are all the tests need, and Playwright's Firefox is a patched
// build that cannot be installed here). The virtual authenticator is the W3C
// WebAuthn extension of WebDriver, which Firefox implements on its soft token.
//
// openFirefox(url) answers the same small driver interface as support.mjs's
// Chromium driver, so the test bodies are shared.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** Every WebDriver call ends within this, so a stuck step fails instead of hanging the suite. */
const COMMAND_TIMEOUT_MS = 45_000;
/** In-page scripts (bindPasskey included) and page loads; below COMMAND_TIMEOUT_MS so the driver reports them. */
const SCRIPT_TIMEOUT_MS = 30_000;
/** Like Playwright's default for waitFor / waitForURL. */
const WAIT_TIMEOUT_MS = 30_000;
const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";

/** geckodriver: $GECKODRIVER, else on PATH, else where `cargo install` puts it (scripts/setup.sh firefox). */
function geckodriverPath() {
  if (process.env.GECKODRIVER) return process.env.GECKODRIVER;
  const dirs = [...(process.env.PATH ?? "").split(delimiter), join(homedir(), ".cargo", "bin")];
  const found = dirs.map((d) => join(d, "geckodriver")).find((p) => existsSync(p));
  if (!found) throw new Error("geckodriver not found: run `bash scripts/setup.sh firefox` (or set GECKODRIVER)");
  return found;
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts geckodriver, a headless Firefox session on `url` and one virtual
 * authenticator (CTAP2, internal, resident keys, user verification).
 */
export async function openFirefox(url) {
  const binary = process.env.FIREFOX_PATH ?? "/usr/bin/firefox-esr";
  if (!existsSync(binary)) throw new Error(`${binary} not found: run \`bash scripts/setup.sh firefox\` (or set FIREFOX_PATH)`);
  // geckodriver writes each session's Firefox profile under TMPDIR: our own
  // directory, so nothing is left behind even if Firefox is killed.
  const dir = mkdtempSync(join(tmpdir(), "passbind-firefox-"));
  const port = await freePort();
  // Its own process group, so close() (and the exit hook) can kill geckodriver
  // and the Firefox processes it started together.
  const child = spawn(geckodriverPath(), ["--port", String(port), "--websocket-port", String(await freePort()), "--host", "127.0.0.1", "--binary", binary, "--log", "warn"], {
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TMPDIR: dir, MOZ_HEADLESS: "1", MOZ_CRASHREPORTER_DISABLE: "1" },
  });
  // geckodriver relays Firefox's own output, mostly harmless remote-settings
  // and network errors (no internet here): kept, shown only when a start fails.
  let log = "";
  const keep = (d) => { log = (log + d).slice(-20_000); };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  const killGroup = () => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* already gone */ } };
  // If the test process ends without close() (a crash), still leave nothing behind.
  const onExit = () => { killGroup(); rmSync(dir, { recursive: true, force: true }); };
  process.once("exit", onExit);
  const exited = new Promise((r) => child.once("exit", r));
  let spawnError; // e.g. ENOENT: without a listener it would crash the test process
  child.once("error", (e) => { spawnError = e; });

  const base = `http://127.0.0.1:${port}`;
  async function call(method, path, body) {
    let res;
    try {
      res = await fetch(base + path, {
        method,
        headers: body === undefined ? {} : { "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(COMMAND_TIMEOUT_MS),
      });
    } catch (e) {
      throw new Error(`WebDriver ${method} ${path}: ${e.message}`, { cause: e });
    }
    const json = await res.json().catch(() => ({}));
    if (!res.ok) {
      const { error, message } = json.value ?? {};
      throw Object.assign(new Error(`WebDriver ${method} ${path}: ${res.status} ${error}: ${message}`), { webdriverError: error });
    }
    return json.value;
  }

  let session;
  const close = async () => {
    process.removeListener("exit", onExit);
    if (session) await call("DELETE", `/session/${session}`).catch(() => {});
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
      // An unref'd timer: it must not keep the test process alive for 5 s.
      const gone = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(r, 5_000, false).unref())]);
      if (!gone) killGroup();
    }
    killGroup(); // Firefox children that outlived geckodriver, if any.
    rmSync(dir, { recursive: true, force: true });
  };

  let authenticatorId;
  try {
    const deadline = Date.now() + 15_000;
    for (;;) {
      if (spawnError) throw new Error(`geckodriver could not start: ${spawnError.message}`);
      if (child.exitCode !== null) throw new Error(`geckodriver exited with ${child.exitCode}`);
      if (await call("GET", "/status").then((s) => s.ready, () => false)) break;
      if (Date.now() > deadline) throw new Error("geckodriver did not answer in 15 s");
      await sleep(100);
    }
    ({ sessionId: session } = await call("POST", "/session", {
      capabilities: {
        alwaysMatch: {
          browserName: "firefox",
          timeouts: { script: SCRIPT_TIMEOUT_MS, pageLoad: SCRIPT_TIMEOUT_MS, implicit: 0 },
          "moz:firefoxOptions": {
            args: ["-headless"],
            // Without the soft token every create() fails at once with NotAllowedError
            // (TOOLCHAIN.md); USB tokens are off so nothing waits for real hardware.
            prefs: { "security.webauth.webauthn_enable_softtoken": true, "security.webauth.webauthn_enable_usbtoken": false },
          },
        },
      },
    }));
    // The answer's value is the authenticator's ID itself.
    authenticatorId = await call("POST", `/session/${session}/webauthn/authenticator`, {
      protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserConsenting: true, isUserVerified: true,
    });
    await call("POST", `/session/${session}/url`, { url });
  } catch (e) {
    await close();
    throw new Error(`Firefox did not start: ${e.message}\n--- geckodriver output (tail) ---\n${log.slice(-4000)}`, { cause: e });
  }

  const s = `/session/${session}`;
  const auth = `${s}/webauthn/authenticator/${authenticatorId}`;

  /**
   * Runs fn(arg) in the page (fn is sent as source, like page.evaluate) and
   * resolves with its value; a throw in the page rejects here.
   */
  async function evaluate(fn, arg) {
    const script = `const [arg, done] = arguments;
      Promise.resolve().then(() => (${fn})(arg)).then(
        (value) => done({ ok: true, value: value === undefined ? null : value }),
        (e) => done({ ok: false, error: e instanceof Error ? e.name + ": " + e.message + "\\n" + e.stack : String(e) }));`;
    const r = await call("POST", `${s}/execute/async`, { script, args: [arg ?? null] });
    if (!r.ok) throw new Error(`in Firefox's page: ${r.error}`);
    return r.value;
  }

  /**
   * Polls until check() is truthy. Errors while polling (the page navigating
   * away, an unloaded document) count as "not yet"; the last one is reported.
   */
  async function until(what, check, timeout = WAIT_TIMEOUT_MS) {
    const deadline = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        if (await check()) return;
      } catch (e) {
        last = e;
      }
      if (Date.now() > deadline) throw new Error(`Firefox: timed out after ${timeout} ms waiting for ${what}${last ? ` (${last.message})` : ""}`);
      await sleep(100);
    }
  }

  const query = (selector, hasText) => evaluate(([sel, text]) => {
    const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden";
    return [...document.querySelectorAll(sel)].some((el) => visible(el) && (text === null || el.textContent.includes(text)));
  }, [selector, hasText ?? null]);

  return {
    name: "firefox",
    /** Screenshots of the shared tests are saved as test-results/firefox-<name>.png. */
    filePrefix: "firefox-",
    async goto(to) {
      await call("POST", `${s}/url`, { url: to });
    },
    url: () => call("GET", `${s}/url`),
    evaluate,
    /** A visible element matching selector (containing hasText), like Playwright's locator(...).waitFor(). */
    waitFor: (selector, { hasText } = {}) => until(`${selector}${hasText ? ` with "${hasText}"` : ""}`, () => query(selector, hasText)),
    /** A heading containing `name` (Playwright's getByRole("heading", {name}) in Chromium). */
    waitForHeading: (name) => until(`a heading "${name}"`, () => query("h1, h2, h3, h4, h5, h6, [role=heading]", name)),
    /** The page at exactly `to`, loaded. */
    waitForURL: (to) => until(`the page ${to}`, async () =>
      (await call("GET", `${s}/url`)) === to && (await evaluate(() => document.readyState)) === "complete"),
    text: (selector) => evaluate((sel) => document.querySelector(sel)?.textContent ?? null, selector),
    attribute: (selector, name) => evaluate(([sel, n]) => document.querySelector(sel)?.getAttribute(n) ?? null, [selector, name]),
    isVisible: (selector) => query(selector, null),
    /** A real WebDriver click (trusted event, user activation), not element.click(). */
    async click(selector) {
      const el = await call("POST", `${s}/element`, { using: "css selector", value: selector });
      await call("POST", `${s}/element/${el[ELEMENT]}/click`, {});
    },
    /** A PNG written to `path` (the subset of Playwright's page.screenshot the tests use); fullPage via geckodriver's extension. */
    async screenshot({ path, fullPage = false }) {
      const png = Buffer.from(await call("GET", `${s}/${fullPage ? "moz/screenshot/full" : "screenshot"}`), "base64");
      writeFileSync(path, png);
      return png;
    },
    /** The authenticator's credentials; WebDriver already gives credentialId in base64url. */
    async credentials() {
      return call("GET", `${auth}/credentials`);
    },
    clearCredentials: () => call("DELETE", `${auth}/credentials`),
    setUserVerified: (isUserVerified) => call("POST", `${auth}/uv`, { isUserVerified }),
    close,
  };
}
