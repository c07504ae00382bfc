//! The service's `PublicKeyCredentialCreationOptionsJSON` → the object
//! `navigator.credentials.create({publicKey})` takes: the same shape, with the
//! three binary fields (challenge, user.id, excludeCredentials[].id) as bytes.

use crate::error::BindError;
use js_sys::{Array, Object, Reflect, Uint8Array};
use passbind_protocol::{base64url, wire::CreationOptions};
use wasm_bindgen::{JsCast, JsValue};

/// The binary fields, decoded. Split from the JS side so it tests natively.
#[derive(Debug, PartialEq)]
pub struct Binaries {
    pub challenge: Vec<u8>,
    pub user_id: Vec<u8>,
    pub exclude_ids: Vec<Vec<u8>>,
}

pub fn decode_binaries(options: &CreationOptions) -> Result<Binaries, BindError> {
    let bad = |what: &str| {
        let mut m = String::from("the creation options' ");
        m.push_str(what);
        m.push_str(" is not base64url");
        BindError::Server { message: m, cause: JsValue::UNDEFINED }
    };
    let challenge = base64url::decode(&options.challenge).filter(|c| !c.is_empty()).ok_or_else(|| bad("challenge"))?;
    let user_id = base64url::decode(&options.user.id).filter(|u| !u.is_empty()).ok_or_else(|| bad("user.id"))?;
    let exclude_ids = options
        .exclude_credentials
        .iter()
        .map(|c| base64url::decode(&c.id).ok_or_else(|| bad("excludeCredentials[].id")))
        .collect::<Result<_, _>>()?;
    Ok(Binaries { challenge, user_id, exclude_ids })
}

/// The `publicKey` member for `navigator.credentials.create`.
pub fn creation_options_to_js(options: &CreationOptions) -> Result<Object, BindError> {
    let binaries = decode_binaries(options)?;
    let unexpected = |e: JsValue| BindError::server("could not convert the creation options", e);
    let object: Object = serde_wasm_bindgen::to_value(options)
        .map_err(|e| unexpected(e.into()))?
        .dyn_into()
        .map_err(unexpected)?;
    let set = |target: &JsValue, key: &str, bytes: &[u8]| {
        Reflect::set(target, &key.into(), &Uint8Array::from(bytes)).map(drop).map_err(unexpected)
    };
    set(&object, "challenge", &binaries.challenge)?;
    let user = Reflect::get(&object, &"user".into()).map_err(unexpected)?;
    set(&user, "id", &binaries.user_id)?;
    if !binaries.exclude_ids.is_empty() {
        let excluded: Array = Reflect::get(&object, &"excludeCredentials".into()).map_err(unexpected)?.unchecked_into();
        for (i, id) in binaries.exclude_ids.iter().enumerate() {
            set(&excluded.get(i as u32), "id", id)?;
        }
    }
    Ok(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use passbind_protocol::wire::{CredentialDescriptor, CredentialParameter, RelyingParty, UserEntity};

    pub fn sample() -> CreationOptions {
        CreationOptions {
            rp: RelyingParty { id: Some("localhost".into()), name: "passbind".into() },
            user: UserEntity { id: "AQID".into(), name: "ada".into(), display_name: "Ada".into() },
            challenge: "3q2-7w".into(),
            pub_key_cred_params: vec![CredentialParameter { type_: "public-key".into(), alg: -7 }],
            timeout: Some(60000),
            exclude_credentials: vec![CredentialDescriptor { id: "_w".into(), type_: "public-key".into(), transports: vec![] }],
            authenticator_selection: None,
            hints: vec![],
            attestation: None,
            extensions: None,
        }
    }

    #[test]
    fn decodes_the_binary_fields() {
        let b = decode_binaries(&sample()).unwrap();
        assert_eq!(b.challenge, [0xde, 0xad, 0xbe, 0xef]);
        assert_eq!(b.user_id, [1, 2, 3]);
        assert_eq!(b.exclude_ids, [vec![0xff]]);
    }

    #[test]
    fn bad_base64_is_a_server_error() {
        let mut o = sample();
        o.challenge = "not base64!".into();
        let e = decode_binaries(&o).unwrap_err();
        assert_eq!(e.code().as_str(), "SERVER");
        assert_eq!(e.message(), "the creation options' challenge is not base64url");
        let mut o = sample();
        o.user.id = String::new();
        assert!(decode_binaries(&o).unwrap_err().message().contains("user.id"));
    }
}
