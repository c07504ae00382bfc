//! The service's `PublicKeyCredentialCreationOptionsJSON` → the object
//! `navigator.credentials.create({publicKey})` takes: the same object, with
//! the binary fields (challenge, user.id, excludeCredentials[].id) decoded
//! from base64url to bytes. Every other member passes through untouched, so
//! options a newer service adds reach the browser.

use crate::error::BindError;
use crate::js::{get, set};
use js_sys::{Array, Object, Uint8Array};
use passbind_protocol::base64url;
use wasm_bindgen::{JsCast, JsValue};

/// Decodes one binary member; `SERVER` when it is missing or not base64url.
pub fn decode_member(text: Option<String>, what: &str, allow_empty: bool) -> Result<Vec<u8>, BindError> {
    text.as_deref()
        .and_then(base64url::decode)
        .filter(|b| allow_empty || !b.is_empty())
        .ok_or_else(|| {
            let mut m = String::from("the creation options' ");
            m.push_str(what);
            m.push_str(" is missing or not base64url");
            BindError::Server { message: m, cause: JsValue::UNDEFINED }
        })
}

/// Converts the parsed `public_key` member in place and returns it.
pub fn creation_options_to_js(public_key: &JsValue) -> Result<Object, BindError> {
    let bytes = |target: &JsValue, key: &str, what: &str, allow_empty: bool| -> Result<(), BindError> {
        let decoded = decode_member(get(target, key).and_then(|v| v.as_string()), what, allow_empty)?;
        set(target, key, &Uint8Array::from(decoded.as_slice()));
        Ok(())
    };
    let user = get(public_key, "user").ok_or_else(|| BindError::server("the creation options have no user", public_key.clone()))?;
    bytes(public_key, "challenge", "challenge", false)?;
    bytes(&user, "id", "user.id", false)?;
    if let Some(excluded) = get(public_key, "excludeCredentials").and_then(|e| e.dyn_into::<Array>().ok()) {
        for descriptor in excluded.iter() {
            bytes(&descriptor, "id", "excludeCredentials[].id", true)?;
        }
    }
    Ok(public_key.clone().unchecked_into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_or_explains() {
        assert_eq!(decode_member(Some("3q2-7w".into()), "challenge", false).unwrap(), [0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(decode_member(Some(String::new()), "id", true).unwrap(), Vec::<u8>::new());
        for (text, allow_empty) in [(None, false), (Some("not base64!"), false), (Some(""), false)] {
            let e = decode_member(text.map(Into::into), "challenge", allow_empty).unwrap_err();
            assert_eq!(e.code().as_str(), "SERVER");
            assert_eq!(e.message(), "the creation options' challenge is missing or not base64url");
        }
    }
}
