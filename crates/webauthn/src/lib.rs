//! WebAuthn registration verification for passbind (Level 3 §7.1,
//! "Registering a New Credential"), narrow on purpose: what passbind asks for
//! and nothing more. Pure functions over bytes: no I/O, no clock, no storage.
//! One module per spec concept:
//!
//! - [`registration`] — the ceremony's checks in order, [`verify_registration`]
//! - [`client_data`] — clientDataJSON (type, challenge, origin, crossOrigin)
//! - [`authenticator_data`] — flags, RP ID hash, attested credential data
//! - [`chain`] — X.509 attestation certificate paths ([`verify_chain`]) and certificate helpers
//! - [`cose`] — credential public keys (ES256, EdDSA, RS256) and signatures
//! - [`attestation`] — the attestation object and one module per statement format (§8)
//! - [`jwk`] — a stored credential public key as a JWK and its thumbprint
//! - [`metadata`] — the FIDO Metadata Service (MDS3) BLOB: verified, its entries by AAGUID
//! - [`error`] — [`VerifyError`], one variant per reason for refusing

pub mod attestation;
pub mod authenticator_data;
pub mod chain;
pub mod client_data;
pub mod cose;
pub mod error;
pub mod jwk;
pub mod metadata;
pub mod registration;

pub use chain::{verify_chain, verify_chain_with, verify_path_signatures, verify_path_signatures_with, ChainError, ChainOptions};
pub use error::{Refusal, VerifyError};
pub use jwk::jwk_of_cose;
pub use registration::{verify_registration, verify_registration_at, Expectation, VerifiedRegistration, MAX_CREDENTIAL_ID_LEN};
