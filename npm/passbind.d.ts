// Types of @passbind/sdk's entry (passbind.js). Its three functions keep the
// signatures of the wasm exports they wrap, so their declarations and the
// types they use (BoundPasskey, BindPasskeyOptions, BindPasskeyErrorCode,
// BindPasskeyError, BindPasskeyRejectionReason, ParsedBindPasskeyUrl) are
// re-exported from wasm-bindgen's passbind_wasm.d.ts, generated from
// src/lib.rs: they cannot drift from the Rust side. Only init differs: it
// resolves to nothing, not to the wasm's raw exports.
import type { InitInput } from "./passbind_wasm.js";

export { bindPasskey, isBindPasskeyUrl, parseBindPasskeyUrl } from "./passbind_wasm.js";
export type {
  BindPasskeyError,
  BindPasskeyErrorCode,
  BindPasskeyOptions,
  BindPasskeyRejectionReason,
  BoundPasskey,
  InitInput,
  ParsedBindPasskeyUrl,
} from "./passbind_wasm.js";

/**
 * Loads the WebAssembly module. Optional: importing the module starts the
 * load, and bindPasskey retries it if it failed; after a successful load it
 * does nothing. `module_or_path` loads the wasm from another URL, a Response,
 * bytes or a compiled module.
 */
export default function init(options?: { module_or_path?: InitInput | Promise<InitInput> }): Promise<void>;
