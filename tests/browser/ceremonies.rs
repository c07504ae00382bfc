//! Real ceremonies against the virtual authenticator.

use crate::helpers::*;
use js_sys::Object;
use passbind::{credential, webauthn};
use passbind_protocol::base64url;
use wasm_bindgen_test::*;
use web_sys::AbortSignal;

#[wasm_bindgen_test]
async fn a_real_ceremony_reads_back_into_a_registration_response() {
    let challenge = random_bytes(32);
    let public_key = browser_options(&creation_options(&challenge, &random_bytes(16), &[]));
    let credentials = webauthn::credentials().unwrap();
    let created = webauthn::create(&credentials, &public_key, &abort_on(timeout_signal())).await.unwrap();
    let r = credential::read_registration(&created).unwrap();

    let client_data: serde_json::Value = serde_json::from_slice(&base64url::decode(&r.response.client_data_json).unwrap()).unwrap();
    assert_eq!(client_data["type"], "webauthn.create");
    assert_eq!(client_data["challenge"], base64url::encode(&challenge));
    assert!(client_data["origin"].as_str().unwrap().starts_with("http://localhost:"));
    assert_eq!(r.id, get(&created, "id").as_string().unwrap());
    assert_eq!(r.type_, "public-key");
    assert!(base64url::decode(&r.response.attestation_object).unwrap().len() > 37);
    assert!(r.response.transports.contains(&"internal".to_string()), "{:?}", r.response.transports);
    assert!(matches!(r.response.public_key_algorithm, Some(-8 | -7 | -257)));
    assert!(r.response.public_key.is_some() && r.response.authenticator_data.is_some());
    assert_eq!(r.authenticator_attachment.as_deref(), Some("platform"));
    assert_eq!(r.client_extension_results.cred_props.and_then(|p| p.rk), Some(true));
}

#[wasm_bindgen_test]
async fn a_second_passkey_on_the_same_authenticator_is_already_registered() {
    let user = random_bytes(16);
    let credentials = webauthn::credentials().unwrap();
    let abort = abort_on(timeout_signal());
    let first = browser_options(&creation_options(&random_bytes(32), &user, &[]));
    let created = webauthn::create(&credentials, &first, &abort).await.unwrap();
    let raw_id = base64url::decode(&credential::read_registration(&created).unwrap().raw_id).unwrap();

    let again = browser_options(&creation_options(&random_bytes(32), &user, &[&raw_id]));
    let e = webauthn::create(&credentials, &again, &abort).await.unwrap_err();
    let error = assert_error(&e.into_js(), "ALREADY_REGISTERED");
    assert_eq!(get(&error, "cause.name").as_string().unwrap(), "InvalidStateError");
}

#[wasm_bindgen_test]
async fn an_already_fired_signal_never_reaches_the_authenticator() {
    let public_key = browser_options(&creation_options(&random_bytes(32), &random_bytes(16), &[]));
    let reason = js("return new Error('user went away');");
    let signal = AbortSignal::abort_with_reason(&reason);
    let e = webauthn::create(&webauthn::credentials().unwrap(), &public_key, &abort_on(signal)).await.unwrap_err();
    let error = assert_error(&e.into_js(), "ABORTED");
    assert!(Object::is(&get(&error, "cause"), &reason));
}
