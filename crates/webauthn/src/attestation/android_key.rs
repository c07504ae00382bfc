//! The `android-key` attestation statement format (WebAuthn §8.4): Android
//! Keystore certifies the credential key, and describes it in the Key
//! Attestation extension (KeyDescription, read here with `der`'s reader:
//! bounded, every length checked, unknown fields skipped).

use super::apple::tlv;
use super::{members, AttestationObject, AttestationType, Attested};
use crate::authenticator_data::AuthenticatorData;
use crate::cose::CoseKey;
use crate::{chain, VerifyError};
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode, Header, Reader, SliceReader, Tag, TagNumber};

/// Android Key Attestation's KeyDescription extension.
const KEY_DESCRIPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.11129.2.1.17");
/// AuthorizationList tags (Android Keymaster `Tag` numbers).
const TAG_PURPOSE: u32 = 1;
const TAG_ALL_APPLICATIONS: u32 = 600;
const TAG_ORIGIN: u32 = 702;
const KM_ORIGIN_GENERATED: u64 = 0;
const KM_PURPOSE_SIGN: u64 = 2;

/// Why an `android-key` statement is refused (codes `android_key_…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AndroidKeyError {
    /// The certificate has no KeyDescription extension (1.3.6.1.4.1.11129.2.1.17).
    #[error("the android-key certificate has no key description extension")]
    NoKeyDescription,
    /// The KeyDescription extension cannot be read.
    #[error("the android-key key description is malformed")]
    MalformedKeyDescription,
    /// attestationChallenge is not the clientDataHash.
    #[error("the android-key attestation challenge is not this ceremony's")]
    ChallengeMismatch,
    /// The key may be used by every application (allApplications present).
    #[error("the android-key key is usable by all applications")]
    AllApplications,
    /// The key was not generated in the keystore (origin is not KM_ORIGIN_GENERATED).
    #[error("the android-key key was not generated in the keystore")]
    NotGenerated,
    /// The key's purposes do not include signing (KM_PURPOSE_SIGN).
    #[error("the android-key key is not for signing")]
    NotForSigning,
    /// The certificate's key is not the credential public key.
    #[error("the android-key certificate's key is not the credential key")]
    KeyMismatch,
}

impl AndroidKeyError {
    /// The reason's stable snake_case name.
    pub fn code(&self) -> &'static str {
        match self {
            AndroidKeyError::NoKeyDescription => "android_key_no_key_description",
            AndroidKeyError::MalformedKeyDescription => "android_key_malformed_key_description",
            AndroidKeyError::ChallengeMismatch => "android_key_challenge_mismatch",
            AndroidKeyError::AllApplications => "android_key_all_applications",
            AndroidKeyError::NotGenerated => "android_key_not_generated",
            AndroidKeyError::NotForSigning => "android_key_not_for_signing",
            AndroidKeyError::KeyMismatch => "android_key_key_mismatch",
        }
    }

    /// One of each reason (for the tests of every code).
    pub fn every_reason() -> Vec<AndroidKeyError> {
        use AndroidKeyError::*;
        vec![NoKeyDescription, MalformedKeyDescription, ChallengeMismatch, AllApplications, NotGenerated, NotForSigning, KeyMismatch]
    }
}

/// What passbind reads of one AuthorizationList.
#[derive(Default)]
struct Authorizations {
    purposes: Vec<u64>,
    all_applications: bool,
    origin: Option<u64>,
}

/// The parts of KeyDescription §8.4 looks at.
struct KeyDescription<'a> {
    challenge: &'a [u8],
    software: Authorizations,
    tee: Authorizations,
}

/// A small non-negative INTEGER (purposes, origins): at most 8 value bytes.
fn small_uint(value: &[u8]) -> Option<u64> {
    if value.is_empty() || value.len() > 9 || value[0] & 0x80 != 0 {
        return None;
    }
    let digits = if value.len() == 9 {
        if value[0] != 0 {
            return None;
        }
        &value[1..]
    } else {
        value
    };
    Some(digits.iter().fold(0u64, |n, b| (n << 8) | u64::from(*b)))
}

/// The next TLV, whatever its tag.
fn any<'a>(reader: &mut SliceReader<'a>) -> Option<(Tag, &'a [u8])> {
    let header = Header::decode(reader).ok()?;
    Some((header.tag(), reader.read_slice(header.length()).ok()?))
}

fn authorizations(list: &[u8]) -> Option<Authorizations> {
    let mut out = Authorizations::default();
    let mut reader = SliceReader::new(list).ok()?;
    while !reader.is_finished() {
        let (tag, value) = any(&mut reader)?;
        let Tag::ContextSpecific { constructed: true, number: TagNumber(number) } = tag else {
            return None;
        };
        // Each field is EXPLICIT: one inner TLV.
        let mut inner = SliceReader::new(value).ok()?;
        match number {
            TAG_PURPOSE => {
                let set = tlv(&mut inner, Tag::Set)?;
                let mut items = SliceReader::new(set).ok()?;
                while !items.is_finished() {
                    out.purposes.push(small_uint(tlv(&mut items, Tag::Integer)?)?);
                }
            }
            TAG_ALL_APPLICATIONS => out.all_applications = true,
            TAG_ORIGIN => out.origin = Some(small_uint(tlv(&mut inner, Tag::Integer)?)?),
            _ => {}
        }
    }
    Some(out)
}

