//! The service's `PublicKeyCredentialCreationOptionsJSON` → the object
//! `navigator.credentials.create({publicKey})` takes: the binary members
//! (challenge, user.id, excludeCredentials[].id) as bytes.

use crate::error::BindError;
use crate::js::{get, set};
use js_sys::{Array, Object, Uint8Array};
use passbind_protocol::base64url;
use passbind_protocol::wire::CreationOptions;
use wasm_bindgen::{JsCast, JsValue};

/// Decodes one binary member; `SERVER` when it is not base64url (or empty
/// where WebAuthn needs bytes).
pub fn decode_member(text: &str, what: &str, allow_empty: bool) -> Result<Vec<u8>, BindError> {
    base64url::decode(text).filter(|b| allow_empty || !b.is_empty()).ok_or_else(|| BindError::Server {
        message: format!("the creation options' {what} is missing or not base64url"),
        cause: JsValue::UNDEFINED,
    })
}

/// The answer's `public_key` object as the browser takes it: `raw` is what
/// `JSON.parse` made of it, `options` the same decoded into the wire type,
/// which vouches for its shape. The binary members are replaced by their
/// bytes; every other member goes to the browser as the service sent it, so
/// options a newer service adds (an extension, a hint) reach the browser
/// even though this SDK's wire type does not name them.
pub fn creation_options_to_js(raw: &JsValue, options: &CreationOptions) -> Result<Object, BindError> {
    let bytes = |member: &JsValue, key: &str, text: &str, what: &str, allow_empty: bool| -> Result<(), BindError> {
        set(member, key, &Uint8Array::from(decode_member(text, what, allow_empty)?.as_slice()));
        Ok(())
    };
    let user = get(raw, "user").ok_or_else(|| BindError::server("the creation options have no user", raw.clone()))?;
    bytes(raw, "challenge", &options.challenge, "challenge", false)?;
    bytes(&user, "id", &options.user.id, "user.id", false)?;
    if let Some(list) = get(raw, "excludeCredentials").and_then(|l| l.dyn_into::<Array>().ok()) {
        for (descriptor, typed) in list.iter().zip(&options.exclude_credentials) {
            bytes(&descriptor, "id", &typed.id, "excludeCredentials[].id", true)?;
        }
    }
    Ok(raw.clone().unchecked_into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_or_explains() {
        assert_eq!(decode_member("3q2-7w", "challenge", false).unwrap(), [0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(decode_member("", "id", true).unwrap(), Vec::<u8>::new());
        for (text, allow_empty) in [("not base64!", false), ("", false)] {
            let e = decode_member(text, "challenge", allow_empty).unwrap_err();
            assert_eq!(e.code().as_str(), "SERVER");
            assert_eq!(e.message(), "the creation options' challenge is missing or not base64url");
        }
    }
}
