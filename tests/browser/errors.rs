//! DOMExceptions, HTTP answers and transport failures → codes.

use crate::helpers::*;
use js_sys::{Object, Reflect};
use passbind::abort::LinkedAbort;
use passbind::error::BindError;
use passbind::{http, BindPasskeyOptions};
use passbind_protocol::wire;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::AbortSignal;

// ── DOMException → code ─────────────────────────────────────────────────────

#[wasm_bindgen_test]
fn exceptions_map_to_codes_and_keep_their_cause() {
    for (name, code) in [
        ("NotAllowedError", "NOT_ALLOWED"),
        ("InvalidStateError", "ALREADY_REGISTERED"),
        ("AbortError", "ABORTED"),
        ("SecurityError", "SECURITY"),
        ("NotSupportedError", "UNSUPPORTED"),
        ("ConstraintError", "UNSUPPORTED"),
        ("UnknownError", "SERVER"),
    ] {
        let exception = js(&format!("return new DOMException('from the browser', '{name}');"));
        let error = BindError::from_exception(exception.clone()).into_js();
        assert_error(&error, code);
        assert!(Object::is(&get(&error, "cause"), &exception), "{name}");
        assert!(get(&error, "message").as_string().unwrap().ends_with(": from the browser"));
    }
    let type_error = js("return new TypeError('bad options');");
    assert_error(&BindError::from_exception(type_error).into_js(), "SERVER");
    assert_error(&BindError::from_exception("a string".into()).into_js(), "SERVER");
}

// ── HTTP answers → codes ────────────────────────────────────────────────────

#[wasm_bindgen_test]
fn service_error_bodies_map_to_codes() {
    let read = |status, text: &str| http::read_response(status, text).unwrap_err();
    let e = read(410, r#"{"code":"LINK_EXPIRED","message":"the binding link has expired","details":[]}"#);
    assert_eq!(e.code().as_str(), "LINK_EXPIRED");
    let js_error = assert_error(&e.into_js(), "LINK_EXPIRED");
    assert_eq!(get(&js_error, "message").as_string().unwrap(), "the binding link has expired");
    assert_eq!(get(&js_error, "cause.code").as_string().unwrap(), "LINK_EXPIRED");

    for (status, text, code, in_message) in [
        (409, r#"{"code":"JOB_COMPLETE","message":"done"}"#, "JOB_COMPLETE", "done"),
        (
            422,
            r#"{"code":"ATTESTATION_REJECTED","message":"bad signature","details":[{"description":"x"}]}"#,
            "ATTESTATION_REJECTED",
            "bad signature",
        ),
        (404, r#"{"code":"not_found","message":"no such job","details":[]}"#, "SERVER", "404 (not_found)"),
        (400, r#"{"code":"SOMETHING_NEW","message":"?"}"#, "SERVER", "400 (SOMETHING_NEW)"),
        (502, "<html>Bad Gateway</html>", "SERVER", "HTTP 502"),
        (500, "", "SERVER", "HTTP 500"),
    ] {
        let e = read(status, text);
        assert_eq!(e.code().as_str(), code, "{text}");
        assert!(e.message().contains(in_message), "{}", e.message());
    }
    // A policy refusal's precise reason (details[].reason) is the error's `.reason`.
    let e = read(
        422,
        r#"{"code":"ATTESTATION_REJECTED","message":"not allowed here","details":[{"description":"x"},{"reason":"aaguid_not_allowed","description":"y"}]}"#,
    );
    let js_error = assert_error(&e.into_js(), "ATTESTATION_REJECTED");
    assert_eq!(get(&js_error, "reason").as_string().as_deref(), Some("aaguid_not_allowed"));
    assert!(get(
        &assert_error(
            &read(410, r#"{"code":"LINK_EXPIRED","message":"x","details":[{"description":"no reason"}]}"#).into_js(),
            "LINK_EXPIRED"
        ),
        "reason"
    )
    .is_undefined());
    // A 2xx that is not the expected JSON is the service's fault too.
    assert_eq!(read(200, "not json").code().as_str(), "SERVER");
    assert_eq!(read(200, "[1, 2]").code().as_str(), "SERVER");
    assert!(http::read_response(200, r#"{"ceremony_id": "c"}"#).is_ok());
}

#[wasm_bindgen_test]
async fn fetch_failures_are_network_and_a_fired_signal_is_aborted() {
    let body = wire::InvokeAuthenticatorRequest { token: "t".into() };
    // Nothing listens on port 1: fetch rejects with a TypeError.
    let e = http::post("http://127.0.0.1:1/x", &body, &LinkedAbort::new(None)).await.unwrap_err();
    let error = assert_error(&e.into_js(), "NETWORK");
    assert!(get(&error, "cause").is_instance_of::<js_sys::TypeError>());

    let e = http::post("http://127.0.0.1:1/x", &body, &abort_on(AbortSignal::abort())).await.unwrap_err();
    assert_error(&e.into_js(), "ABORTED");

    // A real non-JSON error answer: the test runner's own server.
    let origin = get(&js_sys::global(), "location.origin").as_string().unwrap();
    let e = http::post(&(origin + "/no-such-endpoint"), &body, &LinkedAbort::new(None)).await.unwrap_err();
    assert_eq!(e.code().as_str(), "SERVER");
    assert!(e.message().contains("HTTP 4"), "{}", e.message());
}

#[wasm_bindgen_test]
async fn bind_passkey_maps_transport_failures() {
    let link = "http://127.0.0.1:1/v1/tenants/t/realms/r/identities/i/credential-binding-jobs/j:invokeAuthenticator?token=x";
    let error = passbind::bind_passkey(link.into(), None).await.unwrap_err();
    assert!(get(&assert_error(&error, "NETWORK"), "cause").is_instance_of::<js_sys::TypeError>());

    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &AbortSignal::abort()).unwrap();
    let error = passbind::bind_passkey(link.into(), Some(options.unchecked_into::<BindPasskeyOptions>())).await.unwrap_err();
    assert_error(&error, "ABORTED");
}
