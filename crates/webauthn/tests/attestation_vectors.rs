//! Real-world attestation objects (tests/vectors/<format>/, origins in each
//! file's `source` and in the SOURCE.md next to it) verified end to end with their
//! own challenge, origin and RP ID, then their trust path against the
//! vendor's root at a time inside the certificates' validity; and, per
//! format, the exact refusal when one thing is wrong.

use ciborium::Value;
use passbind_protocol::base64url;
use passbind_protocol::wire::RegistrationResponse;
use passbind_webauthn::attestation::{self, AttestationObject, AttestationType, Attested};
use passbind_webauthn::authenticator_data::AuthenticatorData;
use passbind_webauthn::cose::CoseKey;
use passbind_webauthn::{verify_chain, verify_registration, ChainError, Expectation, VerifyError};
use sha2::{Digest, Sha256};

struct Vector {
    challenge: Vec<u8>,
    origin: String,
    rp_id: String,
    at: u64,
    response: RegistrationResponse,
}

fn vector(json: &str) -> Vector {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    Vector {
        challenge: base64url::decode(v["challenge"].as_str().unwrap()).unwrap(),
        origin: v["origin"].as_str().unwrap().to_owned(),
        rp_id: v["rp_id"].as_str().unwrap().to_owned(),
        at: v["at"].as_u64().unwrap(),
        response: serde_json::from_value(v["credential"].clone()).unwrap(),
    }
}

fn none() -> Vector {
    vector(include_str!("vectors/none/firefox-android.json"))
}
fn packed() -> Vector {
    vector(include_str!("vectors/packed/yubikey-firefox.json"))
}
fn fido_u2f() -> Vector {
    vector(include_str!("vectors/fido-u2f/yubikey-firefox.json"))
}
fn apple() -> Vector {
    vector(include_str!("vectors/apple/iphone-passkey.json"))
}
fn android_key() -> Vector {
    vector(include_str!("vectors/android-key/pixel-8a.json"))
}
fn android_key_conformance() -> Vector {
    vector(include_str!("vectors/android-key/fido-conformance.json"))
}

/// A PEM certificate's DER (standard base64 between the armour lines).
fn pem(text: &str) -> Vec<u8> {
    let b64: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    let url: String = b64
        .chars()
        .filter(|c| *c != '=')
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    base64url::decode(&url).unwrap()
}

fn yubico_root() -> Vec<u8> {
    pem(include_str!("vectors/roots/yubico-u2f-root-ca-457200631.pem"))
}
fn apple_root() -> Vec<u8> {
    pem(include_str!("vectors/roots/apple-webauthn-root-ca.pem"))
}
fn google_root() -> Vec<u8> {
    pem(include_str!("vectors/roots/google-hardware-attestation-root-2.pem"))
}

fn verify(v: &Vector) -> Result<passbind_webauthn::VerifiedRegistration, VerifyError> {
    let origins = [v.origin.clone()];
    let exp = Expectation { challenge: &v.challenge, allowed_origins: &origins, rp_id: &v.rp_id, require_user_verification: false };
    verify_registration(&v.response, &exp)
}

/// The statement's parts, to change one of them and call verify_statement.
struct Parts {
    att: AttestationObject,
    client_data_hash: [u8; 32],
}

impl Parts {
    fn of(v: &Vector) -> Parts {
        let att = AttestationObject::parse(&base64url::decode(&v.response.response.attestation_object).unwrap()).unwrap();
        let client_data = base64url::decode(&v.response.response.client_data_json).unwrap();
        Parts { att, client_data_hash: Sha256::digest(client_data).into() }
    }

    fn verify_at(&self, at: Option<u64>) -> Result<Attested, VerifyError> {
        let auth = AuthenticatorData::parse(&self.att.auth_data)?;
        let key = CoseKey::parse(&auth.attested.as_ref().unwrap().public_key_cose)?;
        attestation::verify_statement_at(&self.att, &auth, &key, &self.client_data_hash, at)
    }

    fn verify(&self) -> Result<Attested, VerifyError> {
        self.verify_at(None)
    }

    fn member(&mut self, name: &str) -> &mut Value {
        self.att.att_stmt.iter_mut().find(|(k, _)| matches!(k, Value::Text(t) if t == name)).map(|(_, v)| v).unwrap()
    }

