//! Attestation objects of every format made in the test for a live
//! ceremony's challenge (the service seals a fresh one per ceremony, so
//! recorded attestations cannot be replayed to it), signed by test CAs made
//! with rcgen that a test metadata BLOB trusts.
//!
//! - `der` — a few DER encoders for the extensions rcgen cannot write
//! - `certs` — the test vendor CA and each format's certificates
//! - `formats` — packed, fido-u2f, apple, android-key, android-safetynet statements
//! - `tpm` — the tpm statement (pubArea, certInfo, AIK certificate)

pub mod certs;
pub mod der;
pub mod formats;
pub mod tpm;

use ciborium::Value as Cbor;
use passbind_protocol::base64url;
use passbind_protocol::wire::RegistrationResponse;
use rcgen::{KeyPair, PKCS_ECDSA_P256_SHA256};
use serde_json::json;
use sha2::{Digest, Sha256};

/// The ceremony an attestation is made for, and the credential's parts every
/// statement signs or certifies.
pub struct Ceremony {
    /// The credential key (P-256), which some formats certify.
    pub key: KeyPair,
    pub credential_id: Vec<u8>,
    pub client_data: Vec<u8>,
    pub client_data_hash: [u8; 32],
    pub auth_data: Vec<u8>,
    pub rp_id: String,
}

impl Ceremony {
    /// A new P-256 credential for `challenge` (base64url, as the service sent
    /// it) from `origin`, scoped to `rp_id`, on a model with `aaguid`.
    pub fn new(challenge: &str, origin: &str, rp_id: &str, aaguid: [u8; 16]) -> Ceremony {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let client_data =
            serde_json::to_vec(&json!({"type": "webauthn.create", "challenge": challenge, "origin": origin, "crossOrigin": false}))
                .unwrap();
        let (credential_id, auth_data) = super::packed::attested_auth_data(rp_id, 0, aaguid, key.public_key_raw());
        let client_data_hash = Sha256::digest(&client_data).into();
        Ceremony { key, credential_id, client_data, client_data_hash, auth_data, rp_id: rp_id.to_owned() }
    }

    /// authenticatorData ‖ clientDataHash: what most statements sign.
    pub fn signed_data(&self) -> Vec<u8> {
        [self.auth_data.as_slice(), &self.client_data_hash].concat()
    }

    /// SHA-256(authenticatorData ‖ clientDataHash): apple's nonce, SafetyNet's, tpm's extraData (ES256).
    pub fn nonce(&self) -> [u8; 32] {
        Sha256::digest(self.signed_data()).into()
    }

    /// The browser's RegistrationResponseJSON with this attestation statement.
    pub fn response(&self, fmt: &str, att_stmt: Vec<(Cbor, Cbor)>) -> RegistrationResponse {
        let object = Cbor::Map(vec![
            (text("fmt"), text(fmt)),
            (text("attStmt"), Cbor::Map(att_stmt)),
            (text("authData"), Cbor::Bytes(self.auth_data.clone())),
        ]);
        let id = base64url::encode(&self.credential_id);
        serde_json::from_value(json!({
            "id": id, "rawId": id, "type": "public-key",
            "response": {
                "clientDataJSON": base64url::encode(&self.client_data),
                "attestationObject": base64url::encode(&cbor(&object)),
                "transports": ["internal"],
            },
            "authenticatorAttachment": "platform",
            "clientExtensionResults": {}
        }))
        .unwrap()
    }
}

pub fn text(t: &str) -> Cbor {
    Cbor::Text(t.into())
}

pub use super::packed::cbor_bytes as cbor;

/// `x5c`: the certificates, leaf first.
pub fn x5c(certs: &[&[u8]]) -> Cbor {
    Cbor::Array(certs.iter().map(|c| Cbor::Bytes(c.to_vec())).collect())
}

/// An ECDSA P-256 signature (DER) by `key`.
pub fn sign(key: &KeyPair, data: &[u8]) -> Vec<u8> {
    rcgen::SigningKey::sign(key, data).unwrap()
}
