//! Between JS and Rust: creation options, the service's answer, and created
//! credentials read defensively.

use crate::helpers::*;
use js_sys::{Array, Reflect};
use passbind::{credential, http, options, passkey};
use passbind_protocol::base64url;
use passbind_protocol::wire;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

// ── creation options: JSON → the object navigator.credentials.create takes ──

#[wasm_bindgen_test]
fn creation_options_become_bytes_where_webauthn_wants_bytes() {
    let o: JsValue = browser_options(&creation_options(&[0xde, 0xad, 0xbe, 0xef], &[1, 2, 3], &[&[0xff, 0], &[7]])).into();
    let mut malformed = creation_options(&[1], &[2], &[]);
    malformed.user.id = "not base64!".into();
    assert!(options::creation_options_to_js(&parsed(&malformed), &malformed).unwrap_err().message().contains("user.id"));
    assert_eq!(bytes(&get(&o, "challenge")), [0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(bytes(&get(&o, "user.id")), [1, 2, 3]);
    assert_eq!(get(&o, "user.displayName").as_string().unwrap(), "Ada");
    assert_eq!(get(&o, "rp.id").as_string().unwrap(), "localhost");
    let excluded: Array = get(&o, "excludeCredentials").unchecked_into();
    assert_eq!(excluded.length(), 2);
    assert_eq!(bytes(&get(&excluded.get(0), "id")), [0xff, 0]);
    assert_eq!(bytes(&get(&excluded.get(1), "id")), [7]);
    assert_eq!(get(&excluded.get(0), "type").as_string().unwrap(), "public-key");
    let params: Array = get(&o, "pubKeyCredParams").unchecked_into();
    assert_eq!(params.length(), 3);
    assert_eq!(get(&params.get(1), "alg").as_f64(), Some(-7.0));
    assert_eq!(get(&o, "authenticatorSelection.residentKey").as_string().unwrap(), "required");
    assert_eq!(get(&o, "extensions.credProps").as_bool(), Some(true));
    assert_eq!(get(&o, "timeout").as_f64(), Some(60000.0));
    // Absent optional members stay absent rather than becoming null.
    assert!(!Reflect::has(&o, &"hints".into()).unwrap());
    // Members this SDK version does not know pass through to the browser.
    let mut newer = creation_options(&[1], &[2], &[]);
    newer.hints = vec!["client-device".into()];
    let raw = parsed(&newer);
    Reflect::set(&raw, &"extensions".into(), &js("return {credProps: true, prf: {}};")).unwrap();
    Reflect::set(&raw, &"attestationFormats".into(), &js("return ['packed'];")).unwrap();
    let newer: JsValue = options::creation_options_to_js(&raw, &newer).unwrap().into();
    assert_eq!(Array::from(&get(&newer, "attestationFormats")).get(0).as_string().unwrap(), "packed");
    assert!(get(&newer, "extensions.prf").is_object());
    assert_eq!(Array::from(&get(&newer, "hints")).get(0).as_string().unwrap(), "client-device");
}

// ── the service's answer → the object bindPasskey resolves with ─────────────

#[wasm_bindgen_test]
fn the_bind_answer_becomes_camel_case_with_nulls() {
    let answer = wire::BindCredentialResponse {
        passkey: wire::Passkey {
            id: "cred_1".into(),
            credential_id: "AAEC".into(),
            created: "2025-01-01T00:00:00Z".into(),
            state: "ACTIVE".into(),
            tenant: wire::Named { id: "t1".into(), display_name: "Tenant".into() },
            realm: wire::Named { id: "r1".into(), display_name: "Realm".into() },
            identity: wire::PasskeyIdentity { id: "i1".into(), username: "ada".into(), display_name: "Ada".into(), email_address: None },
            authenticator: wire::AuthenticatorInfo {
                aaguid: "00000000-0000-0000-0000-000000000000".into(),
                name: Some("iCloud Keychain".into()),
                icon: None,
                attachment: Some("platform".into()),
                transports: vec!["internal".into(), "hybrid".into()],
                backup_eligible: true,
                backed_up: false,
            },
        },
        post_binding_redirect_uri: None,
    };
    let result = passkey::bind_result_to_js(&parsed(&answer), &answer).unwrap();
    let expected = r#"{"passkey":{"id":"cred_1","credentialId":"AAEC","created":"2025-01-01T00:00:00Z","state":"ACTIVE","tenant":{"id":"t1","displayName":"Tenant"},"realm":{"id":"r1","displayName":"Realm"},"identity":{"id":"i1","username":"ada","displayName":"Ada","emailAddress":null},"authenticator":{"aaguid":"00000000-0000-0000-0000-000000000000","name":"iCloud Keychain","attachment":"platform","transports":["internal","hybrid"],"backupEligible":true,"backedUp":false}},"postBindingRedirectUri":null}"#;
    let actual: serde_json::Value = serde_json::from_str(&String::from(js_sys::JSON::stringify(&result).unwrap())).unwrap();
    assert_eq!(actual, serde_json::from_str::<serde_json::Value>(expected).unwrap());

    // Through the wire: what JSON.parse gives decodes to the same answer.
    let mut with_redirect = answer.clone();
    with_redirect.post_binding_redirect_uri = Some("https://app.example.com/done".into());
    let decoded: wire::BindCredentialResponse = http::decode(&parsed(&with_redirect), "a bound passkey").unwrap();
    let redirect = passkey::bind_result_to_js(&parsed(&with_redirect), &decoded).unwrap();
    assert_eq!(get(&redirect, "postBindingRedirectUri").as_string().unwrap(), "https://app.example.com/done");
    let e = http::decode::<wire::BindCredentialResponse>(&js("return {passkey: {credential_id: 'AA'}}"), "a bound passkey").unwrap_err();
    assert_eq!(e.code().as_str(), "SERVER");
    assert!(e.message().starts_with("the binding service answered a bound passkey that passbind cannot read"), "{}", e.message());
    let mut no_id = answer;
    no_id.passkey.credential_id.clear();
    assert_eq!(passkey::bind_result_to_js(&parsed(&no_id), &no_id).unwrap_err().code().as_str(), "SERVER");
}

// ── reading a created credential defensively ────────────────────────────────

#[wasm_bindgen_test]
fn a_look_alike_credential_is_read_like_a_real_one() {
    // What a password-manager extension may resolve with: a plain object,
    // typed-array views (one with an offset) instead of ArrayBuffers.
    let credential = js(r#"
        const buf = new Uint8Array([9, 9, 1, 2, 3, 9]).buffer;
        return {
            id: "ignored-rawId-wins", rawId: new Uint8Array(buf, 2, 3), type: "public-key",
            authenticatorAttachment: "cross-platform",
            response: {
                clientDataJSON: new TextEncoder().encode('{"type":"webauthn.create"}').buffer,
                attestationObject: new Uint8Array([0xa3, 0x01]),
                getTransports() { return ["usb", "nfc"]; },
                getPublicKey() { return new Uint8Array([4, 5]).buffer; },
                getPublicKeyAlgorithm() { return -7; },
                getAuthenticatorData() { return new Uint8Array([6]).buffer; },
            },
            getClientExtensionResults() { return { credProps: { rk: true } }; },
        };"#);
    let r = credential::read_registration(&credential).unwrap();
    assert_eq!(r.id, base64url::encode(&[1, 2, 3]));
    assert_eq!(r.raw_id, r.id);
    assert_eq!(r.type_, "public-key");
    assert_eq!(r.authenticator_attachment.as_deref(), Some("cross-platform"));
    assert_eq!(base64url::decode(&r.response.client_data_json).unwrap(), br#"{"type":"webauthn.create"}"#);
    assert_eq!(r.response.attestation_object, base64url::encode(&[0xa3, 0x01]));
    assert_eq!(r.response.transports, ["usb", "nfc"]);
    assert_eq!(r.response.public_key.as_deref(), Some(base64url::encode(&[4, 5]).as_str()));
    assert_eq!(r.response.public_key_algorithm, Some(-7));
    assert_eq!(r.response.authenticator_data.as_deref(), Some("Bg"));
    assert_eq!(r.client_extension_results.cred_props.and_then(|p| p.rk), Some(true));
}

#[wasm_bindgen_test]
fn missing_or_throwing_helpers_are_just_absent() {
    let credential = js(r#"return {
        id: "AQID", type: undefined,
        response: {
            clientDataJSON: new Uint8Array([1]).buffer, attestationObject: new Uint8Array([2]).buffer,
            getTransports: "not a function",
            getPublicKey() { throw new Error("unsupported"); },
        },
    };"#);
    let r = credential::read_registration(&credential).unwrap();
    assert_eq!(r.raw_id, "AQID");
    assert_eq!(r.type_, "public-key");
    assert!(r.response.transports.is_empty());
    assert_eq!(r.response.public_key, None);
    assert_eq!(r.authenticator_attachment, None);
    assert_eq!(r.client_extension_results.cred_props, None);

    let incomplete = js(r#"return { rawId: new Uint8Array([1]).buffer, response: { clientDataJSON: new Uint8Array([1]).buffer } };"#);
    let error = credential::read_registration(&incomplete).unwrap_err();
    assert_eq!(error.code().as_str(), "SERVER");
    assert!(error.message().contains("attestationObject"));
}
