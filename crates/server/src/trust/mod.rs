//! The trust decision after the WebAuthn checks (issue 12, WebAuthn Level 3
//! §7.1 steps 22-24): the verified statement's trust path against the
//! metadata BLOB's entry for the authenticator, the entry's status reports,
//! and the authenticator config's policy. The WebAuthn crate verifies the
//! statement itself (signatures, integrity of the x5c chain); it has no
//! roots, so trust is decided here, with the BLOB the service loaded.
//!
//! Without a BLOB nothing is ever called trusted: an x5c statement is
//! recorded as `UNVERIFIED`, `none` and self attestation as `NONE`.
//!
//! - `names` — authenticator names by AAGUID when no BLOB names the model
//! - `admit` — the whole decision on a new credential (WebAuthn checks, then this)

pub mod admit;
pub mod names;

use crate::store::{Aaguid, AttestationPolicy, AttestationTrust};
use passbind_webauthn::attestation::AttestationType;
use passbind_webauthn::metadata::{AuthenticatorStatus, MetadataBlob, MetadataEntry};
use passbind_webauthn::{verify_chain_with, ChainOptions, VerifiedRegistration};
use sha1::{Digest, Sha1};

/// Why a config's policy or the metadata refuses an authenticator that
/// passed the WebAuthn checks. Answered as `ATTESTATION_REJECTED` with
/// [`PolicyRefusal::code`] as `details[].reason`; the SDK hands the reason on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PolicyRefusal {
    /// The config has an AAGUID allow list and this authenticator's AAGUID is not on it.
    #[error("this authenticator model is not allowed here")]
    AaguidNotAllowed,
    /// The config's AAGUID deny list names this authenticator's AAGUID.
    #[error("this authenticator model is not allowed here")]
    AaguidDenied,
    /// The config requires attestation and the authenticator sent none (or self attestation).
    #[error("this authenticator does not prove its make and model (attestation is required)")]
    AttestationRequired,
    /// The attestation's certificate chain does not lead to the metadata entry's roots
    /// (or the BLOB has no entry for the authenticator), and the config requires attestation.
    #[error("the authenticator's attestation does not lead to a trusted root")]
    UntrustedAttestation,
    /// The metadata BLOB's latest status report for the model is REVOKED.
    #[error("this authenticator model has been revoked by the FIDO Alliance")]
    AuthenticatorRevoked,
    /// The latest status report is a key compromise or a user verification bypass.
    #[error("this authenticator model is known to be compromised ({0})")]
    AuthenticatorCompromised(&'static str),
    /// The config takes certified authenticators only and the BLOB lists this one as not
    /// (or not any more) FIDO certified, or does not list it.
    #[error("this authenticator model is not FIDO certified")]
    NotCertified,
    /// The config needs metadata (attestation required, certified only) and no BLOB is loaded.
    #[error("the service has no authenticator metadata to check this authenticator against")]
    NoMetadata,
}

impl PolicyRefusal {
    /// The stable snake_case reason in the error's `details`.
    pub const fn code(self) -> &'static str {
        match self {
            PolicyRefusal::AaguidNotAllowed => "aaguid_not_allowed",
            PolicyRefusal::AaguidDenied => "aaguid_denied",
            PolicyRefusal::AttestationRequired => "attestation_required",
            PolicyRefusal::UntrustedAttestation => "untrusted_attestation",
            PolicyRefusal::AuthenticatorRevoked => "authenticator_revoked",
            PolicyRefusal::AuthenticatorCompromised(_) => "authenticator_compromised",
            PolicyRefusal::NotCertified => "not_certified",
            PolicyRefusal::NoMetadata => "no_metadata",
        }
    }
}

/// The metadata BLOB the service has loaded now, if any (`crate::metadata`).
pub fn loaded_blob(state: &crate::AppState) -> Option<std::sync::Arc<MetadataBlob>> {
    state.metadata.current()
}

