//! The `compound` format (WebAuthn Level 3 §8.9), built from a real `tpm`
//! statement (tests/vectors/tpm/SOURCE.md) and `none`: every part must
//! verify, the strongest part is the result.

#[path = "vectors/load.rs"]
mod load;

use ciborium::Value;
use load::{load, Vector};
use passbind_webauthn::attestation::{compound, AttestationObject, AttestationType};
use passbind_webauthn::authenticator_data::AuthenticatorData;
use passbind_webauthn::cose::CoseKey;
use passbind_webauthn::{verify_registration_at, VerifiedRegistration, VerifyError};
use sha2::{Digest, Sha256};

fn text(t: &str) -> Value {
    Value::Text(t.into())
}

fn cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// The vector's attestation object with `fmt: "compound"` and `attStmt` made by `parts` from its tpm statement.
fn compound_of(v: &Vector, parts: impl FnOnce(Value) -> Value) -> Vec<u8> {
    let Value::Map(top) = ciborium::from_reader::<Value, _>(v.attestation_object().as_slice()).unwrap() else { panic!() };
    let get = |k: &str| top.iter().find(|(key, _)| key == &text(k)).unwrap().1.clone();
    let tpm = Value::Map(vec![(text("fmt"), text("tpm")), (text("attStmt"), get("attStmt"))]);
    cbor(&Value::Map(vec![(text("fmt"), text("compound")), (text("attStmt"), parts(tpm)), (text("authData"), get("authData"))]))
}

fn none() -> Value {
    Value::Map(vec![(text("fmt"), text("none")), (text("attStmt"), Value::Map(vec![]))])
}

fn verify(v: &Vector, object: &[u8]) -> Result<VerifiedRegistration, VerifyError> {
    v.expect(|exp| verify_registration_at(&v.with_attestation_object(object), exp, Some(v.verify_at)))
}

fn code<T>(r: Result<T, VerifyError>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

#[test]
fn the_strongest_verified_part_is_the_result() {
    let v = load("tpm", "surface-pro-4-intc-rsa.json");
    for object in [compound_of(&v, |tpm| Value::Array(vec![none(), tpm])), compound_of(&v, |tpm| Value::Array(vec![tpm, none()]))] {
        let reg = verify(&v, &object).unwrap();
        assert_eq!(reg.attestation_format, "compound");
        assert_eq!(reg.attestation.att_type, AttestationType::AttCa);
        assert_eq!(reg.attestation.trust_path.len(), 2);
        // Every part's result, in order.
        let att = AttestationObject::parse(&object).unwrap();
        let auth = AuthenticatorData::parse(&att.auth_data).unwrap();
        let key = CoseKey::parse(&auth.attested.as_ref().unwrap().public_key_cose).unwrap();
        let cdh: [u8; 32] = Sha256::digest(passbind_protocol::base64url::decode(&v.response.response.client_data_json).unwrap()).into();
        let all = compound::verify_all(&att, &auth, &key, &cdh, Some(v.verify_at)).unwrap();
        let mut formats: Vec<&str> = all.iter().map(|(f, _)| f.as_str()).collect();
        formats.sort_unstable();
        assert_eq!(formats, ["none", "tpm"]);
    }
}

#[test]
fn one_bad_part_refuses_the_whole_with_its_reason() {
    let v = load("tpm", "surface-pro-4-intc-rsa.json");
    let tampered_tpm = |tpm: Value| {
        let Value::Map(mut m) = tpm else { panic!() };
        let Some((_, Value::Map(stmt))) = m.iter_mut().find(|(k, _)| k == &text("attStmt")) else { panic!() };
        let Some((_, Value::Bytes(sig))) = stmt.iter_mut().find(|(k, _)| k == &text("sig")) else { panic!() };
        sig[0] ^= 1;
        Value::Map(m)
    };
    assert_eq!(code(verify(&v, &compound_of(&v, |tpm| Value::Array(vec![none(), tampered_tpm(tpm)])))), "bad_signature");
    let bad_none = Value::Map(vec![(text("fmt"), text("none")), (text("attStmt"), Value::Map(vec![(text("x"), text("y"))]))]);
    assert_eq!(code(verify(&v, &compound_of(&v, |tpm| Value::Array(vec![tpm, bad_none])))), "malformed_attestation_statement");
    // The shapes: at least two parts, no compound inside, each {fmt, attStmt}.
    assert_eq!(code(verify(&v, &compound_of(&v, |tpm| Value::Array(vec![tpm])))), "malformed_attestation_statement");
    assert_eq!(code(verify(&v, &compound_of(&v, |_| Value::Array(vec![])))), "malformed_attestation_statement");
    let nested = Value::Map(vec![(text("fmt"), text("compound")), (text("attStmt"), Value::Array(vec![none(), none()]))]);
    assert_eq!(code(verify(&v, &compound_of(&v, |tpm| Value::Array(vec![tpm, nested])))), "malformed_attestation_object");
    assert_eq!(code(verify(&v, &compound_of(&v, |tpm| Value::Array(vec![tpm, text("none")])))), "malformed_attestation_object");
    assert_eq!(
        code(verify(&v, &compound_of(&v, |tpm| Value::Array(vec![tpm.clone(), tpm.clone(), tpm.clone(), tpm.clone(), tpm])))),
        "malformed_attestation_statement"
    );
    let unknown = Value::Map(vec![(text("fmt"), text("x-vendor")), (text("attStmt"), Value::Map(vec![]))]);
    assert_eq!(code(verify(&v, &compound_of(&v, |tpm| Value::Array(vec![tpm, unknown])))), "unsupported_format");
}
