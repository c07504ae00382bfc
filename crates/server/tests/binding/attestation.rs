//! packed (self and x5c) attestation, algorithms, and garbage credentials.

use crate::common::attest::der::{seq, tlv};
use crate::common::packed::{packed_attested, packed_self_attested};
use crate::common::*;
use crate::helpers::*;
use passbind_protocol::base64url;
use passbind_protocol::wire::Passkey;
use serde_json::{json, Value};

pub(crate) async fn packed_self_attestation_verifies_and_a_tampered_signature_is_rejected(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("olga").await;
    let invoke = s.invoke_ok(&link).await;
    let key = p256::ecdsa::SigningKey::from_slice(&passbind_server::util::random_bytes::<32>()).unwrap();

    let bad = packed_self_attested(&invoke.public_key.challenge, &s.server.public_url, "localhost", &key, true);
    let r = s.bind(&link, &invoke.ceremony_id, &bad).await;
    assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;

    let good = packed_self_attested(&invoke.public_key.challenge, &s.server.public_url, "localhost", &key, false);
    let r = s.bind(&link, &invoke.ceremony_id, &good).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let pk: Passkey = serde_json::from_value(r.body["passkey"].clone()).unwrap();
    assert_eq!(pk.authenticator.aaguid, "42424242-4242-4242-4242-424242424242");
    assert_eq!(pk.authenticator.transports, vec!["usb".to_string()]);
    assert_eq!(pk.authenticator.attachment.as_deref(), Some("cross-platform"));
    assert_eq!(s.credentials(identity["id"].as_str().unwrap()).await.len(), 1);
}

pub(crate) async fn garbage_in_the_credential_is_a_typed_error_never_a_500(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("pia").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let valid = serde_json::to_value(passbind_protocol::wire::BindCredentialRequest {
        token: link.token.clone(),
        ceremony_id: invoke.ceremony_id.clone(),
        credential: cred.clone(),
    })
    .unwrap();
    let with = |path: &[&str], v: Value| {
        let mut body = valid.clone();
        let mut at = &mut body;
        for p in &path[..path.len() - 1] {
            at = &mut at[*p];
        }
        at[path[path.len() - 1]] = v;
        body
    };
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"".to_vec(), "INVALID_LINK"),
        (b"not json".to_vec(), "INVALID_LINK"),
        (b"[]".to_vec(), "INVALID_LINK"),
        (serde_json::to_vec(&json!({"token": link.token})).unwrap(), "ATTESTATION_REJECTED"),
        (
            serde_json::to_vec(&with(&["credential", "response", "attestationObject"], json!("!!!not base64!!!"))).unwrap(),
            "ATTESTATION_REJECTED",
        ),
        (
            serde_json::to_vec(&with(
                &["credential", "response", "attestationObject"],
                json!(base64url::encode(b"\xff\xff\xff garbage cbor")),
            ))
            .unwrap(),
            "ATTESTATION_REJECTED",
        ),
        (
            serde_json::to_vec(&with(
                &["credential", "response", "attestationObject"],
                json!(base64url::encode(&[0xa1, 0x63, b'f', b'm', b't'])),
            ))
            .unwrap(),
            "ATTESTATION_REJECTED",
        ),
        (
            serde_json::to_vec(&with(&["credential", "response", "clientDataJSON"], json!(base64url::encode(b"{{{{")))).unwrap(),
            "ATTESTATION_REJECTED",
        ),
        (serde_json::to_vec(&with(&["credential", "response", "clientDataJSON"], json!(42))).unwrap(), "ATTESTATION_REJECTED"),
        (serde_json::to_vec(&with(&["credential", "rawId"], json!(base64url::encode(&[1; 2000])))).unwrap(), "ATTESTATION_REJECTED"),
        (serde_json::to_vec(&with(&["credential", "type"], json!("password"))).unwrap(), "ATTESTATION_REJECTED"),
    ];
    for (body, code) in cases {
        let r = s.bind_raw(&link, body.clone()).await;
        assert!(r.status < 500, "{}: {}", String::from_utf8_lossy(&body), r.body);
        assert_eq!(r.code(), code, "{}", String::from_utf8_lossy(&body));
    }
    // Random bytes in every binary position, a few rounds.
    for round in 0..20u8 {
        let junk: Vec<u8> = passbind_server::util::random_bytes::<64>().iter().map(|b| b ^ round).collect();
        for path in [&["credential", "response", "attestationObject"][..], &["credential", "response", "clientDataJSON"][..]] {
            let body = serde_json::to_vec(&with(path, json!(base64url::encode(&junk)))).unwrap();
            let r = s.bind_raw(&link, body).await;
            assert_eq!(r.code(), "ATTESTATION_REJECTED");
        }
    }
    assert_nothing_bound(&s, &identity, &link).await;
    // The genuine credential still binds afterwards.
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
}

