//! The SDK in headless Chromium, with a virtual authenticator attached by
//! tests/support/webdriver-proxy.mjs. Run with scripts/test-sdk-browser.sh.
//!
//! Real ceremonies use rp id `localhost` (the proxy opens the runner's page on
//! localhost) and always carry an AbortSignal with a timeout, so a missing
//! authenticator fails the test instead of hanging it.
#![cfg(target_arch = "wasm32")]

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use passbind::abort::LinkedAbort;
use passbind::error::BindError;
use passbind::{credential, http, options, passkey, webauthn, BindPasskeyOptions};
use passbind_protocol::base64url;
use passbind_protocol::wire::{self, CreationOptions};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;
use web_sys::AbortSignal;

wasm_bindgen_test_configure!(run_in_browser);

const API_LINK: &str = "https://api-us.example.com/v1/tenants/c4fc2d753ca22b14/realms/cdf4862dc4d49791/identities/87fabad6956c6d4b/credential-binding-jobs/c4fc2d753ca22b14:invokeAuthenticator?token=1St9IKIIrYdZcRm";
const REDIRECT_LINK: &str = "http://localhost:3000/app/bind?api_base_url=http%3A%2F%2F127.0.0.1%3A8080%2Fpassbind&tenant_id=t1&realm_id=r1&identity_id=i1&job_id=j1&token=tok";

/// Evaluates a JS function body.
fn js(body: &str) -> JsValue {
    Function::new_no_args(body).call0(&JsValue::NULL).expect("test JS threw")
}

fn get(target: &JsValue, path: &str) -> JsValue {
    path.split('.').fold(target.clone(), |v, key| Reflect::get(&v, &key.into()).unwrap())
}

fn bytes(value: &JsValue) -> Vec<u8> {
    assert!(value.is_instance_of::<Uint8Array>(), "expected a Uint8Array, got {value:?}");
    Uint8Array::new(value).to_vec()
}

/// A real `Error` with the given `.code`; returns it for more checks.
fn assert_error(error: &JsValue, code: &str) -> JsValue {
    assert!(error.is_instance_of::<js_sys::Error>(), "not an Error: {error:?}");
    assert_eq!(get(error, "code").as_string().as_deref(), Some(code), "{error:?}");
    assert!(!get(error, "message").as_string().unwrap_or_default().is_empty());
    error.clone()
}

/// The protocol's wire type, as the service sends it: serialized, then
/// `JSON.parse`d, so these tests also check that SDK and contract agree.
fn parsed<T: serde::Serialize>(value: &T) -> JsValue {
    js_sys::JSON::parse(&serde_json::to_string(value).unwrap()).unwrap()
}

