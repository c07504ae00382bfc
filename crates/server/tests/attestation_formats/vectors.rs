//! Real-world attestation objects of every format (crates/webauthn/tests/vectors/,
//! origins in each SOURCE.md) through the service's own decision,
//! `trust::admit::admit` (what `:bindCredential` calls), at each vector's
//! time: a recorded attestation signs a fixed challenge, so it cannot answer
//! a live ceremony (the service seals a fresh challenge per ceremony). With a
//! test BLOB whose entry carries the vendor's real root, each comes out
//! TRUSTED with its attestation type; without a BLOB, UNVERIFIED; and per
//! format, the exact `details[].reason` when one thing is wrong.

use crate::common::mds::{blob_jwt, fido2_entry, u2f_entry, Ca};
use ciborium::Value as Cbor;
use passbind_protocol::base64url;
use passbind_protocol::wire::RegistrationResponse;
use passbind_server::error::ApiError;
use passbind_server::store::{AttestationPolicy, AttestationTrust, AuthenticatorConfig, ConfigType};
use passbind_server::trust::admit::{admit, Admitted};
use passbind_webauthn::metadata::MetadataBlob;
use passbind_webauthn::Expectation;
use std::path::PathBuf;

/// How the BLOB finds the model: by AAGUID, or (fido-u2f) by the key identifier of the leaf.
#[derive(Clone, Copy)]
pub(crate) enum Key {
    Aaguid,
    KeyId,
}

pub(crate) struct Vector {
    pub name: &'static str,
    pub response: RegistrationResponse,
    pub challenge: Vec<u8>,
    pub origin: String,
    pub rp_id: String,
    pub at: u64,
    /// The vendor's root (tests/vectors/roots, tpm/, android-safetynet/); None for `none`.
    pub root: Option<Vec<u8>>,
    pub key: Key,
    /// The attestation type the statement proves (`AttestationType::as_str`).
    pub att_type: &'static str,
}

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../webauthn/tests/vectors")
}

/// Sources write base64 with or without padding, in either alphabet.
fn to_base64url(text: &str) -> String {
    text.trim_end_matches('=').replace('+', "-").replace('/', "_")
}

pub(crate) fn pem_der(path: &str) -> Vec<u8> {
    let pem = std::fs::read_to_string(vectors_dir().join(path)).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64url::decode(&to_base64url(&body)).unwrap()
}

fn load(name: &'static str, file: &str, root: Option<&str>, key: Key, att_type: &'static str) -> Vector {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(vectors_dir().join(file)).unwrap()).unwrap();
    let mut credential = v["credential"].clone();
    for field in ["clientDataJSON", "attestationObject"] {
        credential["response"][field] = serde_json::Value::String(to_base64url(credential["response"][field].as_str().unwrap()));
    }
    Vector {
        name,
        response: serde_json::from_value(credential).unwrap(),
        challenge: base64url::decode(v["challenge"].as_str().unwrap()).unwrap(),
        origin: v["origin"].as_str().unwrap().to_owned(),
        rp_id: v["rp_id"].as_str().unwrap().to_owned(),
        at: v["at"].as_u64().or(v["verify_at"].as_u64()).unwrap(),
        root: root.map(pem_der),
        key,
        att_type,
    }
}

/// Every format's real vector (and `compound`, made of the real tpm statement and `none`).
pub(crate) fn all() -> Vec<Vector> {
    let (yubico, apple, google) =
        ("roots/yubico-u2f-root-ca-457200631.pem", "roots/apple-webauthn-root-ca.pem", "roots/google-hardware-attestation-root-2.pem");
    let microsoft = "tpm/microsoft-tpm-root-ca-2014.pem";
    let mut all = vec![
        load("packed", "packed/yubikey-firefox.json", Some(yubico), Key::Aaguid, "basic"),
        load("fido-u2f", "fido-u2f/yubikey-firefox.json", Some(yubico), Key::KeyId, "basic"),
        load("apple", "apple/iphone-passkey.json", Some(apple), Key::Aaguid, "anonca"),
        load("android-key", "android-key/pixel-8a.json", Some(google), Key::Aaguid, "basic"),
        load("tpm RSA", "tpm/surface-pro-4-intc-rsa.json", Some(microsoft), Key::Aaguid, "attca"),
        load("tpm ECC", "tpm/webauthn-io-ntc-ecc.json", Some(microsoft), Key::Aaguid, "attca"),
        load(
            "android-safetynet",
            "android-safetynet/py-webauthn-chrome-android.json",
            Some("android-safetynet/globalsign-root-ca.pem"),
            Key::Aaguid,
            "basic",
        ),
        load("none", "none/firefox-android.json", None, Key::Aaguid, "none"),
    ];
    let mut compound = load("compound", "tpm/surface-pro-4-intc-rsa.json", Some(microsoft), Key::Aaguid, "attca");
    compound.response = compound_of(&compound.response);
    all.push(compound);
    all
}

