//! WebAuthn registration verification for passbind (Level 3 §7.1,
//! "Registering a New Credential"), narrow on purpose: what passbind asks for
//! and nothing more. Pure functions over bytes: no I/O, no clock, no storage.
//! One module per spec concept:
//!
//! - [`registration`] — the ceremony's checks in order, [`verify_registration`]
//! - [`client_data`] — clientDataJSON (type, challenge, origin, crossOrigin)
//! - [`authenticator_data`] — flags, RP ID hash, attested credential data
//! - [`cose`] — credential public keys (ES256, EdDSA, RS256) and signatures
//! - [`attestation`] — the attestation object; formats `none` and `packed`
//! - [`jwk`] — a stored credential public key as a JWK and its thumbprint
//! - [`error`] — [`VerifyError`], one variant per reason for refusing

pub mod attestation;
pub mod authenticator_data;
pub mod client_data;
pub mod cose;
pub mod error;
pub mod jwk;
pub mod registration;

pub use error::{Refusal, VerifyError};
pub use jwk::jwk_of_cose;
pub use registration::{verify_registration, Expectation, VerifiedRegistration, MAX_CREDENTIAL_ID_LEN};