fn creation_options(challenge: &[u8], user_id: &[u8], exclude: &[&[u8]]) -> CreationOptions {
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
fn browser_options(options: &CreationOptions) -> Object {
    options::creation_options_to_js(&parsed(options), options).unwrap()
}

fn abort_on(signal: AbortSignal) -> LinkedAbort {
    LinkedAbort::new(Some(signal))
}

fn random_bytes(n: u32) -> Vec<u8> {
    let array = Uint8Array::new_with_length(n);
    let crypto = get(&js_sys::global(), "crypto");
    let f: Function = get(&crypto, "getRandomValues").unchecked_into();
    f.call1(&crypto, &array).unwrap();
    array.to_vec()
}

fn timeout_signal() -> AbortSignal {
    AbortSignal::timeout_with_u32(15_000)
}

// ── link parsing through the JS surface ─────────────────────────────────────

#[wasm_bindgen_test]
fn is_bind_passkey_url_accepts_both_forms_and_nothing_else() {
    assert!(passbind::is_bind_passkey_url(API_LINK.into()));
    assert!(passbind::is_bind_passkey_url(REDIRECT_LINK.into()));
    for garbage in [
        "",
        "not a url",
        "https://api-us.example.com/v1/tenants/t",
        "http://example.com/v1/tenants/t/realms/r/identities/i/credential-binding-jobs/j:invokeAuthenticator?token=x",
        "javascript:alert(1)",
    ] {
        assert!(!passbind::is_bind_passkey_url(garbage.into()), "{garbage}");
    }
    for not_a_string in
        [JsValue::UNDEFINED, JsValue::NULL, 42.into(), true.into(), Object::new().into(), Array::of1(&API_LINK.into()).into()]
    {
        assert!(!passbind::is_bind_passkey_url(not_a_string));
    }
}

#[wasm_bindgen_test]
fn parse_bind_passkey_url_gives_the_parts_never_the_token() {
    let parts = passbind::parse_bind_passkey_url(REDIRECT_LINK.into());
    let text = String::from(js_sys::JSON::stringify(&parts).unwrap());
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = serde_json::json!({
        "apiBaseUrl": "http://127.0.0.1:8080/passbind", "tenantId": "t1", "realmId": "r1", "identityId": "i1", "jobId": "j1"
    });
    assert_eq!(value, expected);
    let api = passbind::parse_bind_passkey_url(API_LINK.into());
    assert_eq!(get(&api, "apiBaseUrl").as_string().as_deref(), Some("https://api-us.example.com"));
    assert!(!text.contains("tok") && !Reflect::has(&api, &"token".into()).unwrap());
    for not_a_link in [JsValue::from("https://example.com/"), JsValue::UNDEFINED, 42.into(), Object::new().into()] {
        assert!(passbind::parse_bind_passkey_url(not_a_link).is_null());
    }
}

#[wasm_bindgen_test]
async fn bind_passkey_rejects_a_bad_link_with_invalid_link() {
    let error = passbind::bind_passkey("https://example.com/nope".into(), None).await.unwrap_err();
    assert_error(&error, "INVALID_LINK");
    assert!(get(&error, "message").as_string().unwrap().starts_with("not a binding link"));
    let error = passbind::bind_passkey(42.into(), None).await.unwrap_err();
    assert_error(&error, "INVALID_LINK");
}

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
                attachment: Some("platform".into()),
                transports: vec!["internal".into(), "hybrid".into()],
                backup_eligible: true,
                backed_up: false,
            },
        },
        post_binding_redirect_uri: None,
    };
    let result = passkey::bind_result_to_js(&parsed(&answer), &answer).unwrap();
    let expected = r#"{"passkey":{"id":"cred_1","credentialId":"AAEC","created":"2025-01-01T00:00:00Z","state":"ACTIVE","tenant":{"id":"t1","displayName":"Tenant"},"realm":{"id":"r1","displayName":"Realm"},"identity":{"id":"i1","username":"ada","displayName":"Ada","emailAddress":null},"authenticator":{"aaguid":"00000000-0000-0000-0000-000000000000","attachment":"platform","transports":["internal","hybrid"],"backupEligible":true,"backedUp":false}},"postBindingRedirectUri":null}"#;
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

// ── real ceremonies against the virtual authenticator ───────────────────────

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

// ── the whole bindPasskey, with fetch standing in for the service ───────────