fn cbor(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

fn text(t: &str) -> Cbor {
    Cbor::Text(t.into())
}

/// The attestation object's top-level map, to change and put back.
pub(crate) fn with_object(resp: &RegistrationResponse, change: impl FnOnce(&mut Vec<(Cbor, Cbor)>)) -> RegistrationResponse {
    let bytes = base64url::decode(&resp.response.attestation_object).unwrap();
    let Cbor::Map(mut top) = ciborium::from_reader::<Cbor, _>(bytes.as_slice()).unwrap() else { panic!("not a map") };
    change(&mut top);
    let mut out = resp.clone();
    out.response.attestation_object = base64url::encode(&cbor(&Cbor::Map(top)));
    out
}

pub(crate) fn member<'a>(map: &'a mut [(Cbor, Cbor)], name: &str) -> &'a mut Cbor {
    map.iter_mut().find(|(k, _)| *k == text(name)).map(|(_, v)| v).unwrap_or_else(|| panic!("no {name}"))
}

/// `fmt: compound` with the tpm statement and a `none` one (WebAuthn Level 3 §8.9).
fn compound_of(resp: &RegistrationResponse) -> RegistrationResponse {
    with_object(resp, |top| {
        let tpm = Cbor::Map(vec![(text("fmt"), text("tpm")), (text("attStmt"), member(top, "attStmt").clone())]);
        let none = Cbor::Map(vec![(text("fmt"), text("none")), (text("attStmt"), Cbor::Map(vec![]))]);
        *member(top, "fmt") = text("compound");
        *member(top, "attStmt") = Cbor::Array(vec![none, tpm]);
    })
}

/// A config with this policy (hosted_web; only the policy matters to the decision).
pub(crate) fn config(policy: AttestationPolicy) -> AuthenticatorConfig {
    AuthenticatorConfig {
        id: "config".to_owned().into(),
        tenant_id: "tenant".to_owned().into(),
        realm_id: "realm".to_owned().into(),
        config_type: ConfigType::HostedWeb,
        invoke_url: None,
        trusted_origins: vec![],
        rp_id: None,
        create_time: 0,
        authenticator_attachment: None,
        user_verification: Some("preferred".into()),
        attestation: Some("direct".into()),
        policy,
    }
}

pub(crate) fn required() -> AttestationPolicy {
    AttestationPolicy { attestation_required: true, ..Default::default() }
}

impl Vector {
    pub fn aaguid(&self) -> [u8; 16] {
        let bytes = base64url::decode(&self.response.response.attestation_object).unwrap();
        let Cbor::Map(mut top) = ciborium::from_reader::<Cbor, _>(bytes.as_slice()).unwrap() else { panic!() };
        let Cbor::Bytes(auth) = member(&mut top, "authData").clone() else { panic!() };
        auth[37..53].try_into().unwrap()
    }

    /// The BLOB entry for this vector's model with these roots and status reports.
    pub fn entry(&self, roots: &[&[u8]], reports: &[(&str, &str)]) -> serde_json::Value {
        match self.key {
            Key::Aaguid => fido2_entry(&uuid(self.aaguid()), self.name, roots, reports),
            Key::KeyId => u2f_entry(&[key_id(&self.leaf())], self.name, roots, reports),
        }
    }

    fn leaf(&self) -> Vec<u8> {
        let origins = [self.origin.clone()];
        let exp = self.expectation(&self.challenge, &origins);
        let verified = passbind_webauthn::verify_registration(&self.response, &exp).unwrap();
        verified.attestation.trust_path[0].clone()
    }

    pub fn expectation<'a>(&'a self, challenge: &'a [u8], origins: &'a [String]) -> Expectation<'a> {
        Expectation { challenge, allowed_origins: origins, rp_id: &self.rp_id, require_user_verification: false }
    }

    /// `admit` for `resp` in this vector's ceremony at `at`.
    pub fn admit(
        &self,
        resp: &RegistrationResponse,
        policy: AttestationPolicy,
        blob: Option<&MetadataBlob>,
        at: u64,
    ) -> Result<Admitted, ApiError> {
        let origins = [self.origin.clone()];
        admit(&config(policy), &self.expectation(&self.challenge, &origins), resp, blob, at)
    }
}

fn uuid(a: [u8; 16]) -> String {
    let hex: String = a.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// MDS's attestation certificate key identifier: hex SHA-1 of the subjectPublicKey bits.
fn key_id(leaf: &[u8]) -> String {
    use sha1::Digest;
    let cert = passbind_webauthn::chain::parse_certificate(leaf).unwrap();
    let bits = cert.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes().to_vec();
    sha1::Sha1::digest(bits).iter().map(|b| format!("{b:02x}")).collect()
}

/// A BLOB signed by a test metadata root listing `entries`, verified as the service loads it.
pub(crate) fn blob(entries: Vec<serde_json::Value>, at: u64) -> MetadataBlob {
    let root = Ca::root("passbind test metadata root");
    MetadataBlob::verify(&blob_jwt(&root, entries), &root.der, at).expect("the test BLOB verifies")
}

/// The refusal's code and its one `details[].reason`.
pub(crate) fn refusal(r: Result<Admitted, ApiError>) -> (String, String) {
    let e = r.expect_err("refused");
    let reasons: Vec<String> = e.0.details.iter().filter_map(|d| d.reason.clone()).collect();
    assert_eq!(reasons.len(), 1, "{:?}", e.0);
    (e.0.code.as_str().to_owned(), reasons[0].clone())
}

pub(crate) fn trust(r: &Result<Admitted, ApiError>) -> AttestationTrust {
    r.as_ref().map(|a| a.decision.trust).unwrap_or_else(|e| panic!("refused: {:?}", e.0))
}
