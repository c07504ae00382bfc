//! The service's `:bindCredential` answer (snake_case, `wire::BindCredentialResponse`)
//! → the camelCase object `bindPasskey` resolves with. Keys are renamed
//! generically (nested objects and arrays too); `postBindingRedirectUri` is
//! always present, `null` when the job has none.

use crate::error::BindError;
use crate::js::{get, read_string, set};
use js_sys::{Array, Object};
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
        let out: Array = array.iter().map(|v| camelize(&v)).collect();
        return out.into();
    }
    if !value.is_object() {
        return value.clone();
    }
    let out = Object::new();
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        let v = js_sys::Reflect::get(value, &key.as_str().into()).unwrap_or(JsValue::NULL);
        set(&out, &camel_case(&key), &camelize(&v));
    }
    out.into()
}

/// `{passkey, postBindingRedirectUri}` from the parsed answer.
pub fn bind_result_to_js(answer: &JsValue) -> Result<JsValue, BindError> {
    let passkey = get(answer, "passkey")
        .filter(|p| !read_string(p, "credential_id").is_empty())
        .ok_or_else(|| BindError::server("the binding service answered without a passkey", answer.clone()))?;
    let out = Object::new();
    set(&out, "passkey", &camelize(&passkey));
    set(&out, "postBindingRedirectUri", &get(answer, "post_binding_redirect_uri").unwrap_or(JsValue::NULL));
    Ok(out.into())
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