/// Replaces `fetch` for `https://api.passbind.test` only; returns the restore
/// function. The fake service answers like the real one and records requests.
fn fake_service() -> Function {
    js(r#"
        const original = globalThis.fetch;
        const requests = globalThis.__passbindRequests = [];
        const json = (status, body) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
        globalThis.fetch = async (input, init) => {
            const request = new Request(input, init);
            const url = request.url;
            if (!url.startsWith("https://api.passbind.test/")) return original(input, init);
            const body = await request.json();
            requests.push({ url, method: request.method, contentType: request.headers.get("content-type"), body });
            if (body.token === "expired") return json(410, { code: "LINK_EXPIRED", message: "the binding link has expired", details: [] });
            if (body.token === "refused" && url.endsWith(":bindCredential")) return json(422, { code: "ATTESTATION_REJECTED", message: "no", details: [] });
            if (body.token === "slow") return new Promise((_, reject) => request.signal.addEventListener("abort", () => reject(request.signal.reason)));
            if (body.token === "flaky" && url.endsWith(":bindCredential") && requests.filter((r) => r.body.token === "flaky").length === 2)
                throw new TypeError("Failed to fetch");
            if (url.endsWith(":invokeAuthenticator")) return json(200, {
                ceremony_id: "cer_1", expire_time: "2030-01-01T00:00:00Z",
                public_key: {
                    rp: { id: "localhost", name: "passbind" },
                    user: { id: "dXNlci0x", name: "ada", displayName: "Ada" },
                    challenge: "Y2hhbGxlbmdlLWNoYWxsZW5nZS0xMjM0",
                    pubKeyCredParams: [{ type: "public-key", alg: -8 }, { type: "public-key", alg: -7 }, { type: "public-key", alg: -257 }],
                    authenticatorSelection: { residentKey: "required", requireResidentKey: true, userVerification: "required" },
                    attestation: "none", extensions: { credProps: true },
                },
            });
            return json(200, {
                passkey: {
                    id: "cred_1", credential_id: body.credential.id, created: "2025-01-01T00:00:00Z", state: "ACTIVE",
                    tenant: { id: "t1", display_name: "Tenant" }, realm: { id: "r1", display_name: "Realm" },
                    identity: { id: "i1", username: "ada", display_name: "Ada", email_address: null },
                    authenticator: { aaguid: "01020304-0506-0708-0102-030405060708", attachment: body.credential.authenticatorAttachment,
                                     transports: body.credential.response.transports, backup_eligible: false, backed_up: false },
                },
                post_binding_redirect_uri: "https://app.example.com/done",
            });
        };
        return () => { globalThis.fetch = original; };
    "#)
    .unchecked_into()
}

#[wasm_bindgen_test]
async fn bind_passkey_runs_the_whole_flow() {
    let restore = fake_service();
    let link =
        "https://api.passbind.test/prefix/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=tok-1";
    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &timeout_signal()).unwrap();
    let result = passbind::bind_passkey(link.into(), Some(options.unchecked_into())).await;
    let expired = passbind::bind_passkey(link.replace("tok-1", "expired").into(), None).await;
    restore.call0(&JsValue::NULL).unwrap();

    let result = result.unwrap();
    let requests: Array = get(&js_sys::global(), "__passbindRequests").unchecked_into();
    assert_eq!(requests.length(), 3);
    let invoke = requests.get(0);
    assert_eq!(
        get(&invoke, "url").as_string().unwrap(),
        "https://api.passbind.test/prefix/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator"
    );
    assert_eq!(get(&invoke, "method").as_string().unwrap(), "POST");
    assert_eq!(get(&invoke, "contentType").as_string().unwrap(), "application/json");
    assert_eq!(get(&invoke, "body.token").as_string().unwrap(), "tok-1");
    let bind = requests.get(1);
    assert!(get(&bind, "url").as_string().unwrap().ends_with("/j1:bindCredential"));
    assert_eq!(get(&bind, "body.token").as_string().unwrap(), "tok-1");
    assert_eq!(get(&bind, "body.ceremony_id").as_string().unwrap(), "cer_1");
    let client_data = base64url::decode(&get(&bind, "body.credential.response.clientDataJSON").as_string().unwrap()).unwrap();
    let client_data: serde_json::Value = serde_json::from_slice(&client_data).unwrap();
    assert_eq!(client_data["challenge"], "Y2hhbGxlbmdlLWNoYWxsZW5nZS0xMjM0");
    assert_eq!(client_data["type"], "webauthn.create");

    // camelCase, nulls kept.
    assert_eq!(get(&result, "passkey.credentialId"), get(&bind, "body.credential.id"));
    assert_eq!(get(&result, "passkey.tenant.displayName").as_string().unwrap(), "Tenant");
    assert_eq!(get(&result, "passkey.identity.displayName").as_string().unwrap(), "Ada");
    assert!(get(&result, "passkey.identity.emailAddress").is_null());
    assert_eq!(get(&result, "passkey.authenticator.attachment").as_string().unwrap(), "platform");
    assert_eq!(get(&result, "passkey.authenticator.backupEligible").as_bool(), Some(false));
    assert_eq!(get(&result, "postBindingRedirectUri").as_string().unwrap(), "https://app.example.com/done");

    // What the SDK sent is the protocol's request type.
    let sent = String::from(js_sys::JSON::stringify(&get(&bind, "body")).unwrap());
    let sent: wire::BindCredentialRequest = serde_json::from_str(&sent).unwrap();
    assert_eq!(sent.credential.id, sent.credential.raw_id);
    assert_eq!(sent.credential.response.transports, ["internal"]);

    let error = expired.unwrap_err();
    assert_error(&error, "LINK_EXPIRED");
    assert_eq!(get(&error, "cause.code").as_string().unwrap(), "LINK_EXPIRED");
}

#[wasm_bindgen_test]
async fn bind_passkey_retries_a_lost_bind_once_and_honours_a_late_abort() {
    let restore = fake_service();
    let link = "https://api.passbind.test/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=flaky";
    let flaky = passbind::bind_passkey(link.into(), None).await;
    let options = Object::new();
    let reason = js("return new Error('gone');");
    let signal = js("const c = new AbortController(); setTimeout(() => c.abort(globalThis.__reason), 50); return c.signal;");
    Reflect::set(&js_sys::global(), &"__reason".into(), &reason).unwrap();
    Reflect::set(&options, &"signal".into(), &signal).unwrap();
    let slow = passbind::bind_passkey(link.replace("flaky", "slow").into(), Some(options.unchecked_into())).await;
    restore.call0(&JsValue::NULL).unwrap();

    assert_eq!(get(&flaky.unwrap(), "postBindingRedirectUri").as_string().unwrap(), "https://app.example.com/done");
    let requests: Array = get(&js_sys::global(), "__passbindRequests").unchecked_into();
    let binds = requests.iter().filter(|r| get(r, "url").as_string().unwrap().ends_with(":bindCredential")).count();
    assert_eq!(binds, 2);

    let error = assert_error(&slow.unwrap_err(), "ABORTED");
    assert!(Object::is(&get(&error, "cause"), &reason));
}

