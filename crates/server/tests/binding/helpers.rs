//! What the binding tests share: options as JSON, tampering, and the check
//! that a refusal stored nothing.

use crate::common::*;
use ciborium::Value as Cbor;
use passbind_protocol::base64url;
use passbind_protocol::wire::RegistrationResponse;
use serde_json::Value;

pub(crate) fn options_json(invoke: &passbind_protocol::wire::InvokeAuthenticatorResponse) -> Value {
    serde_json::to_value(&invoke.public_key).unwrap()
}

/// Rewrites the authenticator data inside a credential's attestation object.
pub(crate) fn tamper_auth_data(cred: &RegistrationResponse, mut edit: impl FnMut(&mut Vec<u8>)) -> RegistrationResponse {
    let bytes = base64url::decode(&cred.response.attestation_object).unwrap();
    let mut value: Cbor = ciborium::from_reader(bytes.as_slice()).unwrap();
    if let Cbor::Map(entries) = &mut value {
        for (k, v) in entries.iter_mut() {
            if matches!(k, Cbor::Text(t) if t == "authData") {
                if let Cbor::Bytes(b) = v {
                    edit(b);
                }
            }
        }
    }
    let mut out = Vec::new();
    ciborium::into_writer(&value, &mut out).unwrap();
    let mut cred = cred.clone();
    cred.response.attestation_object = base64url::encode(&out);
    cred
}

pub(crate) async fn assert_nothing_bound(s: &TestServer, identity: &Value, link: &passbind_protocol::BindingLink) {
    assert!(s.credentials(identity["id"].as_str().unwrap()).await.is_empty(), "no credential may be stored");
    assert_ne!(s.job(link).await["state"], "COMPLETE");
}