    fn flip_sig(&mut self) {
        let Value::Bytes(sig) = self.member("sig") else { panic!("sig") };
        let last = sig.len() - 1;
        sig[last] ^= 0x01;
    }

    /// Flips a byte near the end of x5c[i] (inside its signature).
    fn flip_cert(&mut self, i: usize) {
        let Value::Array(certs) = self.member("x5c") else { panic!("x5c") };
        let Value::Bytes(der) = &mut certs[i] else { panic!("der") };
        let last = der.len() - 2;
        der[last] ^= 0x01;
    }

    /// Sets the authenticator data's AAGUID (bytes 37..53).
    fn set_aaguid(&mut self, aaguid: [u8; 16]) {
        self.att.auth_data[37..53].copy_from_slice(&aaguid);
    }
}

fn code(r: Result<Attested, VerifyError>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

/// 2060-01-01: after every vector's certificates.
const LATER: u64 = 2_840_140_800;

#[test]
fn each_real_world_vector_verifies_end_to_end() {
    let cases: [(Vector, &str, AttestationType, usize); 6] = [
        (none(), "none", AttestationType::None, 0),
        (packed(), "packed", AttestationType::Basic, 1),
        (fido_u2f(), "fido-u2f", AttestationType::Basic, 1),
        (apple(), "apple", AttestationType::AnonCa, 2),
        (android_key(), "android-key", AttestationType::Basic, 5),
        (android_key_conformance(), "android-key", AttestationType::Basic, 2),
    ];
    for (v, format, att_type, path_len) in cases {
        let r = verify(&v).unwrap_or_else(|e| panic!("{format}: {e} ({})", e.code()));
        assert_eq!(r.attestation_format, format);
        assert_eq!(r.attestation.att_type, att_type, "{format}");
        assert_eq!(r.attestation.trust_path.len(), path_len, "{format}");
        // The same statement, with its certificates' validity checked at the vector's time.
        assert_eq!(code(Parts::of(&v).verify_at(Some(v.at))), "ok", "{format}");
    }
}

#[test]
fn trust_paths_lead_to_their_vendor_roots() {
    let cases = [
        (packed(), yubico_root(), "packed"),
        (fido_u2f(), yubico_root(), "fido-u2f"),
        (apple(), apple_root(), "apple"),
        (android_key(), google_root(), "android-key"),
    ];
    for (v, root, format) in cases {
        let path = verify(&v).unwrap().attestation.trust_path;
        assert_eq!(verify_chain(&path, std::slice::from_ref(&root), v.at), Ok(()), "{format}");
        // With the root appended to the path too.
        let with_root = [path.clone(), vec![root.clone()]].concat();
        assert_eq!(verify_chain(&with_root, std::slice::from_ref(&root), v.at), Ok(()), "{format}");
        // Expired: at a time after the leaf's notAfter.
        assert_eq!(verify_chain(&path, std::slice::from_ref(&root), LATER), Err(ChainError::Expired { index: 0 }), "{format}");
        // Untrusted: the other vendor's root.
        let other = if format == "apple" { google_root() } else { apple_root() };
        assert_eq!(verify_chain(&path, &[other], v.at), Err(ChainError::UntrustedRoot), "{format}");
    }
    // The conformance tools' Android chain ends below a FAKE root that is not
    // in x5c: no published root trusts it.
    let path = verify(&android_key_conformance()).unwrap().attestation.trust_path;
    assert_eq!(verify_chain(&path, &[apple_root(), yubico_root(), google_root()], 1_704_067_200), Err(ChainError::UntrustedRoot));
}

#[test]
fn none_refusals() {
    // A none statement must be empty; the response is still bound to its ceremony.
    let v = none();
    let mut p = Parts::of(&v);
    p.att.att_stmt.push((Value::Text("sig".into()), Value::Bytes(vec![0])));
    assert_eq!(code(p.verify()), "malformed_attestation_statement");
    let mut other = none();
    other.challenge = b"another challenge".to_vec();
    assert_eq!(verify(&other).err().map(|e| e.code()), Some("challenge_mismatch"));
    let mut other = none();
    other.rp_id = "example.com".into();
    assert_eq!(verify(&other).err().map(|e| e.code()), Some("rp_id_mismatch"));
}

#[test]
fn packed_refusals() {
    let v = packed();
    let mut p = Parts::of(&v);
    p.flip_sig();
    assert_eq!(code(p.verify()), "bad_signature");
    let mut p = Parts::of(&v);
    p.set_aaguid([0x11; 16]);
    assert_eq!(code(p.verify()), "certificate_aaguid_mismatch");
    let mut p = Parts::of(&v);
    p.client_data_hash[0] ^= 1;
    assert_eq!(code(p.verify()), "bad_signature");
    let p = Parts::of(&v);
    assert_eq!(code(p.verify_at(Some(LATER))), "chain_expired");
}

#[test]
fn fido_u2f_refusals() {
    let v = fido_u2f();
    let mut p = Parts::of(&v);
    p.flip_sig();
    assert_eq!(code(p.verify()), "bad_signature");
    let mut p = Parts::of(&v);
    p.set_aaguid([0x11; 16]);
    assert_eq!(code(p.verify()), "fido_u2f_aaguid_not_zero");
    let mut p = Parts::of(&v);
    p.client_data_hash[0] ^= 1;
    assert_eq!(code(p.verify()), "bad_signature");
    let mut p = Parts::of(&v);
    let Value::Array(certs) = p.member("x5c") else { panic!() };
    certs.push(certs[0].clone());
    assert_eq!(code(p.verify()), "fido_u2f_not_one_certificate");
    assert_eq!(code(Parts::of(&v).verify_at(Some(LATER))), "chain_expired");
}

#[test]
fn apple_refusals() {
    let v = apple();
    // No sig in apple: a broken certificate signature instead.
    let mut p = Parts::of(&v);
    p.flip_cert(0);
    assert_eq!(code(p.verify()), "chain_bad_signature");
    // The intermediate's signature is the root's to check, with verify_chain.
    let mut p = Parts::of(&v);
    p.flip_cert(1);
    let path = p.verify().unwrap().trust_path;
    assert_eq!(verify_chain(&path, &[apple_root()], v.at), Err(ChainError::BadSignature { index: 1 }));
    // The nonce is over authData ‖ clientDataHash: another hash, or other authData.
    let mut p = Parts::of(&v);
    p.client_data_hash[0] ^= 1;
    assert_eq!(code(p.verify()), "apple_nonce_mismatch");
    let mut p = Parts::of(&v);
    p.set_aaguid([0x11; 16]);
    assert_eq!(code(p.verify()), "apple_nonce_mismatch");
    // Another credential key than the certificate's: the packed vector's key.
    let mut p = Parts::of(&v);
    let other = Parts::of(&packed());
    let auth = AuthenticatorData::parse(&p.att.auth_data).unwrap();
    let key = CoseKey::parse(&AuthenticatorData::parse(&other.att.auth_data).unwrap().attested.unwrap().public_key_cose).unwrap();
    assert_eq!(code(attestation::verify_statement(&p.att, &auth, &key, &p.client_data_hash)), "apple_key_mismatch");
    // The leaf is valid three days (2021-08-31 to 2021-09-03).
    p = Parts::of(&v);
    assert_eq!(code(p.verify_at(Some(1_630_800_000))), "chain_expired");
    assert_eq!(code(p.verify_at(Some(1_630_000_000))), "chain_not_yet_valid");
}

#[test]
fn android_key_refusals() {
    let v = android_key();
    let mut p = Parts::of(&v);
    p.flip_sig();
    assert_eq!(code(p.verify()), "bad_signature");
    let mut p = Parts::of(&v);
    p.client_data_hash[0] ^= 1;
    assert_eq!(code(p.verify()), "android_key_challenge_mismatch");
    // Other authenticator data (AAGUID changed): the signature covers it.
    let mut p = Parts::of(&v);
    p.set_aaguid([0x11; 16]);
    assert_eq!(code(p.verify()), "bad_signature");
    for i in 0..4 {
        let mut p = Parts::of(&v);
        p.flip_cert(i);
        assert_eq!(p.verify(), Err(VerifyError::Chain(ChainError::BadSignature { index: i })));
    }
    // x5c's last certificate (here Google's root itself): its own signature
    // is not the integrity rule's to check, but it is no longer the anchor.
    let mut p = Parts::of(&v);
    p.flip_cert(4);
    let path = p.verify().unwrap().trust_path;
    assert_eq!(verify_chain(&path, &[google_root()], v.at), Err(ChainError::BadSignature { index: 4 }));
    assert_eq!(code(Parts::of(&v).verify_at(Some(4_200_000_000))), "chain_expired");
}