// The attestation certificate is written with the shared DER helpers (the
// verifier checks the leaf's form, not its chain, so its own signature is a stub).
const OID_ECDSA_SHA256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
const OID_EC_PUBLIC_KEY: &[u8] = &[0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_CN: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x03];
const OID_C: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x06];
const OID_O: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x0a];
const OID_OU: &[u8] = &[0x06, 0x03, 0x55, 0x04, 0x0b];
const OID_BASIC_CONSTRAINTS: &[u8] = &[0x06, 0x03, 0x55, 0x1d, 0x13];
const OID_FIDO_AAGUID: &[u8] = &[0x06, 0x0b, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0xe5, 0x1c, 0x01, 0x01, 0x04];

fn attestation_certificate(key: &p256::ecdsa::SigningKey, aaguid: [u8; 16], ca: bool) -> Vec<u8> {
    // §8.2.1's subject: C (a PrintableString), O, OU = "Authenticator Attestation", CN.
    let rdn = |oid: &[u8], value: Vec<u8>| tlv(&[0x31], &seq(&[oid.to_vec(), value]));
    let name = seq(&[
        rdn(OID_C, tlv(&[0x13], b"SE")),
        rdn(OID_O, tlv(&[0x0c], b"passbind tests")),
        rdn(OID_OU, tlv(&[0x0c], b"Authenticator Attestation")),
        rdn(OID_CN, tlv(&[0x0c], b"Test Authenticator Attestation")),
    ]);
    let point = key.verifying_key().to_sec1_point(false);
    let mut bits = vec![0u8];
    bits.extend_from_slice(point.as_bytes());
    let spki = seq(&[seq(&[OID_EC_PUBLIC_KEY.to_vec(), OID_P256.to_vec()]), tlv(&[0x03], &bits)]);
    let basic = seq(&[OID_BASIC_CONSTRAINTS.to_vec(), tlv(&[0x04], &seq(&if ca { vec![tlv(&[0x01], &[0xff])] } else { vec![] }))]);
    let aaguid_ext = seq(&[OID_FIDO_AAGUID.to_vec(), tlv(&[0x04], &tlv(&[0x04], &aaguid))]);
    let tbs = seq(&[
        tlv(&[0xa0], &tlv(&[0x02], &[2])),
        tlv(&[0x02], &[0x01, 0x23]),
        seq(&[OID_ECDSA_SHA256.to_vec()]),
        name.clone(),
        seq(&[tlv(&[0x17], b"250101000000Z"), tlv(&[0x17], b"450101000000Z")]),
        name,
        spki,
        tlv(&[0xa3], &seq(&[basic, aaguid_ext])),
    ]);
    seq(&[tbs, seq(&[OID_ECDSA_SHA256.to_vec()]), tlv(&[0x03], &[0, 0x30, 0x00])])
}

pub(crate) async fn packed_x5c_attestation_checks_the_leaf_certificate(db: Db) {
    let s = TestServer::start_on(db).await;
    let random_key = || p256::ecdsa::SigningKey::from_slice(&passbind_server::util::random_bytes::<32>()).unwrap();
    let (credential_key, attestation_key) = (random_key(), random_key());
    let (identity, link) = s.identity_with_link("rita").await;
    let invoke = s.invoke_ok(&link).await;
    let make = |cert: Vec<u8>, signer: &p256::ecdsa::SigningKey| {
        packed_attested(&invoke.public_key.challenge, &s.server.public_url, "localhost", &credential_key, Some((signer, cert)), false)
    };
    let refused = [
        ("is a CA", make(attestation_certificate(&attestation_key, [0x42; 16], true), &attestation_key)),
        ("AAGUID differs", make(attestation_certificate(&attestation_key, [0x43; 16], false), &attestation_key)),
        ("signature does not verify", make(attestation_certificate(&attestation_key, [0x42; 16], false), &credential_key)),
        ("not DER X.509", make(b"\x30\x03\x02\x01\x01".to_vec(), &attestation_key)),
    ];
    for (why, cred) in refused {
        let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
        assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{why}: {}", r.body);
        assert!(r.error().message.contains(why), "{why}: {}", r.body);
    }
    assert_nothing_bound(&s, &identity, &link).await;
    let good = make(attestation_certificate(&attestation_key, [0x42; 16], false), &attestation_key);
    let r = s.bind(&link, &invoke.ceremony_id, &good).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

pub(crate) async fn es256_binds_and_an_algorithm_never_offered_is_rejected(db: Db) {
    let s = TestServer::start_on(db).await;
    // passkey-rs picks EdDSA from the default options (the happy path);
    // narrowing the list makes it use ES256, which the service also offers.
    let (identity, link) = s.identity_with_link("sam").await;
    let invoke = s.invoke_ok(&link).await;

    let mut ml_dsa = options_json(&invoke);
    ml_dsa["pubKeyCredParams"] = json!([{"type": "public-key", "alg": -48}]);
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &ml_dsa).await;
    assert_eq!(cred.response.public_key_algorithm, Some(-48));
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;

    let mut es256 = options_json(&invoke);
    es256["pubKeyCredParams"] = json!([{"type": "public-key", "alg": -7}]);
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &es256).await;
    assert_eq!(cred.response.public_key_algorithm, Some(-7));
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
}
