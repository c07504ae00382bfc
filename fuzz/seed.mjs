// Writes the fuzz targets' seed corpora (fuzz/corpus/<target>/) from the
// inputs the tests use: the real-world registration vectors of
// crates/webauthn/tests/vectors (whole responses, their clientDataJSON,
// attestation objects, authenticator data, COSE keys and certificates), the
// links of crates/protocol/tests/links.rs, and admin bodies and console
// inputs shaped as the server's tests send them. Idempotent: a file's name
// is the SHA-1 of its content, as libFuzzer names its own.
// Usage: node fuzz/seed.mjs
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const vectors = join(root, 'crates/webauthn/tests/vectors');
let written = 0;

function seed(target, content) {
  const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content);
  const dir = join(root, 'fuzz/corpus', target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, createHash('sha1').update(bytes).digest('hex')), bytes);
  written++;
}

const b64u = (s) => s.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
const unb64 = (s) => Buffer.from(b64u(s), 'base64url');

// A CBOR reader for what attestation objects hold (definite lengths).
function cbor(buf, pos = 0) {
  const ib = buf[pos++];
  const major = ib >> 5;
  let len = ib & 0x1f;
  if (len === 24) len = buf[pos++];
  else if (len === 25) { len = buf.readUInt16BE(pos); pos += 2; }
  else if (len === 26) { len = buf.readUInt32BE(pos); pos += 4; }
  else if (len === 27) { len = Number(buf.readBigUInt64BE(pos)); pos += 8; }
  switch (major) {
    case 0: return { value: len, end: pos };
    case 1: return { value: -1 - len, end: pos };
    case 2: return { value: buf.subarray(pos, pos + len), end: pos + len };
    case 3: return { value: buf.subarray(pos, pos + len).toString('utf8'), end: pos + len };
    case 4: {
      const items = [];
      for (let i = 0; i < len; i++) { const r = cbor(buf, pos); items.push(r.value); pos = r.end; }
      return { value: items, end: pos };
    }
    case 5: {
      const map = new Map();
      for (let i = 0; i < len; i++) {
        const k = cbor(buf, pos); const v = cbor(buf, k.end);
        map.set(k.value, v.value); pos = v.end;
      }
      return { value: map, end: pos };
    }
    case 6: return cbor(buf, pos);
    default: return { value: len, end: pos };
  }
}

const pemDers = (text) =>
  [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) => Buffer.from(m[1].replace(/\s/g, ''), 'base64'));

// The order of fuzz/src/lib.rs VECTOR_FILES: the registration target's first byte picks one.
const files = [
  'none/firefox-android.json', 'packed/yubikey-firefox.json', 'fido-u2f/yubikey-firefox.json', 'apple/iphone-passkey.json',
  'android-key/fido-conformance.json', 'android-key/pixel-8a.json', 'tpm/surface-pro-4-intc-rsa.json', 'tpm/webauthn-io-ntc-ecc.json',
  'android-safetynet/py-webauthn-chrome-android.json',
];
files.forEach((file, index) => {
  const v = JSON.parse(readFileSync(join(vectors, file), 'utf8'));
  const cred = v.credential;
  for (const f of ['clientDataJSON', 'attestationObject']) cred.response[f] = b64u(cred.response[f]);
  seed('registration', Buffer.concat([Buffer.from([index]), Buffer.from(JSON.stringify(cred))]));
  const clientData = unb64(cred.response.clientDataJSON);
  seed('client_data', clientData);
  const attObj = unb64(cred.response.attestationObject);
  seed('attestation', Buffer.concat([createHash('sha256').update(clientData).digest(), attObj]));
  const att = cbor(attObj).value;
  const authData = att.get('authData');
  seed('authenticator_data', authData);
  if (authData[32] & 0x40) {
    const start = 37 + 18 + authData.readUInt16BE(53);
    seed('cose_key', authData.subarray(start, cbor(authData, start).end));
  }
  const stmt = att.get('attStmt');
  let x5c = stmt instanceof Map ? stmt.get('x5c') : undefined;
  if (!x5c && stmt instanceof Map && stmt.get('response')) {
    // android-safetynet: the x5c is in the JWS header.
    const header = JSON.parse(unb64(stmt.get('response').toString('utf8').split('.')[0]).toString('utf8'));
    x5c = (header.x5c || []).map((c) => Buffer.from(c, 'base64'));
  }
  if (x5c && x5c.length) {
    x5c.forEach((der) => seed('certificate', der));
    seed('certificate', Buffer.concat(x5c));
  }
});
for (const dir of readdirSync(vectors, { withFileTypes: true }).filter((d) => d.isDirectory())) {
  for (const f of readdirSync(join(vectors, dir.name)).filter((f) => f.endsWith('.pem'))) {
    pemDers(readFileSync(join(vectors, dir.name, f), 'utf8')).forEach((der) => seed('certificate', der));
  }
}

