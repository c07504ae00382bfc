// A WebDriver proxy between wasm-bindgen-test-runner and chromedriver, so the
// in-browser tests can run real WebAuthn ceremonies. No dependencies.
//
// - It starts chromedriver itself and forwards every request to it.
// - On `POST /session` it adds the Chromium flags this machine needs (root →
//   --no-sandbox; no network → no background traffic), then attaches a
//   virtual authenticator through the WebDriver WebAuthn extension: no flag
//   can add one, and without one `navigator.credentials.create` never settles.
// - On `POST /session/{id}/url` it rewrites 127.0.0.1 to localhost: the runner
//   serves on an IP, and WebAuthn refuses an IP address as RP ID.
//
// Usage: node webdriver-proxy.mjs  → prints "listening PORT" once ready.
// Env: CHROMEDRIVER (default /usr/bin/chromedriver), CHROMIUM (default /usr/bin/chromium).
import http from 'node:http';
import net from 'node:net';
import { spawn } from 'node:child_process';

const CHROMEDRIVER = process.env.CHROMEDRIVER || '/usr/bin/chromedriver';
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROME_ARGS = ['headless', 'no-sandbox', 'disable-dev-shm-usage', 'disable-gpu',
  'disable-background-networking', 'disable-component-update', 'disable-sync',
  'no-first-run', 'no-default-browser-check'];
const AUTHENTICATOR = { protocol: 'ctap2', transport: 'internal', hasResidentKey: true,
  hasUserVerification: true, isUserConsenting: true, isUserVerified: true };

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer().listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  s.on('error', reject);
});

const driverPort = await freePort();
const driver = spawn(CHROMEDRIVER, [`--port=${driverPort}`], { stdio: ['ignore', 'ignore', 'inherit'] });
driver.on('exit', (code) => { console.error(`chromedriver exited (${code})`); process.exit(1); });
const stop = () => { driver.removeAllListeners('exit'); driver.kill(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request({ host: '127.0.0.1', port: driverPort, method, path,
      headers: data ? { 'content-type': 'application/json; charset=utf-8', 'content-length': data.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

// Wait for chromedriver to answer.
for (let i = 0; ; i++) {
  try { if ((await call('GET', '/status')).status === 200) break; } catch {}
  if (i > 100) { console.error('chromedriver did not start'); process.exit(1); }
  await new Promise((r) => setTimeout(r, 100));
}

function withChromeOptions(caps) {
  caps = caps || {};
  const opts = caps['goog:chromeOptions'] = caps['goog:chromeOptions'] || {};
  opts.binary = opts.binary || CHROMIUM;
  opts.args = [...new Set([...(opts.args || []), ...CHROME_ARGS])];
  return caps;
}

async function handle(req, body) {
  let text = body.toString('utf8');
  if (req.method === 'POST' && req.url === '/session') {
    const json = JSON.parse(text || '{}');
    // The runner speaks the legacy form; cover the W3C one too.
    if (json.desiredCapabilities) withChromeOptions(json.desiredCapabilities);
    if (json.capabilities) json.capabilities.alwaysMatch = withChromeOptions(json.capabilities.alwaysMatch);
    const res = await call('POST', '/session', json);
    const answer = JSON.parse(res.body.toString('utf8'));
    const id = answer.sessionId || answer.value?.sessionId;
    if (id) {
      const added = await call('POST', `/session/${id}/webauthn/authenticator`, AUTHENTICATOR);
      if (added.status !== 200) console.error('could not add a virtual authenticator:', added.body.toString());
    }
    return res;
  }
  if (req.method === 'POST' && /^\/session\/[^/]+\/url$/.test(req.url)) {
    const json = JSON.parse(text);
    json.url = json.url.replace('//127.0.0.1:', '//localhost:');
    text = JSON.stringify(json);
  }
  return call(req.method, req.url, text.length ? text : undefined);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const out = await handle(req, Buffer.concat(chunks));
      res.writeHead(out.status, { 'content-type': out.headers['content-type'] || 'application/json' });
      res.end(out.body);
    } catch (e) {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ value: { error: 'unknown error', message: String(e) } }));
    }
  });
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => console.log(`listening ${server.address().port}`));
