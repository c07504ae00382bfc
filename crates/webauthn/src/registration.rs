//! The registration ceremony's checks (WebAuthn Level 3 §7.1), in the
//! spec's order, over the modules that read each part of the response.

use crate::{attestation, authenticator_data, client_data, cose, VerifyError};
use passbind_protocol::base64url;
use passbind_protocol::wire::RegistrationResponse;
use sha2::{Digest, Sha256};

/// What the relying party expects of this ceremony.
pub struct Expectation<'a> {
    pub challenge: &'a [u8],
    /// Exact origins (`scheme://host[:port]`) allowed to run the ceremony.
    pub allowed_origins: &'a [String],
    pub rp_id: &'a str,
    pub require_user_verification: bool,
}

/// A verified new credential, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedRegistration {
    pub credential_id: Vec<u8>,
    /// The COSE_Key exactly as the authenticator encoded it.
    pub public_key_cose: Vec<u8>,
    pub alg: i64,
    pub sign_count: u32,
    pub aaguid: [u8; 16],
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub attestation_format: String,
    /// The statement's attestation type and trust path (for metadata checks).
    pub attestation: attestation::Attested,
    pub transports: Vec<String>,
    pub attachment: Option<String>,
}

/// Longest credential ID WebAuthn allows.
pub const MAX_CREDENTIAL_ID_LEN: usize = 1023;

fn decode_field(value: &str, field: &'static str) -> Result<Vec<u8>, VerifyError> {
    base64url::decode(value).ok_or(VerifyError::NotBase64url { field })
}

/// Verifies a `RegistrationResponseJSON` against the ceremony's expectations.
pub fn verify_registration(resp: &RegistrationResponse, exp: &Expectation<'_>) -> Result<VerifiedRegistration, VerifyError> {
    verify_registration_at(resp, exp, None)
}

/// [`verify_registration`] at a verification time (Unix seconds): the
/// attestation statement's time checks (x5c validity, SafetyNet's
/// timestamp) run at `at_unix_seconds`; `None` skips them.
pub fn verify_registration_at(
    resp: &RegistrationResponse,
    exp: &Expectation<'_>,
    at_unix_seconds: Option<u64>,
) -> Result<VerifiedRegistration, VerifyError> {
    if resp.type_ != "public-key" {
        return Err(VerifyError::NotPublicKey);
    }
    let raw_id = decode_field(&resp.raw_id, "rawId")?;
    let id = decode_field(&resp.id, "id")?;
    if raw_id != id {
        return Err(VerifyError::IdMismatch);
    }
    let client_data_json = decode_field(&resp.response.client_data_json, "clientDataJSON")?;
    let attestation_object = decode_field(&resp.response.attestation_object, "attestationObject")?;

    // §7.1 steps 5-12: the client data says who asked for what.
    client_data::verify(&client_data_json, exp)?;
    let client_data_hash: [u8; 32] = Sha256::digest(&client_data_json).into();

    // Steps 13-21: the authenticator's statement.
    let att = attestation::AttestationObject::parse(&attestation_object)?;
    let auth = authenticator_data::AuthenticatorData::parse(&att.auth_data)?;
    let rp_id_hash: [u8; 32] = Sha256::digest(exp.rp_id.as_bytes()).into();
    if auth.rp_id_hash != rp_id_hash {
        return Err(VerifyError::RpIdMismatch { rp_id: exp.rp_id.to_owned() });
    }
    if !auth.user_present() {
        return Err(VerifyError::UserNotPresent);
    }
    if exp.require_user_verification && !auth.user_verified() {
        return Err(VerifyError::UserNotVerified);
    }
    if auth.backed_up() && !auth.backup_eligible() {
        return Err(VerifyError::BackupStateWithoutEligibility);
    }
    let attested = auth.attested.as_ref().ok_or(VerifyError::NoAttestedCredentialData)?;
    if attested.credential_id.len() > MAX_CREDENTIAL_ID_LEN {
        return Err(VerifyError::CredentialIdTooLong);
    }
    if attested.credential_id != raw_id {
        return Err(VerifyError::CredentialIdMismatch);
    }
    // Refuses an algorithm passbind did not offer before reading the key.
    let key = cose::CoseKey::parse(&attested.public_key_cose)?;

    // Steps 19-21: the attestation statement.
    let statement = attestation::verify_statement_at(&att, &auth, &key, &client_data_hash, at_unix_seconds)?;

    Ok(VerifiedRegistration {
        credential_id: raw_id,
        public_key_cose: attested.public_key_cose.clone(),
        alg: key.alg,
        sign_count: auth.sign_count,
        aaguid: attested.aaguid,
        backup_eligible: auth.backup_eligible(),
        backed_up: auth.backed_up(),
        attestation_format: att.fmt.clone(),
        attestation: statement,
        transports: resp.response.transports.iter().filter(|t| t.len() <= 32).take(8).cloned().collect(),
        attachment: resp.authenticator_attachment.clone().filter(|a| a == "platform" || a == "cross-platform"),
    })
}
