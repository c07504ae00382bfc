//! `navigator.credentials.create` without class checks: the container and
//! its `create` are looked up by name, since extensions may replace them.

use crate::error::BindError;
use crate::http::check_signal;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

/// `navigator.credentials`, or `UNSUPPORTED` when this context has no WebAuthn
/// (old browser, insecure context, a worker).
pub fn credentials() -> Result<JsValue, BindError> {
    let global = js_sys::global();
    let has_webauthn = Reflect::get(&global, &"PublicKeyCredential".into()).is_ok_and(|v| !v.is_undefined());
    let container = Reflect::get(&global, &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"credentials".into()))
        .ok()
        .filter(JsValue::is_object);
    match container {
        Some(c) if has_webauthn => Ok(c),
        _ => Err(BindError::Unsupported("WebAuthn is not available in this browser or context")),
    }
}

/// Runs the ceremony; rejections map through [`BindError::from_exception`],
/// except that a fired signal is always `ABORTED` (the browser rejects with
/// the signal's reason, which need not be an AbortError).
pub async fn create(credentials: &JsValue, public_key: &Object, signal: Option<&AbortSignal>) -> Result<JsValue, BindError> {
    check_signal(signal)?;
    let options = Object::new();
    let _ = Reflect::set(&options, &"publicKey".into(), public_key);
    if let Some(signal) = signal {
        let _ = Reflect::set(&options, &"signal".into(), signal);
    }
    let create: Function = Reflect::get(credentials, &"create".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or(BindError::Unsupported("navigator.credentials.create is not available"))?;
    let fail = |e: JsValue| match signal {
        Some(s) if s.aborted() => BindError::Aborted(e),
        _ => BindError::from_exception(e),
    };
    let promise: Promise = Promise::resolve(&create.call1(credentials, &options).map_err(fail)?);
    let created = JsFuture::from(promise).await.map_err(fail)?;
    if created.is_null() || created.is_undefined() {
        return Err(BindError::server("the browser created no credential", created));
    }
    Ok(created)
}
