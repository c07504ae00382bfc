//! What the policy tests share: configs with a policy, one binding per
//! fresh identity, and the refusal's reason.

use crate::common::mds::{sign_der, Ca};
use crate::common::packed::{attested, Statement};
use crate::common::*;
use passbind_protocol::wire::RegistrationResponse;
use rcgen::KeyPair;
use reqwest::Method;
use serde_json::{json, Value};

/// Google Password Manager's AAGUID (named by the service's AAGUID list).
pub(crate) const GPM: &str = "ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4";
/// Windows Hello's (one of them).
pub(crate) const HELLO: &str = "08987058-cadc-4b81-b6e1-30de50dcbe96";

pub(crate) fn aaguid(text: &str) -> [u8; 16] {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    (0..16).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect::<Vec<_>>().try_into().unwrap()
}

/// A hosted_web config with `policy` (and `attestation`, when given); its answer.
pub(crate) async fn create_config(s: &TestServer, policy: Value, attestation: Option<&str>) -> Resp {
    let mut config = json!({"type": "hosted_web", "policy": policy});
    if let Some(a) = attestation {
        config["attestation"] = json!(a);
    }
    s.admin(Method::POST, &format!("{}/authenticator-configs", s.realm_path()), Some(json!({"authenticator_config": {"config": config}})))
        .await
}

pub(crate) async fn config_id(s: &TestServer, policy: Value) -> String {
    let r = create_config(s, policy, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["id"].as_str().unwrap().to_owned()
}

/// What the authenticator sends.
pub(crate) enum Made<'a> {
    /// `none` attestation with this AAGUID.
    None([u8; 16]),
    /// `packed` with an x5c leaf made under `ca` for this AAGUID.
    Packed(&'a Ca, [u8; 16]),
    /// `fido-u2f` with this attestation certificate and its key.
    U2f(&'a (Vec<u8>, KeyPair)),
}

fn credential(made: &Made<'_>, challenge: &str, origin: &str) -> RegistrationResponse {
    let key = p256::ecdsa::SigningKey::from_slice(&passbind_server::util::random_bytes::<32>()).unwrap();
    match made {
        Made::None(a) => attested(challenge, origin, "localhost", &key, *a, Statement::None),
        Made::Packed(ca, a) => {
            let (leaf, leaf_key) = ca.attestation_leaf(*a);
            let sign = |data: &[u8]| sign_der(&leaf_key, data);
            attested(challenge, origin, "localhost", &key, *a, Statement::Packed { x5c: vec![leaf], sign: &sign })
        }
        Made::U2f((cert, cert_key)) => {
            let sign = |data: &[u8]| sign_der(cert_key, data);
            attested(challenge, origin, "localhost", &key, [0; 16], Statement::FidoU2f { cert: cert.clone(), sign: &sign })
        }
    }
}

/// A fresh identity with a job on `config_id`, bound with what `made` sends:
/// (the bind answer, the identity's ID).
pub(crate) async fn bind_on(s: &TestServer, config_id: &str, made: Made<'_>) -> (Resp, String) {
    let username = format!("user-{}", passbind_server::util::new_id());
    let identity = s.create_identity(&username).await;
    let identity_id = identity["id"].as_str().unwrap().to_owned();
    let (_, link) = s.create_job(&identity_id, config_id, None).await;
    let invoke = s.invoke_ok(&link).await;
    let cred = credential(&made, &invoke.public_key.challenge, &s.server.public_url);
    (s.bind(&link, &invoke.ceremony_id, &cred).await, identity_id)
}

/// Asserts an ATTESTATION_REJECTED refusal with exactly this reason, and nothing stored.
pub(crate) async fn assert_refused(s: &TestServer, (r, identity_id): &(Resp, String), reason: &str) {
    assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{}", r.body);
    let reasons: Vec<_> = r.error().details.iter().filter_map(|d| d.reason.clone()).collect();
    assert_eq!(reasons, [reason], "{}", r.body);
    assert!(s.credentials(identity_id).await.is_empty());
}

/// The one credential of the identity (admin view).
pub(crate) async fn the_credential(s: &TestServer, identity_id: &str) -> Value {
    let list = s.credentials(identity_id).await;
    assert_eq!(list.len(), 1);
    list[0].clone()
}
