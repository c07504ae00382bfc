//! passbind's browser SDK: `bindPasskey(link)` binds a passkey to the
//! identity a binding link names; `isBindPasskeyUrl(url)` and
//! `parseBindPasskeyUrl(url)` read such links. This file is the JavaScript
//! surface only; the work is in the modules below.

#[doc(hidden)]
pub mod abort;
#[doc(hidden)]
pub mod credential;
#[doc(hidden)]
pub mod error;
#[doc(hidden)]
pub mod http;
#[doc(hidden)]
pub mod js;
#[doc(hidden)]
pub mod options;
#[doc(hidden)]
pub mod passkey;
#[doc(hidden)]
pub mod webauthn;

// A 1 KB free-list allocator instead of std's dlmalloc (Cargo.toml).
// SAFETY: the SDK runs on the one thread of its window or worker; wasm32
// without the atomics feature has no other.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[allow(unsafe_code)]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

use abort::LinkedAbort;
use error::BindError;
use passbind_protocol::wire::{BindCredentialRequest, BindCredentialResponse, InvokeAuthenticatorRequest, InvokeAuthenticatorResponse};
use passbind_protocol::BindingLink;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
export interface BindPasskeyOptions { signal?: AbortSignal }
export interface BoundPasskey {
  passkey: {
    id: string; credentialId: string; created: string; state: string;
    tenant: { id: string; displayName: string };
    realm: { id: string; displayName: string };
    identity: { id: string; username: string; displayName: string; emailAddress: string | null };
    authenticator: {
      aaguid: string; attachment: string | null; transports: string[]; backupEligible: boolean; backedUp: boolean;
      /** The model's name ("iCloud Keychain", "YubiKey 5 NFC", …), when the service knows it. */
      name?: string;
      /** The model's icon, a `data:image/…` URL, when the service's metadata has one. */
      icon?: string;
    };
  };
  postBindingRedirectUri: string | null;
}
/** The parts of a binding link, without its one-time token. */
export interface ParsedBindPasskeyUrl {
  apiBaseUrl: string; tenantId: string; realmId: string; identityId: string; jobId: string;
}
export type BindPasskeyErrorCode = "INVALID_LINK" | "LINK_EXPIRED" | "JOB_COMPLETE" | "JOB_REVOKED" |
  "IDENTITY_SUSPENDED" | "NOT_ALLOWED" | "ALREADY_REGISTERED" | "ABORTED" | "UNSUPPORTED" | "SECURITY" |
  "ATTESTATION_REJECTED" | "NETWORK" | "SERVER";
/**
 * Why the service refused an authenticator under the config's policy (with code
 * ATTESTATION_REJECTED); other WebAuthn check codes (snake_case) may appear too.
 */
export type BindPasskeyRejectionReason = "aaguid_not_allowed" | "aaguid_denied" | "attestation_required" |
  "untrusted_attestation" | "authenticator_revoked" | "authenticator_compromised" | "not_certified" | "no_metadata" |
  (string & {});
/**
 * What a rejected bindPasskey carries: `.code` from the list, `.cause` the original error
 * (for a refusal by the service, its `{code, message, details}` body), and `.reason` when
 * the service named a precise reason (`details[].reason`).
 */
export interface BindPasskeyError extends Error { code: BindPasskeyErrorCode; reason?: BindPasskeyRejectionReason; cause?: unknown }
"#;

#[wasm_bindgen]
extern "C" {
    /// `{signal?: AbortSignal}`; read by name, never type-checked.
    #[wasm_bindgen(typescript_type = "BindPasskeyOptions")]
    pub type BindPasskeyOptions;
}

/// Binds a passkey to the identity the binding link names. Resolves with
/// `{passkey, postBindingRedirectUri}`; rejects with an `Error` whose `.code`
/// is one of `BindPasskeyErrorCode` and whose `.cause` is the original error.
#[wasm_bindgen(js_name = bindPasskey, unchecked_return_type = "BoundPasskey")]
pub async fn bind_passkey(
    #[wasm_bindgen(unchecked_param_type = "string")] link: JsValue,
    options: Option<BindPasskeyOptions>,
) -> Result<JsValue, JsValue> {
    bind(link, options.map_or(JsValue::UNDEFINED, Into::into)).await.map_err(BindError::into_js)
}

/// True when `url` is a binding link in either form. Never throws.
#[wasm_bindgen(js_name = isBindPasskeyUrl)]
pub fn is_bind_passkey_url(#[wasm_bindgen(unchecked_param_type = "unknown")] url: JsValue) -> bool {
    url.as_string().is_some_and(|u| BindingLink::is_binding_link(&u))
}

/// The parts of a binding link in either form, never its token; `null` when
/// `url` is not one. Never throws.
#[wasm_bindgen(js_name = parseBindPasskeyUrl, unchecked_return_type = "ParsedBindPasskeyUrl | null")]
pub fn parse_bind_passkey_url(#[wasm_bindgen(unchecked_param_type = "unknown")] url: JsValue) -> JsValue {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Parts<'a> {
        api_base_url: &'a str,
        tenant_id: &'a str,
        realm_id: &'a str,
        identity_id: &'a str,
        job_id: &'a str,
    }
    let Some(link) = url.as_string().and_then(|u| BindingLink::parse(&u).ok()) else { return JsValue::NULL };
    let parts = Parts {
        api_base_url: &link.api_base,
        tenant_id: &link.tenant_id,
        realm_id: &link.realm_id,
        identity_id: &link.identity_id,
        job_id: &link.job_id,
    };
    http::to_js(&parts).unwrap_or(JsValue::NULL)
}

async fn bind(link: JsValue, options: JsValue) -> Result<JsValue, BindError> {
    let link = BindingLink::parse(&link.as_string().ok_or(BindError::LinkNotAString)?)?;
    let abort = LinkedAbort::new(abort_signal(&options));
    // Before spending a ceremony on the service: no WebAuthn, no point.
    let credentials = webauthn::credentials()?;

    let invoke = InvokeAuthenticatorRequest { token: link.token.clone() };
    let answer = http::post(&link.invoke_authenticator_url(), &invoke, &abort).await?;
    let invoked: InvokeAuthenticatorResponse = http::decode(&answer, "a ceremony")?;
    let raw_options = js::get(&answer, "public_key").unwrap_or(JsValue::UNDEFINED);
    let public_key = options::creation_options_to_js(&raw_options, &invoked.public_key)?;
    let created = webauthn::create(&credentials, &public_key, &abort).await?;
    let credential = credential::read_registration(&created)?;

    let credential_id = credential.id.clone();
    let url = link.bind_credential_url();
    let bind = BindCredentialRequest { token: link.token, ceremony_id: invoked.ceremony_id, credential };
    // bindCredential is idempotent (DESIGN.md): one retry after a lost
    // connection, so a passkey just created is not left unbound.
    let bound = match http::post(&url, &bind, &abort).await {
        Err(BindError::Network(_)) => http::post(&url, &bind, &abort).await,
        other => other,
    };
    // Refused for good: the new passkey can never sign in; let the
    // browser's passkey manager drop it rather than offer it forever.
    if bound.as_ref().is_err_and(BindError::is_refusal) {
        webauthn::signal_unknown_credential(invoked.public_key.rp.id.as_deref(), &credential_id);
    }
    let bound = bound?;
    passkey::bind_result_to_js(&bound, &http::decode::<BindCredentialResponse>(&bound, "a bound passkey")?)
}

/// `options.signal` when it is an AbortSignal; anything else is ignored.
fn abort_signal(options: &JsValue) -> Option<AbortSignal> {
    js::get(options, "signal")?.dyn_into().ok()
}
