//! The `android-safetynet` format (WebAuthn §8.5): a real Chrome on Android
//! attestation (tests/vectors/android-safetynet/SOURCE.md) verified with its
//! own ceremony up to GlobalSign Root CA, and SafetyNet responses made here
//! (a leaf issued to attest.android.com by a CA made with rcgen) that each
//! break one rule.

mod common;
#[path = "vectors/load.rs"]
mod load;

use ciborium::Value;
use common::*;
use load::{load, Vector};
use passbind_protocol::base64url;
use passbind_webauthn::attestation::{verify_statement_at, AttestationObject, AttestationType};
use passbind_webauthn::authenticator_data::AuthenticatorData;
use passbind_webauthn::cose::CoseKey;
use passbind_webauthn::{verify_chain, verify_registration_at, VerifiedRegistration, VerifyError};
use rcgen::{date_time_ymd, CertificateParams, DnType, IsCa, Issuer, KeyPair, SanType, SigningKey, PKCS_ECDSA_P256_SHA256};
use sha2::{Digest, Sha256};

const VECTOR: &str = "py-webauthn-chrome-android.json";

fn code<T>(r: Result<T, VerifyError>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

fn verify_vector(v: &Vector, at: Option<u64>) -> Result<VerifiedRegistration, VerifyError> {
    v.expect(|exp| verify_registration_at(&v.response, exp, at))
}

#[test]
fn a_chrome_on_android_attestation_verifies_up_to_globalsign() {
    let v = load("android-safetynet", VECTOR);
    let reg = verify_vector(&v, Some(v.verify_at)).unwrap_or_else(|e| panic!("{e} ({})", e.code()));
    assert_eq!(reg.attestation_format, "android-safetynet");
    assert_eq!(reg.attestation.att_type, AttestationType::Basic);
    assert_eq!(reg.attestation.trust_path.len(), 3, "attest.android.com, GTS CA 1D4, GTS Root R1");
    let anchors = std::slice::from_ref(&v.anchor_der);
    assert_eq!(code(verify_chain(&reg.attestation.trust_path, anchors, v.verify_at).map_err(VerifyError::from)), "ok");
    // The leaf expired on 2021-10-17.
    assert_eq!(code(verify_chain(&reg.attestation.trust_path, anchors, 1_640_995_200).map_err(VerifyError::from)), "chain_expired");
    // Without a time, only the statement and the path's signatures are checked.
    assert_eq!(code(verify_vector(&v, None)), "ok");
}

#[test]
fn the_real_response_is_bound_to_its_time_and_ceremony() {
    let v = load("android-safetynet", VECTOR);
    // timestampMs is 1630703240057: five minutes later it is too old, a minute before it is in the future.
    assert_eq!(code(verify_vector(&v, Some(1_630_703_240 + 301))), "safetynet_timestamp_out_of_window");
    assert_eq!(code(verify_vector(&v, Some(1_630_703_240 + 299))), "ok");
    assert_eq!(code(verify_vector(&v, Some(1_630_703_240 - 61))), "safetynet_timestamp_out_of_window");
    // Another ceremony's client data: the nonce is not its.
    let att = AttestationObject::parse(&v.attestation_object()).unwrap();
    let auth = AuthenticatorData::parse(&att.auth_data).unwrap();
    let key = CoseKey::parse(&auth.attested.as_ref().unwrap().public_key_cose).unwrap();
    let other: [u8; 32] = Sha256::digest(b"another ceremony").into();
    assert_eq!(code(verify_statement_at(&att, &auth, &key, &other, Some(v.verify_at))), "safetynet_nonce_mismatch");
}

#[test]
fn a_tampered_real_response_is_refused() {
    let v = load("android-safetynet", VECTOR);
    let with_response = |change: &dyn Fn(&str) -> String| {
        let Value::Map(mut top) = ciborium::from_reader::<Value, _>(v.attestation_object().as_slice()).unwrap() else { panic!() };
        let Some((_, Value::Map(stmt))) = top.iter_mut().find(|(k, _)| k == &text("attStmt")) else { panic!() };
        let Some((_, Value::Bytes(jws))) = stmt.iter_mut().find(|(k, _)| k == &text("response")) else { panic!() };
        *jws = change(std::str::from_utf8(jws).unwrap()).into_bytes();
        code(v.expect(|exp| verify_registration_at(&v.with_attestation_object(&cbor(&Value::Map(top))), exp, Some(v.verify_at))))
    };
    let parts = |jws: &str| jws.split('.').map(str::to_owned).collect::<Vec<_>>();
    // A signature bit, and a payload that says ctsProfileMatch false without Google's signature.
    assert_eq!(
        with_response(&|j| {
            let mut p = parts(j);
            let mut sig = base64url::decode(&p[2]).unwrap();
            sig[10] ^= 1;
            p[2] = base64url::encode(&sig);
            p.join(".")
        }),
        "bad_signature"
    );
    assert_eq!(
        with_response(&|j| {
            let mut p = parts(j);
            let payload = String::from_utf8(base64url::decode(&p[1]).unwrap()).unwrap();
            p[1] = base64url::encode(payload.replace("\"ctsProfileMatch\":true", "\"ctsProfileMatch\":false").as_bytes());
            p.join(".")
        }),
        "bad_signature"
    );
    assert_eq!(with_response(&|j| parts(j)[..2].join(".")), "safetynet_malformed");
    assert_eq!(with_response(&|j| format!("{j}.x")), "safetynet_malformed");
}

// ---- SafetyNet responses made here ----

/// Standard base64 with padding.
fn std_b64(bytes: &[u8]) -> String {
    let mut s: String = base64url::encode(bytes).replace('-', "+").replace('_', "/");
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

struct Made {
    leaf: CertificateParams,
    alg: &'static str,
    payload: serde_json::Value,
    with_x5c: bool,
    ver: Option<&'static str>,
}

impl Made {
    fn good(r: &Registration) -> Self {
        let client_data_hash = Sha256::digest(serde_json::to_vec(&r.client_data).unwrap());
        let nonce = std_b64(&Sha256::digest([r.auth_data().as_slice(), &client_data_hash].concat()));
        let mut leaf = CertificateParams::new(Vec::<String>::new()).unwrap();
        leaf.distinguished_name.push(DnType::CommonName, "attest.android.com");
        leaf.not_before = date_time_ymd(2024, 1, 1);
        leaf.not_after = date_time_ymd(2026, 1, 1);
        leaf.is_ca = IsCa::ExplicitNoCa;
        Made {
            leaf,
            alg: "ES256",
            payload: serde_json::json!({
                "nonce": nonce, "timestampMs": AT * 1000 - 2000, "apkPackageName": "com.google.android.gms",
                "ctsProfileMatch": true, "basicIntegrity": true, "evaluationType": "BASIC,HARDWARE_BACKED",
            }),
            with_x5c: true,
            ver: Some("242632000"),
        }
    }

    fn statement(self) -> Statement {
        let ca_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.distinguished_name.push(DnType::CommonName, "Test GTS CA");
        ca.not_before = date_time_ymd(2020, 1, 1);
        ca.not_after = date_time_ymd(2030, 1, 1);
        ca.is_ca = IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign];
        let ca_der = ca.self_signed(&ca_key).unwrap().der().to_vec();
        let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let leaf_der = self.leaf.signed_by(&leaf_key, &Issuer::new(ca, ca_key)).unwrap().der().to_vec();
        let x5c = if self.with_x5c { vec![std_b64(&leaf_der), std_b64(&ca_der)] } else { vec![] };
        let header = serde_json::json!({ "alg": self.alg, "x5c": x5c });
        let input =
            format!("{}.{}", base64url::encode(header.to_string().as_bytes()), base64url::encode(self.payload.to_string().as_bytes()));
        // rcgen signs ECDSA as DER; JWS wants r ‖ s.
        let der = leaf_key.sign(input.as_bytes()).unwrap();
        let raw = p256::ecdsa::Signature::from_der(&der).unwrap().to_bytes();
        let jws = format!("{input}.{}", base64url::encode(&raw));
        let mut att_stmt = vec![(text("response"), Value::Bytes(jws.into_bytes()))];
        if let Some(ver) = self.ver {
            att_stmt.push((text("ver"), text(ver)));
        }
        Statement::Raw { fmt: "android-safetynet".into(), att_stmt }
    }
}

/// 2025-06-01T00:00:00Z: inside the leaf's validity.
const AT: u64 = 1_748_736_000;

fn made_here(change: impl FnOnce(&mut Made), at: u64) -> &'static str {
    let mut r = Registration::new(Key::p256());
    let mut m = Made::good(&r);
    change(&mut m);
    r.statement = m.statement();
    code(expect(false, |exp| verify_registration_at(&r.response(), exp, Some(at))))
}

