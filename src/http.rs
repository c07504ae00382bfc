//! `POST` JSON to the binding service and read its answer, mapping every
//! failure to a [`BindError`]. The browser's own `JSON` does the text: the
//! SDK carries no JSON library. Requests are written from the protocol's
//! wire types by `json.rs`; answers are read by name from the parsed
//! object, because serde *deserialization* would cost about 20 KB gzipped
//! (its error messages alone pull in float formatting).

use crate::error::{service_error, BindError};
use crate::js::{get, read_string, set};
use js_sys::{Object, Promise, JSON};
use passbind_protocol::{ErrorBody, ErrorCode};
use crate::json::ToJson;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestInit, Response};

#[wasm_bindgen]
extern "C" {
    // The global `fetch`, looked up at call time: works in windows and
    // workers alike (and lets a test stand in for the service).
    #[wasm_bindgen(js_name = fetch, catch)]
    fn fetch_with_init(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;
}

/// Fails with `ABORTED` (cause: the signal's reason) once the signal fired.
pub fn check_signal(signal: Option<&AbortSignal>) -> Result<(), BindError> {
    match signal {
        Some(s) if s.aborted() => Err(BindError::Aborted(s.reason())),
        _ => Ok(()),
    }
}

/// A failed fetch or body read: `ABORTED` when the caller's signal fired,
/// otherwise `NETWORK` (fetch rejects with a bare TypeError for offline,
/// DNS and CORS failures alike).
fn transport_error(error: JsValue, signal: Option<&AbortSignal>) -> BindError {
    match signal {
        Some(s) if s.aborted() => BindError::Aborted(error),
        _ => BindError::Network(error),
    }
}

/// POSTs `body` as JSON; resolves with the parsed JSON object of a 2xx answer.
pub async fn post_json<Req: ToJson>(url: &str, body: &Req, signal: Option<&AbortSignal>) -> Result<JsValue, BindError> {
    check_signal(signal)?;
    let body = body.to_json();

    let headers = Object::new();
    set(&headers, "content-type", &"application/json".into());
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(&body));
    init.set_signal(signal);

    let promise = fetch_with_init(url, &init).map_err(|e| transport_error(e, signal))?;
    let response: Response = JsFuture::from(promise).await.map_err(|e| transport_error(e, signal))?.unchecked_into();
    let text = response.text().map_err(|e| transport_error(e, signal))?;
    let text = JsFuture::from(text).await.map_err(|e| transport_error(e, signal))?;
    read_response(response.status(), &text.as_string().unwrap_or_default())
}

/// Reads the service's answer: a JSON object on 2xx, otherwise its
/// `{code, message, details}` error (see [`service_error`]). Anything that
/// does not parse is `SERVER`, with the status in the message.
pub fn read_response(status: u16, text: &str) -> Result<JsValue, BindError> {
    let parsed = JSON::parse(text).ok().filter(|v| v.is_object() && !js_sys::Array::is_array(v));
    if (200..300).contains(&status) {
        return parsed.ok_or_else(|| BindError::server("the binding service answered something that is not a JSON object", text.into()));
    }
    let error_body = parsed.as_ref().and_then(error_body);
    let (code, message) = service_error(status, error_body);
    Err(BindError::Service { code, message, body: parsed.unwrap_or_else(|| text.into()) })
}

/// `{code, message}` with both strings, as `passbind_protocol::ErrorBody`.
fn error_body(value: &JsValue) -> Option<ErrorBody> {
    let code = get(value, "code")?.as_string()?;
    Some(ErrorBody::new(ErrorCode::parse(&code), read_string(value, "message")))
}
