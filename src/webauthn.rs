//! `navigator.credentials` without class checks: the container, its
//! `create` and `PublicKeyCredential`'s static methods are looked up by name,
//! since extensions may replace them.

use crate::abort::LinkedAbort;
use crate::error::BindError;
use crate::js::{get, set};
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// `navigator.credentials`, or `UNSUPPORTED` when this context has no WebAuthn
/// (old browser, insecure context, a worker).
pub fn credentials() -> Result<JsValue, BindError> {
    let global = js_sys::global();
    let has_webauthn = get(&global, "PublicKeyCredential").is_some();
    let container = get(&global, "navigator").and_then(|n| get(&n, "credentials")).filter(JsValue::is_object);
    match container {
        Some(c) if has_webauthn => Ok(c),
        _ => Err(BindError::Unsupported("WebAuthn is not available in this browser or context")),
    }
}

/// Runs the ceremony; rejections map through [`BindError::from_exception`],
/// except that a fired signal is always `ABORTED` with the caller's reason.
pub async fn create(credentials: &JsValue, public_key: &Object, abort: &LinkedAbort) -> Result<JsValue, BindError> {
    abort.check()?;
    let options = Object::new();
    set(&options, "publicKey", public_key);
    if let Some(signal) = abort.signal() {
        set(&options, "signal", &signal);
    }
    let create: Function = get(credentials, "create")
        .and_then(|f| f.dyn_into().ok())
        .ok_or(BindError::Unsupported("navigator.credentials.create is not available"))?;
    let fail = |e: JsValue| abort.error_or(BindError::from_exception(e));
    let promise: Promise = Promise::resolve(&create.call1(credentials, &options).map_err(fail)?);
    let created = JsFuture::from(promise).await.map_err(fail)?;
    if created.is_null() || created.is_undefined() {
        return Err(BindError::server("the browser created no credential", created));
    }
    Ok(created)
}

/// Tells the browser's passkey manager that the credential it just created
/// will never sign in (the service refused it), so it can drop it:
/// `PublicKeyCredential.signalUnknownCredential({rpId, credentialId})`.
/// Feature-detected; its own failure, sync or async, is ignored.
pub fn signal_unknown_credential(rp_id: Option<&str>, credential_id: &str) {
    let global = js_sys::global();
    let Some(class) = get(&global, "PublicKeyCredential") else { return };
    // `get` reads objects only, and the class is a function.
    let method = Reflect::get(&class, &"signalUnknownCredential".into());
    let Some(signal) = method.ok().and_then(|f| f.dyn_into::<Function>().ok()) else { return };
    // Without an explicit RP ID, the ceremony used the page's host.
    let rp_id = match rp_id {
        Some(id) => id.to_owned(),
        None => {
            get(&global, "location").and_then(|l| Reflect::get(&l, &"hostname".into()).ok()).and_then(|h| h.as_string()).unwrap_or_default()
        }
    };
    let options = Object::new();
    set(&options, "rpId", &rp_id.into());
    set(&options, "credentialId", &credential_id.into());
    if let Ok(result) = signal.call1(&class, &options) {
        if let Ok(promise) = result.dyn_into::<Promise>() {
            // No unhandled rejection in the console; the few bytes of this
            // closure are leaked, once per refused credential.
            let ignore = Closure::<dyn FnMut(JsValue)>::new(|_| {});
            let _ = promise.catch(&ignore);
            ignore.forget();
        }
    }
}