/// The model's name and icon for a view: the name kept with the credential
/// (else the loaded BLOB's, else the AAGUID list's) and the BLOB's icon.
pub fn name_and_icon(
    stored_name: Option<&str>,
    aaguid: &[u8; 16],
    trust_path: &[Vec<u8>],
    blob: Option<&MetadataBlob>,
) -> (Option<String>, Option<String>) {
    let entry = blob.and_then(|b| entry_for(b, aaguid, trust_path));
    let name = stored_name
        .map(str::to_owned)
        .or_else(|| entry.map(|e| e.description.clone()).filter(|d| !d.is_empty()))
        .or_else(|| names::listed_name(&Aaguid(*aaguid)).map(str::to_owned));
    (name, entry.and_then(|e| e.icon.clone()))
}

/// What the decision keeps with the credential and shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustDecision {
    /// How far the attestation is trusted (kept with the credential).
    pub trust: AttestationTrust,
    /// The model's name: the BLOB entry's description, else the AAGUID list's.
    pub name: Option<String>,
    /// The BLOB entry's icon (a `data:` URL), if any.
    pub icon: Option<String>,
}

/// The attestation certificate key identifier of a U2F leaf certificate
/// (MDS 3.0: SHA-1 of its subjectPublicKey bits), which keys U2F entries.
fn key_identifier(leaf_der: &[u8]) -> Option<Vec<u8>> {
    let cert = passbind_webauthn::chain::parse_certificate(leaf_der).ok()?;
    let bits = cert.tbs_certificate().subject_public_key_info().subject_public_key.raw_bytes();
    Some(Sha1::digest(bits).to_vec())
}

/// The BLOB's entry for the authenticator: by AAGUID, else (U2F, whose
/// AAGUID is all zeros) by the leaf certificate's key identifier.
pub fn entry_for<'a>(blob: &'a MetadataBlob, aaguid: &[u8; 16], trust_path: &[Vec<u8>]) -> Option<&'a MetadataEntry> {
    if *aaguid != [0; 16] {
        if let Some(entry) = blob.entry_for_aaguid(aaguid) {
            return Some(entry);
        }
    }
    blob.entry_for_key_id(&key_identifier(trust_path.first()?)?)
}

/// A status after which the model is refused whatever the policy says.
fn status_refusal(status: &AuthenticatorStatus) -> Option<PolicyRefusal> {
    match status {
        AuthenticatorStatus::Revoked => Some(PolicyRefusal::AuthenticatorRevoked),
        s if s.revokes_trust() => Some(PolicyRefusal::AuthenticatorCompromised(match s {
            AuthenticatorStatus::UserVerificationBypass => "USER_VERIFICATION_BYPASS",
            AuthenticatorStatus::AttestationKeyCompromise => "ATTESTATION_KEY_COMPROMISE",
            AuthenticatorStatus::UserKeyRemoteCompromise => "USER_KEY_REMOTE_COMPROMISE",
            AuthenticatorStatus::UserKeyPhysicalCompromise => "USER_KEY_PHYSICAL_COMPROMISE",
            _ => "compromised",
        })),
        _ => None,
    }
}

/// SHA-1 certificate signatures only on TPM AIK chains (a `tpm` statement,
/// or the AttCA part of a `compound` one: only `tpm` answers AttCA).
fn chain_options(verified: &VerifiedRegistration) -> ChainOptions {
    if verified.attestation_format == "tpm" || verified.attestation.att_type == AttestationType::AttCa {
        ChainOptions::TPM
    } else {
        ChainOptions::default()
    }
}

