//! `verify_registration` end to end: what it accepts and, for each way a
//! response can be wrong, the typed reason it gives.

mod common;

use ciborium::Value;
use common::*;
use passbind_webauthn::{verify_registration, Refusal, VerifiedRegistration, VerifyError};

fn verify(r: &Registration) -> Result<VerifiedRegistration, VerifyError> {
    expect(true, |exp| verify_registration(&r.response(), exp))
}

/// The reason a registration changed by `change` is refused.
fn refused(key: fn() -> Key, change: impl FnOnce(&mut Registration)) -> VerifyError {
    let mut r = Registration::new(key());
    change(&mut r);
    verify(&r).expect_err("refused")
}

#[test]
fn none_attestation_is_accepted_with_what_to_store() {
    let r = Registration::new(Key::p256());
    let v = verify(&r).unwrap();
    assert_eq!(v.credential_id, r.credential_id);
    assert_eq!(v.public_key_cose, cbor(&Value::Map(r.cose_key.clone())));
    assert_eq!((v.alg, v.sign_count, v.aaguid, v.attestation_format.as_str()), (-7, 9, [0x5a; 16], "none"));
    assert_eq!((v.backup_eligible, v.backed_up), (false, false));
    assert_eq!(v.transports, ["internal", "hybrid"]);
    assert_eq!(v.attachment.as_deref(), Some("platform"));
}

#[test]
fn packed_self_attestation_is_accepted_for_each_offered_algorithm() {
    for key in [Key::p256(), Key::ed25519(), Key::rsa()] {
        let alg = key.alg();
        let mut r = Registration::packed(key);
        r.flags |= BE | BS;
        let v = verify(&r).unwrap_or_else(|e| panic!("alg {alg}: {e}"));
        assert_eq!((v.alg, v.attestation_format.as_str(), v.backup_eligible, v.backed_up), (alg, "packed", true, true));
    }
}

#[test]
fn user_verification_is_required_only_when_asked() {
    let mut r = Registration::new(Key::p256());
    r.flags &= !UV;
    assert_eq!(verify(&r), Err(VerifyError::UserNotVerified));
    assert!(expect(false, |exp| verify_registration(&r.response(), exp)).is_ok());
}

#[test]
fn each_refusal_names_its_reason() {
    use VerifyError as E;
    let cases: Vec<(VerifyError, VerifyError)> = vec![
        (refused(Key::p256, |r| r.type_ = "password".into()), E::NotPublicKey),
        (refused(Key::p256, |r| r.raw_id = Some(vec![1, 2])), E::CredentialIdMismatch),
        (refused(Key::p256, |r| r.client_data["type"] = "webauthn.get".into()), E::WrongType { found: "webauthn.get".into() }),
        (refused(Key::p256, |r| r.client_data["challenge"] = "AAAA".into()), E::ChallengeMismatch),
        (refused(Key::p256, |r| r.client_data["challenge"] = "a*b".into()), E::NotBase64url { field: "the challenge" }),
        (
            refused(Key::p256, |r| r.client_data["origin"] = "https://evil.example".into()),
            E::OriginNotAllowed { origin: "https://evil.example".into() },
        ),
        (refused(Key::p256, |r| r.client_data["crossOrigin"] = true.into()), E::CrossOrigin),
        (refused(Key::p256, |r| r.rp_id = "example.com".into()), E::RpIdMismatch { rp_id: RP_ID.into() }),
        (refused(Key::p256, |r| r.flags &= !UP), E::UserNotPresent),
        (refused(Key::p256, |r| r.flags |= BS), E::BackupStateWithoutEligibility),
        (refused(Key::p256, |r| r.flags &= !AT), E::NoAttestedCredentialData),
        (refused(Key::p256, |r| r.credential_id = vec![3; 1024]), E::CredentialIdTooLong),
        (refused(Key::p256, |r| r.cose_key[1].1 = int(-35)), E::AlgorithmNotOffered(-35)),
        (refused(Key::p256, |r| r.cose_key[0].1 = int(1)), E::UnsupportedKeyType { kty: 1, alg: -7 }),
        (
            refused(Key::p256, |r| r.statement = Statement::Raw { fmt: "x-unregistered".into(), att_stmt: vec![] }),
            E::UnsupportedFormat("x-unregistered".into()),
        ),
        (
            refused(Key::p256, |r| r.statement = Statement::Raw { fmt: "none".into(), att_stmt: vec![(text("alg"), int(-7))] }),
            E::MalformedAttestationStatement("a none attestation must have an empty attStmt"),
        ),
        (
            refused(Key::p256, |r| {
                r.statement =
                    Statement::Raw { fmt: "packed".into(), att_stmt: vec![(text("alg"), int(-7)), (text("sig"), Value::Bytes(vec![0]))] }
            }),
            E::BadSignature,
        ),
        (
            refused(Key::p256, |r| {
                r.statement = Statement::Raw {
                    fmt: "packed".into(),
                    att_stmt: vec![
                        (text("alg"), int(-7)),
                        (text("sig"), Value::Bytes(vec![0])),
                        (text("x5c"), Value::Array(vec![Value::Bytes(b"\x30\x03\x02\x01\x01".to_vec())])),
                    ],
                }
            }),
            E::MalformedCertificate("the attestation certificate is not DER X.509"),
        ),
        (refused(Key::p256, |r| r.statement = Statement::PackedSelf { alg: -8 }), E::SelfAttestationAlgorithmMismatch),
        (
            refused(Key::p256, |r| r.statement = Statement::Raw { fmt: "packed".into(), att_stmt: vec![(text("alg"), int(-7))] }),
            E::MalformedAttestationStatement("packed attStmt has no sig"),
        ),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
        let security = matches!(want, E::OriginNotAllowed { .. } | E::CrossOrigin | E::RpIdMismatch { .. });
        assert_eq!(got.refusal(), if security { Refusal::Security } else { Refusal::Rejected }, "{got}");
    }
}

