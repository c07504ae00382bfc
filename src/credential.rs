//! Reads what `navigator.credentials.create` resolved with into the
//! `RegistrationResponseJSON` the service verifies.
//!
//! Defensive on purpose: password-manager extensions replace
//! `navigator.credentials` and resolve with look-alike objects that are not
//! `PublicKeyCredential` instances, may lack the Level 2/3 helper methods, or
//! hand back typed arrays instead of ArrayBuffers. So nothing here checks a
//! class: every field is read by name, every helper method is called only if
//! it is a function, and a helper that throws counts as absent.

use crate::error::BindError;
use crate::js::{get, read_string};
use js_sys::{Array, ArrayBuffer, Function, Uint8Array};
use passbind_protocol::base64url;
use passbind_protocol::wire::{AttestationResponse, ClientExtensionResults, CredProps, RegistrationResponse};
use wasm_bindgen::{JsCast, JsValue};

pub fn read_registration(credential: &JsValue) -> Result<RegistrationResponse, BindError> {
    let incomplete = |what: &str| BindError::Server {
        message: format!("the authenticator returned a credential without {what}"),
        cause: credential.clone(),
    };
    if !credential.is_object() {
        return Err(incomplete("any content"));
    }
    // rawId is the truth; `id` is its base64url (some look-alikes only have one).
    let raw_id = get(credential, "rawId")
        .and_then(|v| bytes_of(&v))
        .or_else(|| base64url::decode(&read_string(credential, "id")))
        .filter(|b| !b.is_empty())
        .ok_or_else(|| incomplete("an id"))?;
    let response = get(credential, "response").filter(JsValue::is_object).ok_or_else(|| incomplete("a response"))?;
    let client_data = get(&response, "clientDataJSON").and_then(|v| bytes_of(&v)).ok_or_else(|| incomplete("clientDataJSON"))?;
    let attestation = get(&response, "attestationObject").and_then(|v| bytes_of(&v)).ok_or_else(|| incomplete("an attestationObject"))?;

    let transports = call(&response, "getTransports")
        .filter(Array::is_array)
        .map(|a| a.unchecked_into::<Array>().iter().filter_map(|t| t.as_string()).collect())
        .unwrap_or_default();
    let public_key_algorithm = call(&response, "getPublicKeyAlgorithm").and_then(|v| v.as_f64()).map(|n| n as i32);
    let public_key = call(&response, "getPublicKey").and_then(|v| bytes_of(&v)).map(|b| base64url::encode(&b));
    let authenticator_data = call(&response, "getAuthenticatorData").and_then(|v| bytes_of(&v)).map(|b| base64url::encode(&b));

    let type_ = read_string(credential, "type");
    let attachment = read_string(credential, "authenticatorAttachment");
    let rk = call(credential, "getClientExtensionResults")
        .and_then(|r| get(&r, "credProps"))
        .and_then(|p| get(&p, "rk"))
        .and_then(|rk| rk.as_bool());

    let id = base64url::encode(&raw_id);
    Ok(RegistrationResponse {
        raw_id: id.clone(),
        id,
        type_: if type_.is_empty() { "public-key".into() } else { type_ },
        response: AttestationResponse {
            client_data_json: base64url::encode(&client_data),
            attestation_object: base64url::encode(&attestation),
            authenticator_data,
            transports,
            public_key_algorithm,
            public_key,
        },
        authenticator_attachment: (!attachment.is_empty()).then_some(attachment),
        client_extension_results: ClientExtensionResults { cred_props: rk.map(|rk| CredProps { rk: Some(rk) }) },
    })
}

/// Calls `target[name]()` with `this = target` if it is a function.
fn call(target: &JsValue, name: &str) -> Option<JsValue> {
    let f: Function = get(target, name)?.dyn_into().ok()?;
    f.call0(target).ok().filter(|v| !v.is_undefined() && !v.is_null())
}

/// The bytes of an ArrayBuffer or any view on one (Uint8Array, DataView, …);
/// a base64url string is accepted too, as some look-alikes pre-encode.
fn bytes_of(value: &JsValue) -> Option<Vec<u8>> {
    if ArrayBuffer::is_view(value) {
        let buffer = get(value, "buffer")?;
        let offset = get(value, "byteOffset")?.as_f64()? as u32;
        let length = get(value, "byteLength")?.as_f64()? as u32;
        return Some(Uint8Array::new_with_byte_offset_and_length(&buffer, offset, length).to_vec());
    }
    // An ArrayBuffer, also one from another realm (no `instanceof` here).
    if get(value, "byteLength").is_some_and(|n| n.as_f64().is_some()) {
        return Some(Uint8Array::new(value).to_vec());
    }
    value.as_string().and_then(|s| base64url::decode(&s))
}
