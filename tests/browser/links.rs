//! Link parsing through the JS surface.

use crate::helpers::*;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

const API_LINK: &str = "https://api-us.example.com/v1/tenants/c4fc2d753ca22b14/realms/cdf4862dc4d49791/identities/87fabad6956c6d4b/credential-binding-jobs/c4fc2d753ca22b14:invokeAuthenticator?token=1St9IKIIrYdZcRm";
const REDIRECT_LINK: &str = "http://localhost:3000/app/bind?api_base_url=http%3A%2F%2F127.0.0.1%3A8080%2Fpassbind&tenant_id=t1&realm_id=r1&identity_id=i1&job_id=j1&token=tok";

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