#[test]
fn responses_made_here_break_one_rule_each() {
    assert_eq!(made_here(|_| {}, AT), "ok");
    // The hostname in the SAN rather than the common name is fine; neither is not.
    assert_eq!(
        made_here(
            |m| {
                m.leaf.distinguished_name = rcgen::DistinguishedName::new();
                m.leaf.distinguished_name.push(DnType::CommonName, "Google LLC");
                m.leaf.subject_alt_names = vec![SanType::DnsName("attest.android.com".try_into().unwrap())];
            },
            AT
        ),
        "ok"
    );
    assert_eq!(
        made_here(
            |m| {
                m.leaf.distinguished_name = rcgen::DistinguishedName::new();
                m.leaf.distinguished_name.push(DnType::CommonName, "attest.android.com.evil.example");
            },
            AT
        ),
        "safetynet_wrong_hostname"
    );
    assert_eq!(made_here(|m| m.payload["nonce"] = std_b64(&[0; 32]).into(), AT), "safetynet_nonce_mismatch");
    assert_eq!(made_here(|m| m.payload["ctsProfileMatch"] = false.into(), AT), "safetynet_cts_profile_mismatch");
    assert_eq!(made_here(|m| drop(m.payload.as_object_mut().unwrap().remove("ctsProfileMatch")), AT), "safetynet_cts_profile_mismatch");
    assert_eq!(made_here(|m| m.payload["timestampMs"] = ((AT - 3600) * 1000).into(), AT), "safetynet_timestamp_out_of_window");
    assert_eq!(made_here(|m| m.payload["timestampMs"] = ((AT + 3600) * 1000).into(), AT), "safetynet_timestamp_out_of_window");
    assert_eq!(made_here(|m| drop(m.payload.as_object_mut().unwrap().remove("nonce")), AT), "safetynet_malformed");
    assert_eq!(made_here(|m| m.alg = "HS256", AT), "safetynet_unsupported_algorithm");
    // ES256 signature checked as RS256: the leaf's key does not suit it.
    assert_eq!(made_here(|m| m.alg = "RS256", AT), "algorithm_key_mismatch");
    assert_eq!(made_here(|m| m.with_x5c = false, AT), "safetynet_missing_x5c");
    assert_eq!(made_here(|m| m.ver = None, AT), "safetynet_malformed");
    // The leaf expired before the verification time.
    let later = 1_767_225_600 + 86_400; // 2026-01-02
    assert_eq!(made_here(|m| m.payload["timestampMs"] = (later * 1000).into(), later), "chain_expired");
}

