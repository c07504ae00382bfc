//! The `fido-u2f` attestation statement format (WebAuthn §8.6): a U2F
//! authenticator's batch certificate signs the U2F registration message.

use super::{members, AttestationObject, AttestationType, Attested};
use crate::authenticator_data::AuthenticatorData;
use crate::cose::{CoseKey, PublicKey, ES256};
use crate::{chain, VerifyError};

/// Why a `fido-u2f` statement is refused (codes `fido_u2f_…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FidoU2fError {
    /// x5c must hold exactly one certificate (§8.6 step 2).
    #[error("a fido-u2f x5c holds exactly one certificate")]
    NotOneCertificate,
    /// The attestation certificate's key is not an EC key on P-256.
    #[error("the fido-u2f attestation certificate's key is not P-256")]
    CertificateKeyNotP256,
    /// The credential key is not an EC2 P-256 key, which U2F cannot express otherwise.
    #[error("a fido-u2f credential key must be P-256")]
    CredentialKeyNotP256,
    /// U2F authenticators have no AAGUID: the authenticator data's is not zero.
    #[error("a fido-u2f authenticator's AAGUID must be zero")]
    AaguidNotZero,
}

impl FidoU2fError {
    /// The reason's stable snake_case name.
    pub fn code(&self) -> &'static str {
        match self {
            FidoU2fError::NotOneCertificate => "fido_u2f_not_one_certificate",
            FidoU2fError::CertificateKeyNotP256 => "fido_u2f_certificate_key_not_p256",
            FidoU2fError::CredentialKeyNotP256 => "fido_u2f_credential_key_not_p256",
            FidoU2fError::AaguidNotZero => "fido_u2f_aaguid_not_zero",
        }
    }

    /// One of each reason (for the tests of every code).
    pub fn every_reason() -> Vec<FidoU2fError> {
        vec![
            FidoU2fError::NotOneCertificate,
            FidoU2fError::CertificateKeyNotP256,
            FidoU2fError::CredentialKeyNotP256,
            FidoU2fError::AaguidNotZero,
        ]
    }
}

/// §8.6 verification procedure; `at` checks the certificate's validity too.
pub(super) fn verify(
    att: &AttestationObject,
    auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
    at: Option<u64>,
) -> Result<Attested, VerifyError> {
    let sig = members::sig(&att.att_stmt)?;
    let x5c = members::x5c(&att.att_stmt)?;
    if x5c.len() != 1 {
        return Err(FidoU2fError::NotOneCertificate.into());
    }
    let attested = auth.attested.as_ref().ok_or(VerifyError::NoAttestedCredentialData)?;
    if attested.aaguid != [0; 16] {
        return Err(FidoU2fError::AaguidNotZero.into());
    }
    let cert_key = match chain::certificate_public_key(&x5c[0]) {
        Ok(k @ PublicKey::P256(_)) => k,
        Ok(_) | Err(VerifyError::UnsupportedCertificateKey(_)) => return Err(FidoU2fError::CertificateKeyNotP256.into()),
        Err(e) => return Err(e),
    };
    let PublicKey::P256(credential) = &key.key else {
        return Err(FidoU2fError::CredentialKeyNotP256.into());
    };
    // verificationData = 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ publicKeyU2F (0x04 ‖ x ‖ y).
    let point = credential.to_sec1_point(false);
    let mut signed = Vec::with_capacity(1 + 32 + 32 + attested.credential_id.len() + 65);
    signed.push(0x00);
    signed.extend_from_slice(&auth.rp_id_hash);
    signed.extend_from_slice(client_data_hash);
    signed.extend_from_slice(&attested.credential_id);
    signed.extend_from_slice(point.as_bytes());
    cert_key.verify(ES256, &signed, sig)?;
    chain::verify_path_signatures(&x5c, at)?;
    Ok(Attested { att_type: AttestationType::Basic, trust_path: x5c })
}
