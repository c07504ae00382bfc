//! The attestation object and its statement, one module per format of
//! WebAuthn §8. A statement is verified for integrity here (signatures, the
//! format's rules, x5c as one consistent chain); whether its trust path
//! leads to a trusted root is the caller's decision ([`crate::chain::verify_chain`]).

mod android_key;
mod android_safetynet;
mod apple;
pub mod compound;
mod fido_u2f;
mod members;
mod packed;
mod tpm;

pub use android_key::AndroidKeyError;
pub use android_safetynet::SafetyNetError;
pub use apple::AppleError;
pub use fido_u2f::FidoU2fError;
pub use tpm::{TpmDevice, TpmError};

use crate::authenticator_data::AuthenticatorData;
use crate::cose::CoseKey;
use crate::VerifyError;
use ciborium::Value;

/// The attestation types of WebAuthn §6.5.3: what a verified statement says
/// about where the credential comes from. Whether its trust path leads to a
/// trusted root is decided later, against metadata (the crate has no roots).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestationType {
    /// No statement (`none`), or one that proves nothing about the authenticator.
    None,
    /// The credential key signed its own statement (`packed` without x5c).
    SelfAttestation,
    /// An attestation certificate of the authenticator model (Basic), or one
    /// issued by an attestation CA (AttCA): the statement alone cannot tell
    /// the two apart, so both are `Basic` until metadata says otherwise.
    Basic,
    /// An attestation CA certified the key (`tpm`'s AIK certificate).
    AttCa,
    /// An anonymization CA issued a per-credential certificate (`apple`).
    AnonCa,
}

impl AttestationType {
    /// The stable lower-case name stored with a credential and shown by the API.
    pub const fn as_str(self) -> &'static str {
        match self {
            AttestationType::None => "none",
            AttestationType::SelfAttestation => "self",
            AttestationType::Basic => "basic",
            AttestationType::AttCa => "attca",
            AttestationType::AnonCa => "anonca",
        }
    }
}

/// A verified attestation statement: its type and trust path (the x5c
/// certificates, DER, leaf first; empty for none and self attestation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attested {
    pub att_type: AttestationType,
    pub trust_path: Vec<Vec<u8>>,
}

impl Attested {
    /// No attestation, or self attestation: nothing to check against roots.
    pub const fn without_trust_path(att_type: AttestationType) -> Self {
        Attested { att_type, trust_path: Vec::new() }
    }
}

pub struct AttestationObject {
    pub fmt: String,
    /// The statement's map (empty for `compound`, whose attStmt is an array).
    pub att_stmt: Vec<(Value, Value)>,
    pub auth_data: Vec<u8>,
    /// For `compound` (§8.9) only: each statement's fmt and attStmt map, in order.
    pub compound: Vec<SubStatement>,
}

/// One statement of a `compound` statement: its fmt and its attStmt map.
pub type SubStatement = (String, Vec<(Value, Value)>);

/// The value of a text key of a CBOR map (attestation objects and statements
/// are keyed by text).
fn text_key<'a>(map: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    map.iter().find(|(k, _)| matches!(k, Value::Text(t) if t == key)).map(|(_, v)| v)
}

/// A `compound` attStmt's items: each a map of a text `fmt` (not
/// `compound` itself) and an `attStmt` map.
fn compound_statements(items: &[Value]) -> Result<Vec<SubStatement>, VerifyError> {
    let bad = || VerifyError::MalformedAttestationObject("a compound attStmt item is not {fmt, attStmt}");
    items
        .iter()
        .map(|item| {
            let Value::Map(m) = item else { return Err(bad()) };
            match (text_key(m, "fmt"), text_key(m, "attStmt")) {
                (Some(Value::Text(f)), Some(Value::Map(s))) if f != "compound" => Ok((f.clone(), s.clone())),
                _ => Err(bad()),
            }
        })
        .collect()
}

