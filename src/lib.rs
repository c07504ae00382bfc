//! passbind's browser SDK: `bindPasskey(link)` binds a passkey to the
//! identity a binding link names, `isBindPasskeyUrl(url)` tells whether a URL
//! is such a link. This file is the JavaScript surface only; the work is in
//! the modules below, most of which also compile and test natively.

#[doc(hidden)]
pub mod credential;
#[doc(hidden)]
pub mod error;
#[doc(hidden)]
pub mod http;
#[doc(hidden)]
pub mod js;
#[doc(hidden)]
pub mod json;
#[doc(hidden)]
pub mod options;
#[doc(hidden)]
pub mod passkey;
#[doc(hidden)]
pub mod webauthn;

// SAFETY: the SDK runs on the one thread of its window or worker; wasm32
// without the atomics feature has no other.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

use error::BindError;
use passbind_protocol::wire::{BindCredentialRequest, InvokeAuthenticatorRequest};
use passbind_protocol::{BindingLink, LinkError};
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
    authenticator: { aaguid: string; attachment: string | null; transports: string[]; backupEligible: boolean; backedUp: boolean };
  };
  postBindingRedirectUri: string | null;
}
export type BindPasskeyErrorCode = "INVALID_LINK" | "LINK_EXPIRED" | "JOB_COMPLETE" | "JOB_REVOKED" |
  "IDENTITY_SUSPENDED" | "NOT_ALLOWED" | "ALREADY_REGISTERED" | "ABORTED" | "UNSUPPORTED" | "SECURITY" |
  "ATTESTATION_REJECTED" | "NETWORK" | "SERVER";
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

async fn bind(link: JsValue, options: JsValue) -> Result<JsValue, BindError> {
    let link = link.as_string().ok_or(LinkError { reason: "the link is not a string" })?;
    let link = BindingLink::parse(&link)?;
    let signal = abort_signal(&options);
    let signal = signal.as_ref();
    // Before spending a ceremony on the service: no WebAuthn, no point.
    let credentials = webauthn::credentials()?;

    let invoke = InvokeAuthenticatorRequest { token: link.token.clone() };
    let invoked = http::post_json(&link.invoke_authenticator_url(), &invoke, signal).await?;
    let ceremony_id = js::read_string(&invoked, "ceremony_id");
    let public_key = js::get(&invoked, "public_key").filter(|_| !ceremony_id.is_empty());
    let public_key = public_key.ok_or_else(|| BindError::server("the binding service answered without a ceremony", invoked.clone()))?;
    let public_key = options::creation_options_to_js(&public_key)?;
    let created = webauthn::create(&credentials, &public_key, signal).await?;
    let credential = credential::read_registration(&created)?;

    let url = link.bind_credential_url();
    let bind = BindCredentialRequest { token: link.token, ceremony_id, credential };
    // bindCredential is idempotent (DESIGN.md): one retry after a lost
    // connection, so a passkey just created is not left unbound.
    let bound = match http::post_json(&url, &bind, signal).await {
        Err(BindError::Network(_)) => http::post_json(&url, &bind, signal).await?,
        other => other?,
    };
    passkey::bind_result_to_js(&bound)
}

/// `options.signal` when it is an AbortSignal; anything else is ignored.
fn abort_signal(options: &JsValue) -> Option<AbortSignal> {
    if !options.is_object() {
        return None;
    }
    js_sys::Reflect::get(options, &"signal".into()).ok()?.dyn_into().ok()
}
