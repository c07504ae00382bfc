//! The service's `:bindCredential` answer (the protocol's snake_case
//! [`BindCredentialResponse`]) → the camelCase object `bindPasskey`
//! resolves with. Keys are renamed generically (nested objects and arrays
//! too), so the JS shape follows the wire type without a second copy of
//! every struct.

use crate::error::BindError;
use js_sys::{Array, Object, Reflect};
use passbind_protocol::wire::BindCredentialResponse;
use wasm_bindgen::{JsCast, JsValue};

/// `credential_id` → `credentialId`.
pub fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' && !out.is_empty() {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A copy of a JSON value with every object key in camelCase.
pub fn camelize(value: &JsValue) -> JsValue {
    if let Some(array) = value.dyn_ref::<Array>() {
        return array.iter().map(|v| camelize(&v)).collect::<Array>().into();
    }
    if !value.is_object() {
        return value.clone();
    }
    let out = Object::new();
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let v = Reflect::get(value, &key).unwrap_or(JsValue::NULL);
        let _ = Reflect::set(&out, &camel_case(&key.as_string().unwrap_or_default()).into(), &camelize(&v));
    }
    out.into()
}

/// `{passkey, postBindingRedirectUri}` from the answer: `raw` as parsed,
/// `answer` the same decoded into the wire type, which vouches for its shape
/// (members a newer service adds are handed on too).
pub fn bind_result_to_js(raw: &JsValue, answer: &BindCredentialResponse) -> Result<JsValue, BindError> {
    if answer.passkey.credential_id.is_empty() {
        return Err(BindError::server("the binding service answered without a passkey", raw.clone()));
    }
    let out = camelize(raw);
    // Always present, `null` when the job has none.
    if answer.post_binding_redirect_uri.is_none() {
        let _ = Reflect::set(&out, &"postBindingRedirectUri".into(), &JsValue::NULL);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_to_camel() {
        for (snake, camel) in [
            ("id", "id"),
            ("credential_id", "credentialId"),
            ("display_name", "displayName"),
            ("backup_eligible", "backupEligible"),
            ("post_binding_redirect_uri", "postBindingRedirectUri"),
            ("_private", "_private"),
            ("aaguid", "aaguid"),
        ] {
            assert_eq!(camel_case(snake), camel);
        }
    }
}
