//! The `android-safetynet` attestation statement format (WebAuthn §8.5):
//! Android (through Google Play services) attests with a SafetyNet
//! response, a JWS (RFC 7515, compact form) that Google's
//! attest.android.com signs. Google has deprecated SafetyNet for the Play
//! Integrity API, but the format stays in WebAuthn and older devices send it.
//!
//! The JWS is read with base64url + serde_json rather than a JOSE crate:
//! the crates that verify JWS want the key up front (`jsonwebtoken`) or pull
//! their own crypto stack (`josekit`: OpenSSL); here the key comes from the
//! header's own x5c and the signature goes through the crate's RS256/ES256
//! checks, so the JOSE part is three base64url segments and two JSON objects.

use super::{text_key, AttestationObject, AttestationType, Attested};
use crate::cose::{ES256, RS256};
use crate::VerifyError;
use ciborium::Value;
use passbind_protocol::base64url;
use sha2::{Digest, Sha256};
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::ext::pkix::{name::GeneralName, SubjectAltName};

/// The hostname Google's SafetyNet attestation certificates are issued to.
pub const SAFETYNET_HOSTNAME: &str = "attest.android.com";
/// How old a SafetyNet response may be at the verification time: the
/// response is made when the user completes the ceremony, and passbind's
/// ceremonies last 5 minutes.
pub const SAFETYNET_MAX_AGE_SECONDS: u64 = 300;
/// How far a response's timestamp may be ahead of the verification time
/// (Google's clock against the relying party's).
pub const SAFETYNET_MAX_SKEW_SECONDS: u64 = 60;
/// The JWS header's x5c: at most this many certificates.
const MAX_X5C: usize = 8;
const ID_AT_COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// Why an `android-safetynet` statement is refused (codes `safetynet_…`).
/// A signature that does not verify is the shared `bad_signature`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SafetyNetError {
    /// attStmt lacks `ver` or `response`, or the response is not a compact JWS of JSON.
    #[error("{0}")]
    Malformed(&'static str),
    /// The JWS header's `alg` is not RS256 or ES256.
    #[error("the SafetyNet JWS algorithm {0:?} is not supported")]
    UnsupportedAlgorithm(String),
    /// The JWS header has no x5c certificate.
    #[error("the SafetyNet JWS has no x5c")]
    MissingX5c,
    /// The leaf certificate was not issued to attest.android.com.
    #[error("the SafetyNet certificate is not issued to attest.android.com")]
    WrongHostname,
    /// The payload's nonce is not base64(SHA-256(authenticatorData ‖ clientDataHash)).
    #[error("the SafetyNet nonce is not this ceremony's")]
    NonceMismatch,
    /// ctsProfileMatch is not true: the device failed Android compatibility checks.
    #[error("the device does not match a CTS-certified profile (ctsProfileMatch is not true)")]
    CtsProfileMismatch,
    /// timestampMs is too old or in the future at the verification time.
    #[error("the SafetyNet response's timestamp is outside the allowed window")]
    TimestampOutOfWindow,
}

impl SafetyNetError {
    /// The reason's stable snake_case name, `safetynet_` first.
    pub fn code(&self) -> &'static str {
        match self {
            SafetyNetError::Malformed(_) => "safetynet_malformed",
            SafetyNetError::UnsupportedAlgorithm(_) => "safetynet_unsupported_algorithm",
            SafetyNetError::MissingX5c => "safetynet_missing_x5c",
            SafetyNetError::WrongHostname => "safetynet_wrong_hostname",
            SafetyNetError::NonceMismatch => "safetynet_nonce_mismatch",
            SafetyNetError::CtsProfileMismatch => "safetynet_cts_profile_mismatch",
            SafetyNetError::TimestampOutOfWindow => "safetynet_timestamp_out_of_window",
        }
    }

    /// One of each reason, for the crate's list of every code.
    pub fn every_reason() -> Vec<SafetyNetError> {
        let all = vec![
            SafetyNetError::Malformed("the SafetyNet response is not a compact JWS"),
            SafetyNetError::UnsupportedAlgorithm("HS256".into()),
            SafetyNetError::MissingX5c,
            SafetyNetError::WrongHostname,
            SafetyNetError::NonceMismatch,
            SafetyNetError::CtsProfileMismatch,
            SafetyNetError::TimestampOutOfWindow,
        ];
        // Fails to compile when a reason is added without being listed above.
        for e in &all {
            match e {
                SafetyNetError::Malformed(_)
                | SafetyNetError::UnsupportedAlgorithm(_)
                | SafetyNetError::MissingX5c
                | SafetyNetError::WrongHostname
                | SafetyNetError::NonceMismatch
                | SafetyNetError::CtsProfileMismatch
                | SafetyNetError::TimestampOutOfWindow => {}
            }
        }
        all
    }
}

#[derive(serde::Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    x5c: Vec<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    nonce: String,
    timestamp_ms: u64,
    #[serde(default)]
    cts_profile_match: Option<bool>,
}

fn segment<T: serde::de::DeserializeOwned>(text: &str, what: &'static str) -> Result<T, SafetyNetError> {
    let bytes = base64url::decode(text).ok_or(SafetyNetError::Malformed(what))?;
    serde_json::from_slice(&bytes).map_err(|_| SafetyNetError::Malformed(what))
}

