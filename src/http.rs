//! `POST` JSON to the binding service and read its answer, mapping every
//! failure to a [`BindError`]. Bodies go through `serde-wasm-bindgen` and the
//! browser's own `JSON`, so the SDK carries no JSON library of its own.

use crate::error::{service_error, BindError};
use js_sys::{Object, Promise, Reflect, JSON};
use passbind_protocol::ErrorBody;
use serde::{de::DeserializeOwned, Serialize};
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

pub async fn post_json<Req: Serialize, Res: DeserializeOwned>(
    url: &str,
    body: &Req,
    signal: Option<&AbortSignal>,
) -> Result<Res, BindError> {
    check_signal(signal)?;
    let body = serde_wasm_bindgen::to_value(body)
        .ok()
        .and_then(|v| JSON::stringify(&v).ok())
        .ok_or_else(|| BindError::server("could not encode the request", JsValue::UNDEFINED))?;

    let headers = Object::new();
    let _ = Reflect::set(&headers, &"content-type".into(), &"application/json".into());
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_headers(&headers);
    init.set_body(&body);
    init.set_signal(signal);

    let promise = fetch_with_init(url, &init).map_err(|e| transport_error(e, signal))?;
    let response: Response = JsFuture::from(promise).await.map_err(|e| transport_error(e, signal))?.unchecked_into();
    let text = response.text().map_err(|e| transport_error(e, signal))?;
    let text = JsFuture::from(text).await.map_err(|e| transport_error(e, signal))?;
    read_response(response.status(), &text.as_string().unwrap_or_default())
}

/// Reads the service's answer: the expected body on 2xx, otherwise its
/// `{code, message, details}` error (see [`service_error`]). Anything that
/// does not parse is `SERVER`, with the status in the message.
pub fn read_response<Res: DeserializeOwned>(status: u16, text: &str) -> Result<Res, BindError> {
    let parsed = JSON::parse(text);
    if (200..300).contains(&status) {
        let value = parsed.map_err(|e| BindError::server("the binding service answered something that is not JSON", e))?;
        return serde_wasm_bindgen::from_value(value.clone())
            .map_err(|_| BindError::server("the binding service answered JSON of an unexpected shape", value));
    }
    let body = parsed.ok().filter(JsValue::is_object);
    let error_body = body.clone().and_then(|b| serde_wasm_bindgen::from_value::<ErrorBody>(b).ok());
    let cause = body.unwrap_or_else(|| JsValue::from_str(text));
    let (code, message) = service_error(status, error_body);
    Err(BindError::Service { code, message, body: cause })
}
