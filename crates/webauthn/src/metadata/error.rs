//! Why a metadata BLOB was refused: one variant per reason, each with a
//! stable code for logs and tests.

use crate::chain::ChainError;

/// A metadata BLOB that cannot be used, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    /// The BLOB is larger than [`super::MAX_BLOB_BYTES`].
    #[error("the metadata BLOB is larger than {limit} bytes")]
    TooLarge {
        /// The limit it exceeds, in bytes.
        limit: usize,
    },
    /// The BLOB is not a compact JWS (three base64url parts, a JSON header).
    #[error("the metadata BLOB is not a JWT: {0}")]
    MalformedJwt(&'static str),
    /// The JWT's `alg` is not one passbind verifies (RS256, ES256).
    #[error("the metadata BLOB's algorithm {0:?} is not supported")]
    UnsupportedAlgorithm(String),
    /// The JWT's header has no `x5c` (an `x5u` would need a fetch; MDS3 uses x5c).
    #[error("the metadata BLOB's header has no x5c certificate chain")]
    MissingX5c,
    /// A certificate of `x5c` (or its signing key) cannot be read.
    #[error("the metadata BLOB's signing certificate cannot be used: {0}")]
    MalformedCertificate(String),
    /// The `x5c` chain does not lead to the given root at the given time.
    #[error("the metadata BLOB's certificate chain is not valid: {0}")]
    Chain(ChainError),
    /// The signing key is not of the kind `alg` names (e.g. RS256 with an EC key).
    #[error("the metadata BLOB's signing key does not suit {0}")]
    AlgorithmKeyMismatch(&'static str),
    /// The JWT's signature does not verify with the signing certificate's key.
    #[error("the metadata BLOB's signature does not verify")]
    BadSignature,
    /// The payload is not a MetadataBLOBPayload (JSON shape, `no`, `nextUpdate`).
    #[error("the metadata BLOB's payload is not valid: {0}")]
    MalformedPayload(String),
}

impl MetadataError {
    /// A stable snake_case name for the reason (logs, tests).
    pub fn code(&self) -> &'static str {
        match self {
            MetadataError::TooLarge { .. } => "metadata_too_large",
            MetadataError::MalformedJwt(_) => "metadata_malformed_jwt",
            MetadataError::UnsupportedAlgorithm(_) => "metadata_unsupported_algorithm",
            MetadataError::MissingX5c => "metadata_missing_x5c",
            MetadataError::MalformedCertificate(_) => "metadata_malformed_certificate",
            MetadataError::Chain(_) => "metadata_chain_invalid",
            MetadataError::AlgorithmKeyMismatch(_) => "metadata_algorithm_key_mismatch",
            MetadataError::BadSignature => "metadata_bad_signature",
            MetadataError::MalformedPayload(_) => "metadata_malformed_payload",
        }
    }
}