fn key_description(value: &[u8]) -> Option<KeyDescription<'_>> {
    let mut outer = SliceReader::new(value).ok()?;
    let body = tlv(&mut outer, Tag::Sequence)?;
    if !outer.is_finished() {
        return None;
    }
    let mut r = SliceReader::new(body).ok()?;
    // attestationVersion, attestationSecurityLevel, keymaster/keyMintVersion, its securityLevel.
    for tag in [Tag::Integer, Tag::Enumerated, Tag::Integer, Tag::Enumerated] {
        tlv(&mut r, tag)?;
    }
    let challenge = tlv(&mut r, Tag::OctetString)?;
    tlv(&mut r, Tag::OctetString)?; // uniqueId
    let software = authorizations(tlv(&mut r, Tag::Sequence)?)?;
    let tee = authorizations(tlv(&mut r, Tag::Sequence)?)?;
    Some(KeyDescription { challenge, software, tee })
}

/// §8.4 verification procedure; `at` checks the certificates' validity too.
/// The key's origin and purpose may come from either authorization list
/// (the spec's default): passbind does not require a TEE-bound key.
pub(super) fn verify(
    att: &AttestationObject,
    _auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
    at: Option<u64>,
) -> Result<Attested, VerifyError> {
    let alg = members::alg(&att.att_stmt)?;
    let sig = members::sig(&att.att_stmt)?;
    let x5c = members::x5c(&att.att_stmt)?;
    let cert = chain::parse_certificate(&x5c[0])?;
    let cert_key = chain::spki_public_key(&cert)?;
    if !chain::same_public_key(&cert_key, &key.key) {
        return Err(AndroidKeyError::KeyMismatch.into());
    }
    let (_, value) = chain::extension(&cert, &KEY_DESCRIPTION)?.ok_or(AndroidKeyError::NoKeyDescription)?;
    let desc = key_description(value).ok_or(AndroidKeyError::MalformedKeyDescription)?;
    if desc.challenge != client_data_hash {
        return Err(AndroidKeyError::ChallengeMismatch.into());
    }
    if desc.software.all_applications || desc.tee.all_applications {
        return Err(AndroidKeyError::AllApplications.into());
    }
    if desc.tee.origin.or(desc.software.origin) != Some(KM_ORIGIN_GENERATED) {
        return Err(AndroidKeyError::NotGenerated.into());
    }
    if !desc.tee.purposes.iter().chain(&desc.software.purposes).any(|p| *p == KM_PURPOSE_SIGN) {
        return Err(AndroidKeyError::NotForSigning.into());
    }
    cert_key.verify(alg, &members::signed_data(&att.auth_data, client_data_hash), sig)?;
    chain::verify_path_signatures(&x5c, at)?;
    Ok(Attested { att_type: AttestationType::Basic, trust_path: x5c })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tlv(tag: &[u8], value: &[u8]) -> Vec<u8> {
        assert!(value.len() < 128);
        [tag, &[value.len() as u8], value].concat()
    }

    /// KeyDescription with `sw` and `tee` as the two AuthorizationLists' contents.
    fn description(challenge: &[u8], sw: &[u8], tee: &[u8]) -> Vec<u8> {
        let body = [
            tlv(&[0x02], &[3]),
            tlv(&[0x0a], &[1]),
            tlv(&[0x02], &[4]),
            tlv(&[0x0a], &[1]),
            tlv(&[0x04], challenge),
            tlv(&[0x04], &[]),
            tlv(&[0x30], sw),
            tlv(&[0x30], tee),
        ]
        .concat();
        tlv(&[0x30], &body)
    }

    fn purpose_sign() -> Vec<u8> {
        tlv(&[0xa1], &tlv(&[0x31], &tlv(&[0x02], &[2])))
    }
    fn origin_generated() -> Vec<u8> {
        tlv(&[0xbf, 0x85, 0x3e], &tlv(&[0x02], &[0]))
    }
    fn all_applications() -> Vec<u8> {
        tlv(&[0xbf, 0x84, 0x58], &tlv(&[0x05], &[]))
    }

    #[test]
    fn key_descriptions_are_read_and_hostile_ones_refused() {
        let tee = [purpose_sign(), origin_generated()].concat();
        let good = description(&[7; 32], &[], &tee);
        let d = key_description(&good).unwrap();
        assert_eq!(d.challenge, &[7; 32]);
        assert_eq!((d.tee.purposes.as_slice(), d.tee.origin, d.tee.all_applications), (&[2u64][..], Some(0), false));
        let with_all = description(&[7; 32], &all_applications(), &tee);
        assert!(key_description(&with_all).unwrap().software.all_applications);
        // Every truncation, trailing bytes, and a field of the wrong type are refused, never a panic.
        for end in 0..good.len() {
            assert!(key_description(&good[..end]).is_none(), "{end}");
        }
        assert!(key_description(&[good.clone(), vec![0]].concat()).is_none());
        assert!(key_description(&description(&[7; 32], &[], &tlv(&[0xa1], &tlv(&[0x02], &[2])))).is_none());
        assert!(key_description(&description(&[7; 32], &[], &tlv(&[0x04], &[]))).is_none());
        // Huge or negative integers are not purposes.
        assert_eq!(small_uint(&[0x80]), None);
        assert_eq!(small_uint(&[1; 10]), None);
        assert_eq!(small_uint(&[0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Some(u64::MAX));
    }
}
