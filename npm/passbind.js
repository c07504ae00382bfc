// @passbind/sdk's entry module (the package's "exports" and what the service
// serves as /sdk/passbind.js). It wraps wasm-bindgen's output
// (passbind_wasm.js + passbind_wasm_bg.wasm) so that nobody has to call
// init() first:
//
// - The module awaits the wasm's instantiation at its top level, so
//   isBindPasskeyUrl and parseBindPasskeyUrl are synchronous and work as soon
//   as `import` has resolved. Every browser that can compile the module (it
//   uses wasm reference types) also runs top-level await; a bundler needs an
//   ES2022 target for it (Vite's default build target is newer).
// - A failed load (offline, blocked, no WebAssembly) must not make the import
//   itself fail: a page that only checks links, or shows its own message,
//   still loads. So the failure is caught here; isBindPasskeyUrl then answers
//   false and parseBindPasskeyUrl null (they never throw), and bindPasskey
//   tries the load once more on every call and, if it fails again, rejects
//   like any other bindPasskey failure: an Error with .code "NETWORK" or
//   "UNSUPPORTED" and the original error as .cause.
// - init stays the default export, for pages that preload the wasm or load it
//   from another URL (`init({ module_or_path })`). After a successful load it
//   does nothing, so existing `await init()` calls stay harmless.
//
// The wasm is found by wasm-bindgen's `new URL("passbind_wasm_bg.wasm",
// import.meta.url)`, which bundlers such as Vite and webpack 5 recognise and
// emit as an asset, and which works unbundled (/sdk/) as it is.
import initWasm, * as wasm from "./passbind_wasm.js";

let loaded = false;

/**
 * Loads and instantiates the WebAssembly module. Optional: the module does it
 * when first imported. `options.module_or_path` loads the wasm from elsewhere
 * (a URL, Response, bytes or WebAssembly.Module) if the first load failed.
 * wasm-bindgen's init (0.2.130) shares one load among concurrent callers,
 * starts afresh after a failed one and returns at once after a successful one.
 */
export default async function init(options) {
  await initWasm(options);
  loaded = true;
}

try {
  await init();
} catch {
  // Reported by bindPasskey, which retries; see above.
}

/**
 * Binds a passkey to the identity the binding link names. Resolves with
 * {passkey, postBindingRedirectUri}; rejects with an Error whose .code is a
 * BindPasskeyErrorCode and whose .cause is the original error.
 */
export async function bindPasskey(link, options) {
  if (!loaded) {
    try {
      await init();
    } catch (cause) {
      throw loadError(cause);
    }
  }
  return wasm.bindPasskey(link, options);
}

/** True when `url` is a binding link in either form. Never throws. */
export function isBindPasskeyUrl(url) {
  return loaded && wasm.isBindPasskeyUrl(url);
}

/**
 * The parts of a binding link ({apiBaseUrl, tenantId, realmId, identityId,
 * jobId}, never the token), or null when `url` is not one. Never throws.
 */
export function parseBindPasskeyUrl(url) {
  return loaded ? wasm.parseBindPasskeyUrl(url) : null;
}

// UNSUPPORTED only without WebAssembly at all. Everything else is NETWORK:
// fetch failed, an HTTP error, or bytes that are not wasm — most often an
// HTML page from a captive portal, a proxy or a static host's SPA fallback,
// which trying again (or fixing the wasm's URL) can cure. A browser with
// WebAssembly but too old for this module (no reference types: Chromium
// 89–95) also lands here; it is too rare to tell apart by the error.
function loadError(cause) {
  const unsupported = typeof WebAssembly !== "object";
  const error = unsupported
    ? new Error("this browser has no WebAssembly, which the passbind SDK needs", { cause })
    : new Error(`the passbind SDK's WebAssembly module could not be loaded: ${cause?.message ?? cause}`, { cause });
  error.code = unsupported ? "UNSUPPORTED" : "NETWORK";
  return error;
}
