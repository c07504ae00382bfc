//! What the browser tests share: running JS, reading JS values, options as
//! the service sends them, random bytes and abort signals.

use js_sys::{Function, Object, Reflect, Uint8Array};
use passbind::abort::LinkedAbort;
use passbind::options;
use passbind_protocol::base64url;
use passbind_protocol::wire::CreationOptions;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::AbortSignal;

/// Evaluates a JS function body.
pub(crate) fn js(body: &str) -> JsValue {
    Function::new_no_args(body).call0(&JsValue::NULL).expect("test JS threw")
}

pub(crate) fn get(target: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(target.clone(), |v, key| Reflect::get(&v, &key.into()).unwrap())
}

pub(crate) fn bytes(value: &JsValue) -> Vec<u8> {
    assert!(value.is_instance_of::<Uint8Array>(), "expected a Uint8Array, got {value:?}");
    Uint8Array::new(value).to_vec()
}

/// A real `Error` with the given `.code`; returns it for more checks.
pub(crate) fn assert_error(error: &JsValue, code: &str) -> JsValue {
    assert!(error.is_instance_of::<js_sys::Error>(), "not an Error: {error:?}");
    assert_eq!(get(error, "code").as_string().as_deref(), Some(code), "{error:?}");
    assert!(!get(error, "message").as_string().unwrap_or_default().is_empty());
    error.clone()
}

/// The protocol's wire type, as the service sends it: serialized, then
/// `JSON.parse`d, so these tests also check that SDK and contract agree.
pub(crate) fn parsed<T: serde::Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).unwrap()).unwrap()
}

pub(crate) fn creation_options(challenge: &[u8], user_id: &[u8], exclude: &[&[u8]]) -> CreationOptions {
    let excluded: Vec<_> = exclude
        .iter()
        .map(|id| serde_json::json!({"id": base64url::encode(id), "type": "public-key", "transports": ["internal"]}))
        .collect();
    let options: CreationOptions = serde_json::from_value(serde_json::json!({
        "rp": {"id": "localhost", "name": "passbind tests"},
        "user": {"id": base64url::encode(user_id), "name": "ada@example.com", "displayName": "Ada"},
        "challenge": base64url::encode(challenge),
        "pubKeyCredParams": [{"type": "public-key", "alg": -8}, {"type": "public-key", "alg": -7}, {"type": "public-key", "alg": -257}],
        "timeout": 60000,
        "excludeCredentials": excluded,
        "authenticatorSelection": {"residentKey": "required", "requireResidentKey": true, "userVerification": "required"},
        "attestation": "none",
        "extensions": {"credProps": true}
    }))
    .unwrap();
    options
}

/// Options as the browser gets them from the service's JSON.
pub(crate) fn browser_options(options: &CreationOptions) -> Object {
    options::creation_options_to_js(&parsed(options), options).unwrap()
}

pub(crate) fn abort_on(signal: AbortSignal) -> LinkedAbort {
    LinkedAbort::new(Some(signal))
}

pub(crate) fn random_bytes(n: u32) -> Vec<u8> {
    let array = Uint8Array::new_with_length(n);
    let crypto = get(&js_sys::global(), "crypto");
    let f: Function = get(&crypto, "getRandomValues").unchecked_into();
    f.call1(&crypto, &array).unwrap();
    array.to_vec()
}

pub(crate) fn timeout_signal() -> AbortSignal {
    AbortSignal::timeout_with_u32(15_000)
}