/// Decides trust for a verified registration under `policy`, with the
/// loaded BLOB (if any), at `now_unix_seconds` (certificate validity).
/// Order: the config's AAGUID lists, the model's status, then what the
/// config asks of the attestation.
pub fn decide(
    policy: &AttestationPolicy,
    verified: &VerifiedRegistration,
    blob: Option<&MetadataBlob>,
    now_unix_seconds: u64,
) -> Result<TrustDecision, PolicyRefusal> {
    let aaguid = Aaguid(verified.aaguid);
    if policy.aaguid_deny.contains(&aaguid) {
        return Err(PolicyRefusal::AaguidDenied);
    }
    if !policy.aaguid_allow.is_empty() && !policy.aaguid_allow.contains(&aaguid) {
        return Err(PolicyRefusal::AaguidNotAllowed);
    }
    let path = &verified.attestation.trust_path;
    let entry = blob.and_then(|b| entry_for(b, &verified.aaguid, path));
    if let Some(refusal) = entry.and_then(|e| status_refusal(&e.status)) {
        return Err(refusal);
    }
    let attested = !path.is_empty() && !matches!(verified.attestation.att_type, AttestationType::None | AttestationType::SelfAttestation);
    let trust = match (attested, blob, entry) {
        (false, _, _) => AttestationTrust::None,
        (true, None, _) => AttestationTrust::Unverified,
        (true, Some(_), Some(e))
            if verify_chain_with(path, &e.attestation_root_certificates, now_unix_seconds, chain_options(verified)).is_ok() =>
        {
            AttestationTrust::Trusted
        }
        (true, Some(_), _) => AttestationTrust::Untrusted,
    };
    if policy.attestation_required {
        match trust {
            AttestationTrust::Trusted => {}
            AttestationTrust::None => return Err(PolicyRefusal::AttestationRequired),
            AttestationTrust::Unverified => return Err(PolicyRefusal::NoMetadata),
            AttestationTrust::Untrusted => return Err(PolicyRefusal::UntrustedAttestation),
        }
    }
    if policy.certified_only {
        if blob.is_none() {
            return Err(PolicyRefusal::NoMetadata);
        }
        if !entry.is_some_and(|e| e.certified) {
            return Err(PolicyRefusal::NotCertified);
        }
    }
    let name = entry.map(|e| e.description.clone()).filter(|d| !d.is_empty()).or_else(|| names::listed_name(&aaguid).map(str::to_owned));
    Ok(TrustDecision { trust, name, icon: entry.and_then(|e| e.icon.clone()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_codes_are_unique_snake_case() {
        let all = [
            PolicyRefusal::AaguidNotAllowed,
            PolicyRefusal::AaguidDenied,
            PolicyRefusal::AttestationRequired,
            PolicyRefusal::UntrustedAttestation,
            PolicyRefusal::AuthenticatorRevoked,
            PolicyRefusal::AuthenticatorCompromised("REVOKED"),
            PolicyRefusal::NotCertified,
            PolicyRefusal::NoMetadata,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|r| r.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes.iter().all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_')));
    }

    fn registration(att_type: AttestationType, trust_path: Vec<Vec<u8>>) -> VerifiedRegistration {
        VerifiedRegistration {
            credential_id: vec![1],
            public_key_cose: vec![],
            alg: -7,
            sign_count: 0,
            aaguid: [0x42; 16],
            backup_eligible: false,
            backed_up: false,
            attestation_format: "packed".into(),
            attestation: passbind_webauthn::attestation::Attested { att_type, trust_path },
            transports: vec![],
            attachment: None,
        }
    }

    #[test]
    fn without_metadata_nothing_is_trusted() {
        let policy = AttestationPolicy::default();
        let basic = registration(AttestationType::Basic, vec![vec![0x30]]);
        assert_eq!(decide(&policy, &basic, None, 0).unwrap().trust, AttestationTrust::Unverified);
        let none = registration(AttestationType::None, vec![]);
        assert_eq!(decide(&policy, &none, None, 0).unwrap().trust, AttestationTrust::None);
        let required = AttestationPolicy { attestation_required: true, ..Default::default() };
        assert_eq!(decide(&required, &basic, None, 0), Err(PolicyRefusal::NoMetadata));
        assert_eq!(decide(&required, &none, None, 0), Err(PolicyRefusal::AttestationRequired));
        let certified = AttestationPolicy { certified_only: true, ..Default::default() };
        assert_eq!(decide(&certified, &basic, None, 0), Err(PolicyRefusal::NoMetadata));
        let deny = AttestationPolicy { aaguid_deny: vec![Aaguid([0x42; 16])], ..Default::default() };
        assert_eq!(decide(&deny, &none, None, 0), Err(PolicyRefusal::AaguidDenied));
        let allow = AttestationPolicy { aaguid_allow: vec![Aaguid([0x43; 16])], ..Default::default() };
        assert_eq!(decide(&allow, &none, None, 0), Err(PolicyRefusal::AaguidNotAllowed));
    }
}
