// A newcomer's app: the page an `embedded` authenticator config's invoke_url
// leads to. The binding service redirects the person's browser here
// ({invoke_url}/bind?api_base_url=…&token=…); the page says which link it got
// and binds a passkey when the person presses the button. The SDK comes from
// the installed package, and nothing calls init(): the package loads its wasm
// when imported.
import { bindPasskey, isBindPasskeyUrl, parseBindPasskeyUrl } from "@passbind/sdk";

const $ = (id) => document.getElementById(id);
const link = location.href;

// Both are synchronous and usable as soon as the import has resolved.
const isLink = isBindPasskeyUrl(link);
let parsed;
try {
  parsed = parseBindPasskeyUrl(link);
} catch (e) {
  // It never throws; this only turns an SDK build without it into a test
  // failure that says so, instead of a page that does nothing.
  parsed = { error: String(e) };
}
// What tests/e2e/package.test.mjs reads back.
window.app = { isLink, parsed, result: null };

// The button stays usable either way: bindPasskey itself says what is wrong
// (INVALID_LINK, or NETWORK when the SDK's wasm could not be loaded).
$("link-info").textContent = isLink
  ? `This link adds a passkey to identity ${parsed?.identityId ?? "?"} (service ${parsed?.apiBaseUrl ?? "?"}).`
  : "This does not look like a passkey link.";
$("bind").disabled = false;

$("bind").addEventListener("click", async () => {
  $("bind").disabled = true;
  $("status").textContent = "Follow your browser's prompt…";
  try {
    const { passkey, postBindingRedirectUri } = await bindPasskey(link);
    $("status").textContent = `Passkey added for ${passkey.identity.username}.`;
    window.app.result = { ok: true, passkey, postBindingRedirectUri };
  } catch (e) {
    $("status").textContent = `No passkey was added (${e.code}): ${e.message}`;
    window.app.result = { ok: false, code: e.code, message: e.message, causeName: e.cause?.name ?? null };
    $("bind").disabled = false;
  }
});
