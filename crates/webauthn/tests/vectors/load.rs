//! Reads a real-world registration vector (tests/vectors/<format>/*.json):
//! the credential as the browser sent it, with the ceremony's challenge,
//! origin and RP ID, a time inside its certificates' validity, and the
//! trust anchor its source names (a PEM file next to it).

#![allow(dead_code)]

use passbind_protocol::base64url;
use passbind_protocol::wire::RegistrationResponse;
use passbind_webauthn::Expectation;
use std::path::PathBuf;

pub struct Vector {
    pub name: String,
    pub response: RegistrationResponse,
    pub challenge: Vec<u8>,
    pub origin: String,
    pub rp_id: String,
    pub verify_at: u64,
    pub anchor_der: Vec<u8>,
}

fn dir(format: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors").join(format)
}

/// Sources write base64 with or without padding, standard or URL alphabet;
/// the wire form is base64url without padding.
pub fn to_base64url(text: &str) -> String {
    text.trim_end_matches('=').replace('+', "-").replace('/', "_")
}

/// The DER of the first certificate of a PEM file.
pub fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64url::decode(&to_base64url(&body)).expect("PEM body is base64")
}

pub fn load(format: &str, file: &str) -> Vector {
    let text = std::fs::read_to_string(dir(format).join(file)).expect("vector file");
    let v: serde_json::Value = serde_json::from_str(&text).expect("vector JSON");
    let mut credential = v["credential"].clone();
    for field in ["clientDataJSON", "attestationObject"] {
        let fixed = to_base64url(credential["response"][field].as_str().expect(field));
        credential["response"][field] = serde_json::Value::String(fixed);
    }
    let anchor = std::fs::read_to_string(dir(format).join(v["anchor"].as_str().expect("anchor"))).expect("anchor file");
    Vector {
        name: file.to_owned(),
        response: serde_json::from_value(credential).expect("RegistrationResponseJSON"),
        challenge: base64url::decode(v["challenge"].as_str().expect("challenge")).expect("challenge is base64url"),
        origin: v["origin"].as_str().expect("origin").to_owned(),
        rp_id: v["rp_id"].as_str().expect("rp_id").to_owned(),
        verify_at: v["verify_at"].as_u64().expect("verify_at"),
        anchor_der: pem_der(&anchor),
    }
}

impl Vector {
    /// The vector's own ceremony: challenge, origin, RP ID; no UV requirement.
    pub fn expect<R>(&self, f: impl FnOnce(&Expectation<'_>) -> R) -> R {
        let origins = [self.origin.clone()];
        f(&Expectation { challenge: &self.challenge, allowed_origins: &origins, rp_id: &self.rp_id, require_user_verification: false })
    }

    /// The attestation object's bytes.
    pub fn attestation_object(&self) -> Vec<u8> {
        base64url::decode(&self.response.response.attestation_object).unwrap()
    }

    /// The same credential with another attestation object.
    pub fn with_attestation_object(&self, bytes: &[u8]) -> RegistrationResponse {
        let mut r = self.response.clone();
        r.response.attestation_object = base64url::encode(bytes);
        r
    }
}