/// Replaces `navigator.credentials.create` with one that first runs `before`
/// (a JS function body with `controller` in scope), then the real one.
fn wrap_create(before: &str) -> Function {
    js(&format!(
        r#"
        const container = navigator.credentials;
        const original = container.create;
        container.create = function (options) {{ {before}; return original.call(container, options); }};
        return () => {{ container.create = original; }};
        "#
    ))
    .unchecked_into()
}

#[wasm_bindgen_test]
async fn a_string_abort_reason_is_the_cause_and_the_module_keeps_working() {
    let restore = fake_service();
    let link = "https://api.passbind.test/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=";
    // Aborted with a string while fetch is in flight (the value gloo-net must never see)…
    let during_fetch = js("const c = new AbortController(); setTimeout(() => c.abort('user navigated away'), 50); return c.signal;");
    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &during_fetch).unwrap();
    let fetch_aborted = passbind::bind_passkey(format!("{link}slow").into(), Some(options.unchecked_into())).await;

    // …and with a string during the ceremony itself.
    let controller = js("return globalThis.__controller = new AbortController();");
    let unwrap = wrap_create("globalThis.__controller.abort('closed the dialog')");
    let options = Object::new();
    Reflect::set(&options, &"signal".into(), &get(&controller, "signal")).unwrap();
    let create_aborted = passbind::bind_passkey(format!("{link}tok-2").into(), Some(options.unchecked_into())).await;
    unwrap.call0(&JsValue::NULL).unwrap();

    // The same module instance binds afterwards.
    let bound = passbind::bind_passkey(format!("{link}tok-3").into(), None).await;
    restore.call0(&JsValue::NULL).unwrap();

    let error = assert_error(&fetch_aborted.unwrap_err(), "ABORTED");
    assert_eq!(get(&error, "cause").as_string().as_deref(), Some("user navigated away"));
    let error = assert_error(&create_aborted.unwrap_err(), "ABORTED");
    assert_eq!(get(&error, "cause").as_string().as_deref(), Some("closed the dialog"));
    assert_eq!(get(&bound.unwrap(), "passkey.state").as_string().as_deref(), Some("ACTIVE"));
}

#[wasm_bindgen_test]
async fn a_refused_credential_is_signalled_unknown_to_the_browser() {
    let restore = fake_service();
    // A spy in place of the browser's method (the call, not its effect, is ours).
    let calls = js(r#"
        const calls = [];
        globalThis.__original = PublicKeyCredential.signalUnknownCredential;
        PublicKeyCredential.signalUnknownCredential = (options) => { calls.push(options); return Promise.reject(new Error("ignored")); };
        return calls;
    "#);
    let link = "https://api.passbind.test/v1/tenants/t1/realms/r1/identities/i1/credential-binding-jobs/j1:invokeAuthenticator?token=";
    let refused = passbind::bind_passkey(format!("{link}refused").into(), None).await;
    let expired = passbind::bind_passkey(format!("{link}expired").into(), None).await;
    js("PublicKeyCredential.signalUnknownCredential = globalThis.__original; return null;");
    restore.call0(&JsValue::NULL).unwrap();

    assert_error(&refused.unwrap_err(), "ATTESTATION_REJECTED");
    assert_error(&expired.unwrap_err(), "LINK_EXPIRED");
    let calls: Array = calls.unchecked_into();
    assert_eq!(calls.length(), 1, "only the credential the service refused is signalled");
    let requests: Array = get(&js_sys::global(), "__passbindRequests").unchecked_into();
    let sent = requests.iter().find(|r| get(r, "url").as_string().unwrap().ends_with(":bindCredential")).unwrap();
    assert_eq!(get(&calls.get(0), "rpId").as_string().as_deref(), Some("localhost"));
    assert_eq!(get(&calls.get(0), "credentialId"), get(&sent, "body.credential.id"));
}
