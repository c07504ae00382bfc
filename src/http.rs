//! `POST` JSON to the binding service with gloo-net and read its answer,
//! mapping every failure to a [`BindError`]. Bodies cross the JS boundary
//! with serde-wasm-bindgen and the browser's own `JSON`: no JSON library in
//! the wasm.

use crate::abort::LinkedAbort;
use crate::error::{service_error, BindError};
use gloo_net::http::Request;
use js_sys::JSON;
use passbind_protocol::ErrorBody;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

/// POSTs `body` as JSON; resolves with the parsed JSON object of a 2xx answer
/// (decode it with [`decode`]; the raw object also serves pass-through).
pub async fn post<Req: Serialize>(url: &str, body: &Req, abort: &LinkedAbort) -> Result<JsValue, BindError> {
    abort.check()?;
    let body = to_js(body).and_then(|v| JSON::stringify(&v).ok().map(String::from));
    let body = body.ok_or_else(|| BindError::server("the request could not be written as JSON", JsValue::UNDEFINED))?;
    let request = Request::post(url)
        .header("content-type", "application/json")
        .abort_signal(abort.signal().as_ref())
        .body(body)
        .map_err(|e| abort.error_or(network(e)))?;
    let response = request.send().await.map_err(|e| abort.error_or(network(e)))?;
    let text = response.text().await.map_err(|e| abort.error_or(network(e)))?;
    read_response(response.status(), &text)
}

/// Reads the service's answer: a JSON object on 2xx, otherwise its
/// `{code, message, details}` error (see [`service_error`]). Anything that
/// does not parse is `SERVER`, with the status in the message.
pub fn read_response(status: u16, text: &str) -> Result<JsValue, BindError> {
    let parsed = JSON::parse(text).ok().filter(|v| v.is_object() && !js_sys::Array::is_array(v));
    if (200..300).contains(&status) {
        return parsed.ok_or_else(|| BindError::server("the binding service answered something that is not a JSON object", text.into()));
    }
    let error_body = parsed.as_ref().and_then(|v| serde_wasm_bindgen::from_value::<ErrorBody>(v.clone()).ok());
    let (code, message) = service_error(status, error_body);
    Err(BindError::Service { status, code, message, body: parsed.unwrap_or_else(|| text.into()) })
}

/// A parsed answer as the protocol's wire type; `SERVER` when it is not one.
pub fn decode<T: DeserializeOwned>(answer: &JsValue, what: &str) -> Result<T, BindError> {
    serde_wasm_bindgen::from_value(answer.clone()).map_err(|e| BindError::Server {
        message: format!("the binding service answered {what} that passbind cannot read: {e}"),
        cause: answer.clone(),
    })
}

/// A wire type as a plain JS value: objects for structs and maps, `null`
/// for `None`, as JSON would have it.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Option<JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).ok()
}

/// fetch itself failed (offline, DNS, CORS refused: a bare TypeError for
/// all of them). gloo-net keeps the error's name and message, not the value,
/// so `.cause` is an equivalent error made anew.
fn network(error: gloo_net::Error) -> BindError {
    let cause: JsValue = match &error {
        gloo_net::Error::JsError(e) if e.name == "TypeError" => js_sys::TypeError::new(&e.message).into(),
        gloo_net::Error::JsError(e) => {
            let cause = js_sys::Error::new(&e.message);
            cause.set_name(&e.name);
            cause.into()
        }
        other => js_sys::Error::new(&other.to_string()).into(),
    };
    BindError::Network(cause)
}
