//! The `compound` attestation statement format (WebAuthn Level 3 §8.9):
//! several self-contained statements of other formats over the same
//! authenticator data and client data, e.g. a `packed` and a `tpm` one.
//!
//! Every sub-statement must verify (a compound statement with one bad part
//! is refused with that part's reason). The result is the strongest one:
//! a statement with a trust path (attCA, basic, anonCA) over self
//! attestation over none, the first of equals; [`verify_all`] answers every
//! sub-statement's result for a caller that wants all trust paths.

use super::{verify_statement_at, AttestationObject, AttestationType, Attested};
use crate::authenticator_data::AuthenticatorData;
use crate::cose::CoseKey;
use crate::VerifyError;

/// A compound statement holds at least this many statements (the spec's `2*`)…
pub const MIN_STATEMENTS: usize = 2;
/// …and passbind reads at most this many (each costs a full verification).
pub const MAX_STATEMENTS: usize = 4;

fn rank(t: AttestationType) -> u8 {
    match t {
        AttestationType::None => 0,
        AttestationType::SelfAttestation => 1,
        AttestationType::AnonCa | AttestationType::Basic | AttestationType::AttCa => 2,
    }
}

/// Verifies each sub-statement; answers each one's format and result, in order.
pub fn verify_all(
    att: &AttestationObject,
    auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
    at_unix_seconds: Option<u64>,
) -> Result<Vec<(String, Attested)>, VerifyError> {
    if att.compound.len() < MIN_STATEMENTS {
        return Err(VerifyError::MalformedAttestationStatement("a compound statement holds at least two statements"));
    }
    if att.compound.len() > MAX_STATEMENTS {
        return Err(VerifyError::MalformedAttestationStatement("a compound statement holds too many statements"));
    }
    att.compound
        .iter()
        .map(|(fmt, att_stmt)| {
            let sub =
                AttestationObject { fmt: fmt.clone(), att_stmt: att_stmt.clone(), auth_data: att.auth_data.clone(), compound: Vec::new() };
            verify_statement_at(&sub, auth, key, client_data_hash, at_unix_seconds).map(|a| (fmt.clone(), a))
        })
        .collect()
}

/// §8.9's verification procedure: all sub-statements verify; the strongest one is the result.
pub(super) fn verify(
    att: &AttestationObject,
    auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
    at_unix_seconds: Option<u64>,
) -> Result<Attested, VerifyError> {
    let all = verify_all(att, auth, key, client_data_hash, at_unix_seconds)?;
    let mut best: Option<Attested> = None;
    for (_, a) in all {
        if best.as_ref().is_none_or(|b| rank(a.att_type) > rank(b.att_type)) {
            best = Some(a);
        }
    }
    best.ok_or(VerifyError::MalformedAttestationStatement("a compound statement holds at least two statements"))
}