/// Standard base64 with padding (RFC 4648 §4): how SafetyNet writes its nonce.
fn standard_base64(bytes: &[u8]) -> String {
    let mut s: String = base64url::encode(bytes)
        .chars()
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

/// WebAuthn §8.5 verification procedure, and Google's checks of a
/// SafetyNet response: its signature by the x5c leaf, the leaf's hostname,
/// and (when `at_unix_seconds` is given) its timestamp and the x5c's validity.
pub(super) fn verify(att: &AttestationObject, client_data_hash: &[u8; 32], at_unix_seconds: Option<u64>) -> Result<Attested, VerifyError> {
    if !matches!(text_key(&att.att_stmt, "ver"), Some(Value::Text(v)) if !v.is_empty()) {
        return Err(SafetyNetError::Malformed("android-safetynet attStmt has no ver").into());
    }
    let response = match text_key(&att.att_stmt, "response") {
        Some(Value::Bytes(b)) => std::str::from_utf8(b).map_err(|_| SafetyNetError::Malformed("the SafetyNet response is not UTF-8"))?,
        _ => return Err(SafetyNetError::Malformed("android-safetynet attStmt has no response").into()),
    };
    let mut parts = response.split('.');
    let (Some(header_b64), Some(payload_b64), Some(sig_b64), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(SafetyNetError::Malformed("the SafetyNet response is not a compact JWS").into());
    };
    let header: Header = segment(header_b64, "the SafetyNet JWS header is not JSON")?;
    let payload: Payload = segment(payload_b64, "the SafetyNet JWS payload is not the expected JSON")?;
    let sig = base64url::decode(sig_b64).ok_or(SafetyNetError::Malformed("the SafetyNet JWS signature is not base64url"))?;

    if header.x5c.is_empty() {
        return Err(SafetyNetError::MissingX5c.into());
    }
    if header.x5c.len() > MAX_X5C {
        return Err(SafetyNetError::Malformed("the SafetyNet x5c has too many certificates").into());
    }
    let trust_path = header
        .x5c
        .iter()
        .map(|c| base64url::decode(c).ok_or(SafetyNetError::Malformed("a SafetyNet x5c certificate is not base64")))
        .collect::<Result<Vec<_>, _>>()?;

    // The leaf signed header.payload (RFC 7515 §5.2), and Google owns it.
    let leaf = crate::chain::parse_certificate(&trust_path[0])?;
    let leaf_key = crate::chain::spki_public_key(&leaf)?;
    let signing_input = &response.as_bytes()[..header_b64.len() + 1 + payload_b64.len()];
    match header.alg.as_str() {
        "RS256" => leaf_key.verify(RS256, signing_input, &sig)?,
        "ES256" => {
            // JWS carries ES256 as r ‖ s (RFC 7518 §3.4); the crate's check takes DER.
            let raw = p256::ecdsa::Signature::from_slice(&sig).map_err(|_| VerifyError::BadSignature)?;
            leaf_key.verify(ES256, signing_input, raw.to_der().as_bytes())?
        }
        other => return Err(SafetyNetError::UnsupportedAlgorithm(other.chars().take(32).collect()).into()),
    }
    if !issued_to_safetynet(&leaf) {
        return Err(SafetyNetError::WrongHostname.into());
    }

    // The response is about this ceremony, on a compatible device, made now.
    let mut signed = Vec::with_capacity(att.auth_data.len() + 32);
    signed.extend_from_slice(&att.auth_data);
    signed.extend_from_slice(client_data_hash);
    if payload.nonce != standard_base64(&Sha256::digest(&signed)) {
        return Err(SafetyNetError::NonceMismatch.into());
    }
    if payload.cts_profile_match != Some(true) {
        return Err(SafetyNetError::CtsProfileMismatch.into());
    }
    if let Some(at) = at_unix_seconds {
        let now_ms = u128::from(at) * 1000;
        let ts = u128::from(payload.timestamp_ms);
        if ts > now_ms + u128::from(SAFETYNET_MAX_SKEW_SECONDS) * 1000 || ts + u128::from(SAFETYNET_MAX_AGE_SECONDS) * 1000 < now_ms {
            return Err(SafetyNetError::TimestampOutOfWindow.into());
        }
    }
    crate::chain::verify_path_signatures(&trust_path, at_unix_seconds)?;
    Ok(Attested { att_type: AttestationType::Basic, trust_path })
}

/// The leaf's subject common name, or one of its SAN DNS names, is attest.android.com.
fn issued_to_safetynet(leaf: &x509_cert::Certificate) -> bool {
    let tbs = leaf.tbs_certificate();
    let by_cn = tbs.subject().iter().any(|atv| atv.oid == ID_AT_COMMON_NAME && atv.value.value() == SAFETYNET_HOSTNAME.as_bytes());
    let by_san = matches!(tbs.get_extension::<SubjectAltName>(), Ok(Some((_, san)))
        if san.0.iter().any(|n| matches!(n, GeneralName::DnsName(d) if d.as_str() == SAFETYNET_HOSTNAME)));
    by_cn || by_san
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nonce_is_standard_base64_with_padding() {
        assert_eq!(standard_base64(&[0xfb, 0xff]), "+/8=");
        assert_eq!(standard_base64(b"a"), "YQ==");
        assert_eq!(standard_base64(b"abc"), "YWJj");
    }
}