#[test]
fn forged_signatures_are_refused_for_each_algorithm() {
    for key in [Key::p256, Key::ed25519, Key::rsa] {
        let mut r = Registration::packed(key());
        r.flip_signature = true;
        assert_eq!(verify(&r), Err(VerifyError::BadSignature), "alg {}", r.key.alg());
        // A signature over other authenticator data than the one sent.
        let mut r = Registration::packed(key());
        let good = r.response();
        r.flags |= BE;
        let mut tampered = r.response();
        tampered.response.attestation_object = {
            // Keep the old signature, send the new authenticator data.
            let new: Value =
                ciborium::from_reader(passbind_protocol::base64url::decode(&tampered.response.attestation_object).unwrap().as_slice())
                    .unwrap();
            let old: Value =
                ciborium::from_reader(passbind_protocol::base64url::decode(&good.response.attestation_object).unwrap().as_slice()).unwrap();
            let (Value::Map(mut new), Value::Map(old)) = (new, old) else { unreachable!() };
            new[1] = old[1].clone();
            passbind_protocol::base64url::encode(&cbor(&Value::Map(new)))
        };
        assert_eq!(expect(true, |exp| verify_registration(&tampered, exp)), Err(VerifyError::BadSignature));
    }
}

#[test]
fn the_response_must_be_base64url_and_consistent() {
    let r = Registration::new(Key::p256());
    let mut resp = r.response();
    resp.id = "AAAA".into();
    assert_eq!(expect(true, |exp| verify_registration(&resp, exp)), Err(VerifyError::IdMismatch));
    for (field, change) in [
        ("rawId", (|r: &mut passbind_protocol::wire::RegistrationResponse| r.raw_id = "*".into()) as fn(&mut _)),
        ("clientDataJSON", |r| r.response.client_data_json = "*".into()),
        ("attestationObject", |r| r.response.attestation_object = "*".into()),
    ] {
        let mut resp = r.response();
        change(&mut resp);
        assert_eq!(expect(true, |exp| verify_registration(&resp, exp)), Err(VerifyError::NotBase64url { field }));
    }
    let mut resp = r.response();
    resp.response.attestation_object = passbind_protocol::base64url::encode(b"\xa0");
    assert_eq!(
        expect(true, |exp| verify_registration(&resp, exp)),
        Err(VerifyError::MalformedAttestationObject("the attestation object has no fmt"))
    );
}

#[test]
fn a_cose_key_with_a_repeated_label_is_refused() {
    // RFC 9052 §7: labels are unique; coset enforces it.
    let err = refused(Key::p256, |r| {
        let alg = r.cose_key[1].clone();
        r.cose_key.push(alg);
    });
    assert_eq!(err.code(), "malformed_public_key", "{err}");
}

#[test]
fn transports_and_attachment_are_filtered() {
    let r = Registration::new(Key::p256());
    let mut resp = r.response();
    resp.response.transports = (0..10).map(|i| format!("t{i}")).chain(["x".repeat(33)]).collect();
    resp.authenticator_attachment = Some("somewhere".into());
    let v = expect(true, |exp| verify_registration(&resp, exp)).unwrap();
    assert_eq!(v.transports.len(), 8);
    assert_eq!(v.attachment, None);
}
