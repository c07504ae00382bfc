//! What the attack cases share: the refusal check, a prepared ceremony with
//! its credential, tampering, and a second tenant.

use crate::common::*;
use ciborium::Value as Cbor;
use passbind_protocol::base64url;
use passbind_protocol::wire::{InvokeAuthenticatorResponse, RegistrationResponse};
use passbind_protocol::BindingLink;
use serde_json::Value;

#[track_caller]
pub(crate) fn refused(r: &Resp, status: u16, code: &str) {
    assert_eq!((r.status, r.code().as_str()), (status, code), "{}", r.body);
}

pub(crate) fn options(invoke: &InvokeAuthenticatorResponse) -> Value {
    serde_json::to_value(&invoke.public_key).unwrap()
}

/// An identity, a RETURN link on the dev hosted_web config, a ceremony and
/// a credential made for it on the right origin.
pub(crate) async fn prepared(s: &TestServer, name: &str) -> (Value, BindingLink, InvokeAuthenticatorResponse, RegistrationResponse) {
    let (identity, link) = s.identity_with_link(name).await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke)).await;
    (identity, link, invoke, cred)
}

pub(crate) async fn nothing_bound(s: &TestServer, identity: &Value, link: &BindingLink) {
    assert!(s.credentials(identity["id"].as_str().unwrap()).await.is_empty(), "no credential may be stored");
    assert_ne!(s.job(link).await["state"], "COMPLETE");
}

/// Rewrites the authenticator data inside a credential's attestation object.
pub(crate) fn tamper_auth_data(cred: &RegistrationResponse, edit: impl FnOnce(&mut Vec<u8>)) -> RegistrationResponse {
    let bytes = base64url::decode(&cred.response.attestation_object).unwrap();
    let mut value: Cbor = ciborium::from_reader(bytes.as_slice()).unwrap();
    let mut edit = Some(edit);
    if let Cbor::Map(entries) = &mut value {
        for (k, v) in entries.iter_mut() {
            if let (Cbor::Text(t), Cbor::Bytes(b)) = (k, v) {
                if t == "authData" {
                    (edit.take().unwrap())(b);
                }
            }
        }
    }
    let mut cred = cred.clone();
    cred.response.attestation_object = base64url::encode(&packed::cbor_bytes(&value));
    cred
}

/// Rewrites clientDataJSON (as JSON).
pub(crate) fn tamper_client_data(cred: &RegistrationResponse, edit: impl FnOnce(&mut Value)) -> RegistrationResponse {
    let mut cd: Value = serde_json::from_slice(&base64url::decode(&cred.response.client_data_json).unwrap()).unwrap();
    edit(&mut cd);
    let mut cred = cred.clone();
    cred.response.client_data_json = base64url::encode(&serde_json::to_vec(&cd).unwrap());
    cred
}

/// A `packed` self-attested ES256 credential from a fresh key: authenticator
/// data and clientDataJSON are covered by its signature.
pub(crate) fn packed(challenge: &str, origin: &str, rp_id: &str) -> RegistrationResponse {
    let key = p256::ecdsa::SigningKey::from_slice(&passbind_server::util::random_bytes::<32>()).unwrap();
    packed::packed_self_attested(challenge, origin, rp_id, &key, false)
}

/// A second tenant with a realm and an API token (optionally realm-scoped).
pub(crate) async fn other_tenant(s: &TestServer, realm_scoped: bool) -> (String, String, String) {
    use passbind_server::store::{ApiToken, Realm, Tenant};
    use passbind_server::util::{hash_secret, new_id, new_secret, now_micros};
    let state = &s.server.state;
    let now = now_micros();
    let (tenant, realm, token) = (new_id(), new_id(), new_secret());
    state.tenants.create_tenant(&Tenant { id: tenant.clone().into(), display_name: "Other".into(), create_time: now }).await.unwrap();
    state
        .tenants
        .create_realm(&Realm {
            id: realm.clone().into(),
            tenant_id: tenant.clone().into(),
            display_name: "Other realm".into(),
            create_time: now,
        })
        .await
        .unwrap();
    state
        .api_tokens
        .insert_api_token(&ApiToken::new(hash_secret(&token), tenant.clone().into(), realm_scoped.then(|| realm.clone().into()), None, now))
        .await
        .unwrap();
    (tenant, realm, token)
}