// Links: every URL literal of the link tests, in both forms.
const links = readFileSync(join(root, 'crates/protocol/tests/links.rs'), 'utf8');
const job = '/v1/tenants/t/realms/r/identities/i/credential-binding-jobs/j:invokeAuthenticator?token=x';
const query = 'tenant_id=t&realm_id=r&identity_id=i&job_id=j&token=x';
for (const [, url] of links.matchAll(/"(https?:[^"]*)"/g)) {
  if (url.includes('{')) continue;
  if (url.includes('/v1/') || url.includes('/bind')) seed('link', url);
  else {
    seed('link', url + job);
    seed('link', `https://app.example.com/bind?api_base_url=${encodeURIComponent(url)}&${query}`);
  }
}

// The MDS3 BLOB: mode 1 + a payload (signed in the target), mode 0 + a JWT as is.
const entry = (aaguid) => ({
  aaguid,
  metadataStatement: {
    aaguid, description: 'Fuzz Key', attestationTypes: ['basic_full'], icon: 'data:image/png;base64,iVBORw0KGgo=',
    attestationRootCertificates: [readFileSync(join(vectors, 'roots/yubico-u2f-root-ca-457200631.pem'), 'utf8').split('\n').filter((l) => !l.startsWith('-----')).join('')],
  },
  statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2023-01-01', certificateNumber: 'FIDO20020' }, { status: 'REVOKED', effectiveDate: '2024-01-01' }],
  timeOfLastStatusChange: '2024-01-01',
});
const u2f = { attestationCertificateKeyIdentifiers: ['bf7bcaa0d0c6187a8c6abbdd16a15640e7c7bde2'], metadataStatement: { description: 'U2F' }, statusReports: [{ status: 'FIDO_CERTIFIED' }] };
const payload = { legalHeader: 'Fuzz', no: 7, nextUpdate: '2024-07-01', entries: [entry('cb69481e-8ff7-4039-93ec-0a2729a154a8'), u2f, { aaguid: 'nope' }] };
seed('metadata_blob', Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(payload))]));
seed('metadata_blob', Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify({ ...payload, entries: [] }))]));
const jwtHeader = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'JWT', x5c: [pemDers(readFileSync(join(vectors, 'roots/apple-webauthn-root-ca.pem'), 'utf8'))[0].toString('base64')] })).toString('base64url');
seed('metadata_blob', Buffer.concat([Buffer.from([0]), Buffer.from(`${jwtHeader}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.AAAA`)]));

// Admin bodies: the first byte is the operation (passbind_server::fuzzing::admin_body).
const admin = [
  [0, { identity: { display_name: 'Ada Lovelace', traits: { type: 'traits_v0', username: 'ada', primary_email_address: 'ada@example.com' } } }],
  [0, { identity: { display_name: 'Ada', status: 'suspended', traits: { primary_email_address: '' } } }],
  [0, 'q=ada&page_size=10&page_token=MTIzOmFiYw'],
  [1, { url: 'https://hooks.example.com/passbind?x=1', description: 'CRM sync' }],
  [1, { url: 'http://127.0.0.1:8080/hook' }],
  [2, { description: 'CI deploys', realm_id: 'r1' }],
  [3, { authenticator_config: { config: { type: 'hosted_web', rp_id: 'example.com' } } }],
  [3, { authenticator_config: { config: { type: 'embedded', invoke_url: 'https://app.example.com/enroll', trusted_origins: ['https://app.example.com', 'http://localhost:3000'], rp_id: 'example.com', authenticator_attachment: 'platform', user_verification: 'required', attestation: 'direct', policy: { attestation_required: true, aaguid_allow: ['cb69481e-8ff7-4039-93ec-0a2729a154a8'], certified_only: true } } } }],
  [4, { job: { delivery_method: 'RETURN', authenticator_config_id: 'c1', post_binding_redirect_uri: 'https://app.example.com/done' } }],
  [5, { api_token: 'pb_test_secret' }],
  [6, { sender_name: 'Example Corp', subject: 'Create your passkey', logo_url: 'https://example.com/logo.png', primary_color: '#336699', support_url: 'https://example.com/help', footer_text: 'Example Corp\r\nMain Street 1' }],
  [7, 'type=CredentialChange&identity_id=i1&page_size=5'],
  [8, { token: 't', ceremony_id: 'c', credential: { id: 'AA', rawId: 'AA', type: 'public-key', response: { clientDataJSON: 'e30', attestationObject: 'oA', transports: ['usb'] }, clientExtensionResults: { credProps: { rk: true } } } }],
];
for (const [op, body] of admin) seed('admin_body', Buffer.concat([Buffer.from([op]), Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))]));

// Console inputs: 0 Cookie headers, 1 CSRF header + Origin, 2 display name + username.
const consoleInputs = [
  [0, 'a=1; __Host-passbind_session=abcDEF_-123\nb=2;passbind_session=s3cret ; c=3'],
  [0, 'passbind_session="quoted"; passbind_session=second'],
  [1, '1\nhttps://passbind.example.com'],
  [2, 'Ada <Lovelace> & "friends"\nada.lovelace'],
];
for (const [op, text] of consoleInputs) seed('console_input', Buffer.concat([Buffer.from([op]), Buffer.from(text)]));

console.log(`[seed] ${written} seeds written under fuzz/corpus/`);
