//! The `apple` anonymous attestation statement format (WebAuthn §8.8):
//! Apple's anonymization CA issues a certificate per credential whose nonce
//! extension binds it to this ceremony.

use super::{members, AttestationObject, AttestationType, Attested};
use crate::authenticator_data::AuthenticatorData;
use crate::cose::CoseKey;
use crate::{chain, VerifyError};
use sha2::{Digest, Sha256};
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode, Header, Reader, SliceReader, Tag, TagNumber};

/// Apple's nonce extension: `SEQUENCE { [1] EXPLICIT OCTET STRING nonce }`.
const APPLE_NONCE: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113635.100.8.2");

/// Why an `apple` statement is refused (codes `apple_…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AppleError {
    /// The credential certificate has no nonce extension (1.2.840.113635.100.8.2).
    #[error("the apple credential certificate has no nonce extension")]
    NoNonce,
    /// The nonce extension is not `SEQUENCE { [1] OCTET STRING (32 bytes) }`.
    #[error("the apple nonce extension is malformed")]
    MalformedNonce,
    /// The nonce is not SHA-256(authenticatorData ‖ clientDataHash).
    #[error("the apple nonce does not match this ceremony")]
    NonceMismatch,
    /// The credential certificate's key is not the credential public key.
    #[error("the apple credential certificate's key is not the credential key")]
    KeyMismatch,
}

impl AppleError {
    /// The reason's stable snake_case name.
    pub fn code(&self) -> &'static str {
        match self {
            AppleError::NoNonce => "apple_no_nonce",
            AppleError::MalformedNonce => "apple_malformed_nonce",
            AppleError::NonceMismatch => "apple_nonce_mismatch",
            AppleError::KeyMismatch => "apple_key_mismatch",
        }
    }

    /// One of each reason (for the tests of every code).
    pub fn every_reason() -> Vec<AppleError> {
        vec![AppleError::NoNonce, AppleError::MalformedNonce, AppleError::NonceMismatch, AppleError::KeyMismatch]
    }
}

/// The 32-byte nonce inside the extension's value.
fn nonce(value: &[u8]) -> Option<&[u8]> {
    let mut outer = SliceReader::new(value).ok()?;
    let seq = tlv(&mut outer, Tag::Sequence)?;
    let mut seq = SliceReader::new(seq).ok()?;
    let explicit = tlv(&mut seq, Tag::ContextSpecific { constructed: true, number: TagNumber(1) })?;
    let mut explicit = SliceReader::new(explicit).ok()?;
    let nonce = tlv(&mut explicit, Tag::OctetString)?;
    (outer.is_finished() && explicit.is_finished() && nonce.len() == 32).then_some(nonce)
}

/// The value of the next TLV if it has tag `tag`.
pub(super) fn tlv<'a>(reader: &mut SliceReader<'a>, tag: Tag) -> Option<&'a [u8]> {
    let header = Header::decode(reader).ok()?;
    if header.tag() != tag {
        return None;
    }
    reader.read_slice(header.length()).ok()
}

/// §8.8 verification procedure; `at` checks the certificates' validity too.
pub(super) fn verify(
    att: &AttestationObject,
    _auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
    at: Option<u64>,
) -> Result<Attested, VerifyError> {
    let x5c = members::x5c(&att.att_stmt)?;
    let cert = chain::parse_certificate(&x5c[0])?;
    let expected: [u8; 32] = Sha256::digest(members::signed_data(&att.auth_data, client_data_hash)).into();
    let (_, value) = chain::extension(&cert, &APPLE_NONCE)?.ok_or(AppleError::NoNonce)?;
    let found = nonce(value).ok_or(AppleError::MalformedNonce)?;
    if found != expected {
        return Err(AppleError::NonceMismatch.into());
    }
    let cert_key = chain::spki_public_key(&cert)?;
    if !chain::same_public_key(&cert_key, &key.key) {
        return Err(AppleError::KeyMismatch.into());
    }
    chain::verify_path_signatures(&x5c, at)?;
    Ok(Attested { att_type: AttestationType::AnonCa, trust_path: x5c })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nonce_extension_is_read_strictly() {
        // SEQUENCE { [1] { OCTET STRING (32) } }
        let good = [&[0x30, 0x24, 0xa1, 0x22, 0x04, 0x20][..], &[9; 32]].concat();
        assert_eq!(nonce(&good), Some(&[9u8; 32][..]));
        for end in 0..good.len() {
            assert_eq!(nonce(&good[..end]), None, "{end}");
        }
        assert_eq!(nonce(&[good.clone(), vec![0]].concat()), None);
        let short = [&[0x30, 0x23, 0xa1, 0x21, 0x04, 0x1f][..], &[9; 31]].concat();
        assert_eq!(nonce(&short), None);
        let wrong_tag = [&[0x30, 0x24, 0xa2, 0x22, 0x04, 0x20][..], &[9; 32]].concat();
        assert_eq!(nonce(&wrong_tag), None);
    }
}
