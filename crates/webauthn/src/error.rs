//! Why a registration was refused: one variant per reason, so a caller can
//! tell them apart without reading messages. The messages are the ones the
//! service has always answered (its tests match on some of them); the codes
//! are stable machine-readable names for the same reasons.

use crate::attestation::{AndroidKeyError, AppleError, FidoU2fError, SafetyNetError, TpmError};
use crate::chain::ChainError;

/// Which of the two refusals of the WebAuthn error codes a reason is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The browser ran the ceremony for someone else (origin, crossOrigin,
    /// RP ID): the service answers `SECURITY`.
    Security,
    /// Something about the response itself is wrong: `ATTESTATION_REJECTED`.
    Rejected,
}

/// A registration the relying party must refuse, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    // The credential as the browser serialised it.
    /// `type` is not `public-key`.
    #[error("the credential type is not public-key")]
    NotPublicKey,
    /// A field that must be base64url is not (`field` names it as the message says it).
    #[error("{field} is not base64url")]
    NotBase64url { field: &'static str },
    /// `id` and `rawId` are different credential IDs.
    #[error("id and rawId differ")]
    IdMismatch,

    // clientDataJSON (§7.1 steps 5-12).
    /// clientDataJSON is not JSON of the expected shape.
    #[error("clientDataJSON is not valid: {0}")]
    MalformedClientData(String),
    /// clientDataJSON's `type` is not `webauthn.create`.
    #[error("clientDataJSON type is {found:?}, not webauthn.create")]
    WrongType { found: String },
    /// The challenge is not the one this ceremony issued.
    #[error("the challenge is not this ceremony's")]
    ChallengeMismatch,
    /// The ceremony ran on an origin the authenticator config does not allow.
    #[error("origin {origin:?} is not allowed for this authenticator config")]
    OriginNotAllowed { origin: String },
    /// The ceremony ran in a cross-origin iframe (`crossOrigin: true`).
    #[error("cross-origin (iframe) registration is not allowed")]
    CrossOrigin,

    // Authenticator data (§6.1; §7.1 steps 13-18).
    /// The authenticator data cannot be read (too short, truncated, trailing bytes).
    #[error("{0}")]
    MalformedAuthenticatorData(&'static str),
    /// The credential is scoped to another RP ID (its RP ID hash differs).
    #[error("the credential is scoped to another RP ID than {rp_id:?}")]
    RpIdMismatch { rp_id: String },
    /// The UP flag is not set.
    #[error("the user was not present (UP flag not set)")]
    UserNotPresent,
    /// The UV flag is not set and the config requires user verification.
    #[error("the user was not verified (UV flag not set)")]
    UserNotVerified,
    /// The BS (backed up) flag is set without BE (backup eligible).
    #[error("BS flag set without BE")]
    BackupStateWithoutEligibility,
    /// The AT flag is not set: there is no new credential to register.
    #[error("no attested credential data")]
    NoAttestedCredentialData,
    /// The credential ID is longer than WebAuthn allows (1023 bytes).
    #[error("the credential ID is longer than 1023 bytes")]
    CredentialIdTooLong,
    /// The attested credential ID is not the response's `rawId`.
    #[error("the credential ID does not match rawId")]
    CredentialIdMismatch,

    // The credential public key (COSE_Key) and signatures.
    /// The key is not a COSE_Key passbind can read, or its key material is invalid.
    #[error("{0}")]
    MalformedPublicKey(String),
    /// The key's algorithm is not one passbind offered (`pubKeyCredParams`).
    #[error("algorithm {0} was not offered")]
    AlgorithmNotOffered(i64),
    /// An offered algorithm on a key type (or curve) it does not go with.
    #[error("unsupported key type {kty} with algorithm {alg}")]
    UnsupportedKeyType { kty: i64, alg: i64 },
    /// An RSA key shorter than 2048 bits.
    #[error("RSA keys must have at least 2048 bits")]
    RsaKeyTooSmall,
    /// A signature algorithm that does not suit the key that should check it.
    #[error("algorithm {0} does not suit the key")]
    AlgorithmKeyMismatch(i64),
    /// The attestation signature does not verify.
    #[error("the attestation signature does not verify")]
    BadSignature,

    // The attestation object and statement (§7.1 steps 19-21, §8).
    /// The attestation object is not the CBOR map `{fmt, attStmt, authData}`.
    #[error("{0}")]
    MalformedAttestationObject(&'static str),
    /// An attestation format other than `none` and `packed`.
    #[error("attestation format {0:?} is not supported")]
    UnsupportedFormat(String),
    /// The attestation statement lacks a member or has one of the wrong type.
    #[error("{0}")]
    MalformedAttestationStatement(&'static str),
    /// Packed self attestation with another algorithm than the credential key's.
    #[error("packed self attestation: alg differs from the credential's")]
    SelfAttestationAlgorithmMismatch,
    /// The attestation certificate breaks a rule of §8.2.1 (DER, version, extensions).
    #[error("{0}")]
    MalformedCertificate(&'static str),
    /// The attestation certificate is a CA certificate.
    #[error("the attestation certificate is a CA")]
    CertificateIsCa,
    /// The certificate's AAGUID extension names another authenticator model.
    #[error("the certificate's AAGUID differs from the authenticator data's")]
    CertificateAaguidMismatch,
    /// The attestation certificate's key is of a type passbind cannot check.
    #[error("{0}")]
    UnsupportedCertificateKey(&'static str),
    /// The x5c is not one consistent certificate chain, or not valid at the
    /// verification time (its code is `chain_` + the [`ChainError`]'s).
    #[error("{0}")]
    Chain(#[from] ChainError),
    /// A `tpm` statement breaks a rule of §8.3 (its code is the [`TpmError`]'s, `tpm_…`).
    #[error("{0}")]
    Tpm(#[from] TpmError),
    /// An `android-safetynet` statement breaks a rule of §8.5 (code `safetynet_…`).
    #[error("{0}")]
    SafetyNet(#[from] SafetyNetError),
    /// A `fido-u2f` statement breaks a rule of §8.6 (codes `fido_u2f_…`).
    #[error("{0}")]
    FidoU2f(#[from] FidoU2fError),
    /// An `apple` statement breaks a rule of §8.8 (codes `apple_…`).
    #[error("{0}")]
    Apple(#[from] AppleError),
    /// An `android-key` statement breaks a rule of §8.4 (codes `android_key_…`).
    #[error("{0}")]
    AndroidKey(#[from] AndroidKeyError),
}

impl VerifyError {
    /// A security refusal (the ceremony was run for someone else) or a
    /// rejection of the response.
    pub fn refusal(&self) -> Refusal {
        match self {
            VerifyError::OriginNotAllowed { .. } | VerifyError::CrossOrigin | VerifyError::RpIdMismatch { .. } => Refusal::Security,
            _ => Refusal::Rejected,
        }
    }

    /// The reason's stable snake_case name. Written out rather than derived
    /// from the variant names so that renaming a variant cannot change one.
    pub fn code(&self) -> &'static str {
        match self {
            VerifyError::NotPublicKey => "not_public_key",
            VerifyError::NotBase64url { .. } => "not_base64url",
            VerifyError::IdMismatch => "id_mismatch",
            VerifyError::MalformedClientData(_) => "malformed_client_data",
            VerifyError::WrongType { .. } => "wrong_type",
            VerifyError::ChallengeMismatch => "challenge_mismatch",
            VerifyError::OriginNotAllowed { .. } => "origin_not_allowed",
            VerifyError::CrossOrigin => "cross_origin",
            VerifyError::MalformedAuthenticatorData(_) => "malformed_authenticator_data",
            VerifyError::RpIdMismatch { .. } => "rp_id_mismatch",
            VerifyError::UserNotPresent => "user_not_present",
            VerifyError::UserNotVerified => "user_not_verified",
            VerifyError::BackupStateWithoutEligibility => "backup_state_without_eligibility",
            VerifyError::NoAttestedCredentialData => "no_attested_credential_data",
            VerifyError::CredentialIdTooLong => "credential_id_too_long",
            VerifyError::CredentialIdMismatch => "credential_id_mismatch",
            VerifyError::MalformedPublicKey(_) => "malformed_public_key",
            VerifyError::AlgorithmNotOffered(_) => "algorithm_not_offered",
            VerifyError::UnsupportedKeyType { .. } => "unsupported_key_type",
            VerifyError::RsaKeyTooSmall => "rsa_key_too_small",
            VerifyError::AlgorithmKeyMismatch(_) => "algorithm_key_mismatch",
            VerifyError::BadSignature => "bad_signature",
            VerifyError::MalformedAttestationObject(_) => "malformed_attestation_object",
            VerifyError::UnsupportedFormat(_) => "unsupported_format",
            VerifyError::MalformedAttestationStatement(_) => "malformed_attestation_statement",
            VerifyError::SelfAttestationAlgorithmMismatch => "self_attestation_algorithm_mismatch",
            VerifyError::MalformedCertificate(_) => "malformed_certificate",
            VerifyError::CertificateIsCa => "certificate_is_ca",
            VerifyError::CertificateAaguidMismatch => "certificate_aaguid_mismatch",
            VerifyError::UnsupportedCertificateKey(_) => "unsupported_certificate_key",
            VerifyError::Chain(e) => e.prefixed_code(),
            VerifyError::Tpm(e) => e.code(),
            VerifyError::SafetyNet(e) => e.code(),
            VerifyError::FidoU2f(e) => e.code(),
            VerifyError::Apple(e) => e.code(),
            VerifyError::AndroidKey(e) => e.code(),
        }
    }

    /// The same as [`VerifyError::code`].
    pub fn as_str(&self) -> &'static str {
        self.code()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each reason. The match below fails to compile when a variant
    /// is added without being listed here.
    fn every_reason() -> Vec<VerifyError> {
        let all = vec![
            VerifyError::NotPublicKey,
            VerifyError::NotBase64url { field: "rawId" },
            VerifyError::IdMismatch,
            VerifyError::MalformedClientData("EOF".into()),
            VerifyError::WrongType { found: "webauthn.get".into() },
            VerifyError::ChallengeMismatch,
            VerifyError::OriginNotAllowed { origin: "https://evil.example".into() },
            VerifyError::CrossOrigin,
            VerifyError::MalformedAuthenticatorData("authenticator data is too short"),
            VerifyError::RpIdMismatch { rp_id: "example.com".into() },
            VerifyError::UserNotPresent,
            VerifyError::UserNotVerified,
            VerifyError::BackupStateWithoutEligibility,
            VerifyError::NoAttestedCredentialData,
            VerifyError::CredentialIdTooLong,
            VerifyError::CredentialIdMismatch,
            VerifyError::MalformedPublicKey("not a P-256 point".into()),
            VerifyError::AlgorithmNotOffered(-35),
            VerifyError::UnsupportedKeyType { kty: 1, alg: -7 },
            VerifyError::RsaKeyTooSmall,
            VerifyError::AlgorithmKeyMismatch(-8),
            VerifyError::BadSignature,
            VerifyError::MalformedAttestationObject("the attestation object is not CBOR"),
            VerifyError::UnsupportedFormat("tpm".into()),
            VerifyError::MalformedAttestationStatement("packed attStmt has no sig"),
            VerifyError::SelfAttestationAlgorithmMismatch,
            VerifyError::MalformedCertificate("the attestation certificate is not DER X.509"),
            VerifyError::CertificateIsCa,
            VerifyError::CertificateAaguidMismatch,
            VerifyError::UnsupportedCertificateKey("the attestation certificate's key type is not supported"),
            VerifyError::Chain(ChainError::EmptyPath),
            VerifyError::Chain(ChainError::PathTooLong),
            VerifyError::Chain(ChainError::Malformed { index: 0, reason: "not DER X.509" }),
            VerifyError::Chain(ChainError::Expired { index: 0 }),
            VerifyError::Chain(ChainError::NotYetValid { index: 0 }),
            VerifyError::Chain(ChainError::IssuerMismatch { index: 0 }),
            VerifyError::Chain(ChainError::BadSignature { index: 0 }),
            VerifyError::Chain(ChainError::UnsupportedAlgorithm { index: 0 }),
            VerifyError::Chain(ChainError::NotCa { index: 1 }),
            VerifyError::Chain(ChainError::NoKeyCertSign { index: 1 }),
            VerifyError::Chain(ChainError::PathLenExceeded { index: 1 }),
            VerifyError::Chain(ChainError::UntrustedRoot),
        ];
        let all: Vec<VerifyError> = all
            .into_iter()
            .chain(TpmError::every_reason().into_iter().map(VerifyError::Tpm))
            .chain(SafetyNetError::every_reason().into_iter().map(VerifyError::SafetyNet))
            .chain(FidoU2fError::every_reason().into_iter().map(VerifyError::FidoU2f))
            .chain(AppleError::every_reason().into_iter().map(VerifyError::Apple))
            .chain(AndroidKeyError::every_reason().into_iter().map(VerifyError::AndroidKey))
            .collect();
        for e in &all {
            match e {
                VerifyError::NotPublicKey
                | VerifyError::NotBase64url { .. }
                | VerifyError::IdMismatch
                | VerifyError::MalformedClientData(_)
                | VerifyError::WrongType { .. }
                | VerifyError::ChallengeMismatch
                | VerifyError::OriginNotAllowed { .. }
                | VerifyError::CrossOrigin
                | VerifyError::MalformedAuthenticatorData(_)
                | VerifyError::RpIdMismatch { .. }
                | VerifyError::UserNotPresent
                | VerifyError::UserNotVerified
                | VerifyError::BackupStateWithoutEligibility
                | VerifyError::NoAttestedCredentialData
                | VerifyError::CredentialIdTooLong
                | VerifyError::CredentialIdMismatch
                | VerifyError::MalformedPublicKey(_)
                | VerifyError::AlgorithmNotOffered(_)
                | VerifyError::UnsupportedKeyType { .. }
                | VerifyError::RsaKeyTooSmall
                | VerifyError::AlgorithmKeyMismatch(_)
                | VerifyError::BadSignature
                | VerifyError::MalformedAttestationObject(_)
                | VerifyError::UnsupportedFormat(_)
                | VerifyError::MalformedAttestationStatement(_)
                | VerifyError::SelfAttestationAlgorithmMismatch
                | VerifyError::MalformedCertificate(_)
                | VerifyError::CertificateIsCa
                | VerifyError::CertificateAaguidMismatch
                | VerifyError::UnsupportedCertificateKey(_)
                | VerifyError::Chain(
                    ChainError::EmptyPath
                    | ChainError::PathTooLong
                    | ChainError::Malformed { .. }
                    | ChainError::Expired { .. }
                    | ChainError::NotYetValid { .. }
                    | ChainError::IssuerMismatch { .. }
                    | ChainError::BadSignature { .. }
                    | ChainError::UnsupportedAlgorithm { .. }
                    | ChainError::NotCa { .. }
                    | ChainError::NoKeyCertSign { .. }
                    | ChainError::PathLenExceeded { .. }
                    | ChainError::UntrustedRoot,
                )
                | VerifyError::Tpm(_)
                | VerifyError::SafetyNet(_)
                | VerifyError::FidoU2f(_)
                | VerifyError::Apple(_)
                | VerifyError::AndroidKey(_) => {}
            }
        }
        all
    }

    #[test]
    fn codes_are_unique_snake_case() {
        let all = every_reason();
        let mut codes: Vec<&str> = all.iter().map(VerifyError::code).collect();
        for code in &codes {
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'), "{code}");
            assert!(code.starts_with(|c: char| c.is_ascii_lowercase()) && !code.ends_with('_') && !code.contains("__"), "{code}");
        }
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), all.len(), "two reasons share a code");
    }

    #[test]
    fn only_origin_cross_origin_and_rp_id_are_security_refusals() {
        for e in every_reason() {
            let security = matches!(e.code(), "origin_not_allowed" | "cross_origin" | "rp_id_mismatch");
            assert_eq!(e.refusal() == Refusal::Security, security, "{e:?}");
        }
    }

    #[test]
    fn messages_keep_their_wording() {
        assert_eq!(VerifyError::UserNotVerified.to_string(), "the user was not verified (UV flag not set)");
        assert_eq!(VerifyError::NotBase64url { field: "the challenge" }.to_string(), "the challenge is not base64url");
        assert_eq!(VerifyError::AlgorithmNotOffered(-35).to_string(), "algorithm -35 was not offered");
        assert_eq!(
            VerifyError::OriginNotAllowed { origin: "https://evil".into() }.to_string(),
            "origin \"https://evil\" is not allowed for this authenticator config"
        );
        assert_eq!(VerifyError::UnsupportedFormat("tpm".into()).to_string(), "attestation format \"tpm\" is not supported");
        assert_eq!(
            VerifyError::MalformedAttestationObject("the attestation object is not a map").to_string(),
            "the attestation object is not a map"
        );
    }
}