impl AttestationObject {
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        let mut rest = bytes;
        let value: Value =
            ciborium::from_reader(&mut rest).map_err(|_| VerifyError::MalformedAttestationObject("the attestation object is not CBOR"))?;
        if !rest.is_empty() {
            return Err(VerifyError::MalformedAttestationObject("trailing bytes after the attestation object"));
        }
        let Value::Map(map) = value else {
            return Err(VerifyError::MalformedAttestationObject("the attestation object is not a map"));
        };
        let fmt = match text_key(&map, "fmt") {
            Some(Value::Text(t)) => t.clone(),
            _ => return Err(VerifyError::MalformedAttestationObject("the attestation object has no fmt")),
        };
        let (att_stmt, compound) = match text_key(&map, "attStmt") {
            Some(Value::Map(m)) => (m.clone(), Vec::new()),
            Some(Value::Array(items)) if fmt == "compound" => (Vec::new(), compound_statements(items)?),
            _ => return Err(VerifyError::MalformedAttestationObject("the attestation object has no attStmt map")),
        };
        let auth_data = match text_key(&map, "authData") {
            Some(Value::Bytes(b)) => b.clone(),
            _ => return Err(VerifyError::MalformedAttestationObject("the attestation object has no authData")),
        };
        Ok(AttestationObject { fmt, att_stmt, auth_data, compound })
    }
}

/// §7.1 steps 19-21 for the formats passbind accepts: the statement is
/// well formed and its signature verifies; answers its type and trust path.
pub fn verify_statement(
    att: &AttestationObject,
    auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
) -> Result<Attested, VerifyError> {
    match att.fmt.as_str() {
        "none" => {
            if !att.att_stmt.is_empty() {
                return Err(VerifyError::MalformedAttestationStatement("a none attestation must have an empty attStmt"));
            }
            Ok(Attested::without_trust_path(AttestationType::None))
        }
        "packed" => packed::verify(att, auth, key, client_data_hash, None),
        "tpm" => tpm::verify(att, auth, key, client_data_hash, None),
        "android-safetynet" => android_safetynet::verify(att, client_data_hash, None),
        "compound" => compound::verify(att, auth, key, client_data_hash, None),
        "fido-u2f" => fido_u2f::verify(att, auth, key, client_data_hash, None),
        "apple" => apple::verify(att, auth, key, client_data_hash, None),
        "android-key" => android_key::verify(att, auth, key, client_data_hash, None),
        other => Err(VerifyError::UnsupportedFormat(other.to_owned())),
    }
}

/// [`verify_statement`] at a verification time (Unix seconds; the crate has
/// no clock): the formats that can check time also check their x5c's
/// validity periods (and SafetyNet its timestamp) at `at_unix_seconds`.
/// `None` skips those checks, which is what [`verify_statement`] does.
pub fn verify_statement_at(
    att: &AttestationObject,
    auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
    at_unix_seconds: Option<u64>,
) -> Result<Attested, VerifyError> {
    match att.fmt.as_str() {
        "tpm" => tpm::verify(att, auth, key, client_data_hash, at_unix_seconds),
        "android-safetynet" => android_safetynet::verify(att, client_data_hash, at_unix_seconds),
        "compound" => compound::verify(att, auth, key, client_data_hash, at_unix_seconds),
        "packed" => packed::verify(att, auth, key, client_data_hash, at_unix_seconds),
        "fido-u2f" => fido_u2f::verify(att, auth, key, client_data_hash, at_unix_seconds),
        "apple" => apple::verify(att, auth, key, client_data_hash, at_unix_seconds),
        "android-key" => android_key::verify(att, auth, key, client_data_hash, at_unix_seconds),
        _ => verify_statement(att, auth, key, client_data_hash),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_cbor_is_rejected_without_allocating_or_panicking() {
        let cases: &[&[u8]] = &[
            &[],
            &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // bytes of length 2^64-1
            &[0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // text of length 2^63-1
            &[0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // array of 2^63-1 items
            &[0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // map of 2^63-1 pairs
            &[0x5f, 0x41, 0x00],                                     // unterminated indefinite bytes
            &[0xa1, 0x63, b'f', b'm', b't'],                         // truncated map
        ];
        for case in cases {
            assert!(AttestationObject::parse(case).is_err(), "{case:02x?}");
        }
        let deep = vec![0x81u8; 100_000]; // nested arrays
        assert!(AttestationObject::parse(&deep).is_err());
    }
}