#[test]
fn hostile_responses_are_refused_without_panicking() {
    let b64 = |s: &str| base64url::encode(s.as_bytes());
    let many = vec![std_b64(b"x"); 100];
    let cases: Vec<Vec<u8>> = vec![
        vec![],
        b".".to_vec(),
        b"..".to_vec(),
        b"a.b.c".to_vec(),
        vec![0xff, 0xfe, b'.', b'.'],
        format!("{}.{}.", b64("{}"), b64("{}")).into_bytes(),
        format!("{}.{}.AA", b64(r#"{"alg":"ES256","x5c":["AAAA"]}"#), b64(r#"{"nonce":"","timestampMs":0}"#)).into_bytes(),
        format!("{}.{}.AA", b64(r#"{"alg":"ES256","x5c":[1]}"#), b64(r#"{"nonce":"","timestampMs":0}"#)).into_bytes(),
        format!("{}.{}.AA", b64(&serde_json::json!({"alg": "RS256", "x5c": many}).to_string()), b64(r#"{"nonce":"","timestampMs":0}"#))
            .into_bytes(),
        format!("{}.{}.AA", b64(r#"{"alg":"ES256","x5c":[]}"#), b64(r#"{"nonce":"","timestampMs":-1}"#)).into_bytes(),
    ];
    for response in cases {
        let mut r = Registration::new(Key::p256());
        r.statement = Statement::Raw {
            fmt: "android-safetynet".into(),
            att_stmt: vec![(text("ver"), text("1")), (text("response"), Value::Bytes(response.clone()))],
        };
        let c = code(expect(false, |exp| verify_registration_at(&r.response(), exp, Some(AT))));
        assert!(c.starts_with("safetynet_") || c == "malformed_certificate", "{response:02x?}: {c}");
    }
}

/// Printed for bench/RESULTS.md (`cargo test --release --test android_safetynet -- --nocapture`).
#[test]
fn median_verification_time() {
    let v = load("android-safetynet", VECTOR);
    let att = AttestationObject::parse(&v.attestation_object()).unwrap();
    let auth = AuthenticatorData::parse(&att.auth_data).unwrap();
    let key = CoseKey::parse(&auth.attested.as_ref().unwrap().public_key_cose).unwrap();
    let cdh: [u8; 32] = Sha256::digest(base64url::decode(&v.response.response.client_data_json).unwrap()).into();
    let mut times: Vec<std::time::Duration> = (0..21)
        .map(|_| {
            let t = std::time::Instant::now();
            verify_statement_at(&att, &auth, &key, &cdh, Some(v.verify_at)).unwrap();
            t.elapsed()
        })
        .collect();
    times.sort();
    println!("android-safetynet {VECTOR}: median verify_statement {:?}", times[times.len() / 2]);
}
