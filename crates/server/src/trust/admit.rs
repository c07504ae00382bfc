//! The whole decision of `:bindCredential` on a new credential, apart from
//! the job, the ceremony and storage: the WebAuthn checks (§7.1 steps 5-21,
//! at the service's time), then trust and the config's policy against the
//! metadata BLOB (steps 22-24). Pure: the route calls it with what it loaded,
//! and the tests call it with real-world vectors at their own time (a
//! recorded attestation cannot answer a live ceremony, whose challenge is
//! sealed per ceremony).

use super::{decide, TrustDecision};
use crate::error::ApiError;
use crate::store::{AuthenticatorConfig, Credential, CredentialState, Job};
use passbind_protocol::wire::RegistrationResponse;
use passbind_protocol::ErrorCode;
use passbind_webauthn::metadata::MetadataBlob;
use passbind_webauthn::{self as webauthn, Expectation, Refusal, VerifiedRegistration};

/// A credential the service accepts: what the WebAuthn checks verified and
/// what the trust decision says about it.
#[derive(Clone, Debug, PartialEq)]
pub struct Admitted {
    /// The verified registration (key, AAGUID, attestation type and trust path…).
    pub verified: VerifiedRegistration,
    /// Trust (TRUSTED, UNTRUSTED, UNVERIFIED, NONE) and the model's name and icon.
    pub decision: TrustDecision,
}

/// Verifies `credential` for the ceremony `expectation` describes at
/// `now_unix_seconds` (certificate validity, SafetyNet's timestamp, the
/// trust path against `blob`), under `config`'s policy. The refusal is the
/// exact error `:bindCredential` answers: `SECURITY` or
/// `ATTESTATION_REJECTED` with the reason code in `details[].reason`.
pub fn admit(
    config: &AuthenticatorConfig,
    expectation: &Expectation<'_>,
    credential: &RegistrationResponse,
    blob: Option<&MetadataBlob>,
    now_unix_seconds: u64,
) -> Result<Admitted, ApiError> {
    let verified = webauthn::verify_registration_at(credential, expectation, Some(now_unix_seconds)).map_err(|e| {
        let code = match e.refusal() {
            Refusal::Security => ErrorCode::Security,
            Refusal::Rejected => ErrorCode::AttestationRejected,
        };
        ApiError::new(code, e.to_string()).with_reason(e.code(), e.to_string())
    })?;
    let decision = decide(&config.policy, &verified, blob, now_unix_seconds)
        .map_err(|r| ApiError::new(ErrorCode::AttestationRejected, r.to_string()).with_reason(r.code(), r.to_string()))?;
    Ok(Admitted { verified, decision })
}

impl Admitted {
    /// The credential record to store for `job`, bound in `ceremony_id` at `now` (µs).
    pub fn into_credential(self, job: &Job, ceremony_id: &str, now: i64) -> Credential {
        let Admitted { verified, decision } = self;
        Credential {
            id: crate::util::new_id().into(),
            tenant_id: job.tenant_id.clone(),
            realm_id: job.realm_id.clone(),
            identity_id: job.identity_id.clone(),
            job_id: job.id.clone(),
            ceremony_id: ceremony_id.to_owned(),
            credential_id: verified.credential_id,
            public_key: verified.public_key_cose,
            alg: verified.alg,
            sign_count: i64::from(verified.sign_count),
            aaguid: verified.aaguid.to_vec(),
            attestation_format: verified.attestation_format,
            attestation_type: Some(verified.attestation.att_type.as_str().to_owned()),
            attestation_trust: decision.trust,
            trust_path: verified.attestation.trust_path,
            authenticator_name: decision.name,
            transports: verified.transports,
            attachment: verified.attachment,
            backup_eligible: verified.backup_eligible,
            backed_up: verified.backed_up,
            state: CredentialState::Active,
            create_time: now,
        }
    }
}
