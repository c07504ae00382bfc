//! Members of attestation statements that several formats share (`alg`,
//! `sig`, `x5c`), read with bounds and one refusal per missing member.

use super::text_key;
use crate::VerifyError;
use ciborium::Value;

/// `alg`: a COSE algorithm identifier.
pub(crate) fn alg(stmt: &[(Value, Value)]) -> Result<i64, VerifyError> {
    match text_key(stmt, "alg") {
        Some(Value::Integer(i)) => {
            i64::try_from(i128::from(*i)).map_err(|_| VerifyError::MalformedAttestationStatement("the statement's alg is out of range"))
        }
        _ => Err(VerifyError::MalformedAttestationStatement("the statement has no alg")),
    }
}

/// `sig`: the attestation signature.
pub(crate) fn sig(stmt: &[(Value, Value)]) -> Result<&[u8], VerifyError> {
    match text_key(stmt, "sig") {
        Some(Value::Bytes(b)) => Ok(b.as_slice()),
        _ => Err(VerifyError::MalformedAttestationStatement("the statement has no sig")),
    }
}

/// `x5c`: a non-empty array of DER certificates, leaf first, at most
/// [`crate::chain::MAX_PATH_LEN`] of them.
pub(crate) fn x5c(stmt: &[(Value, Value)]) -> Result<Vec<Vec<u8>>, VerifyError> {
    let Some(Value::Array(certs)) = text_key(stmt, "x5c") else {
        return Err(VerifyError::MalformedAttestationStatement("the statement has no x5c array"));
    };
    if certs.is_empty() || certs.len() > crate::chain::MAX_PATH_LEN {
        return Err(VerifyError::MalformedAttestationStatement("the statement's x5c is empty or too long"));
    }
    certs
        .iter()
        .map(|c| match c {
            Value::Bytes(der) => Ok(der.clone()),
            _ => Err(VerifyError::MalformedAttestationStatement("the statement's x5c holds something else than bytes")),
        })
        .collect()
}

/// authenticatorData ‖ clientDataHash: what most formats sign.
pub(crate) fn signed_data(auth_data: &[u8], client_data_hash: &[u8; 32]) -> Vec<u8> {
    let mut signed = Vec::with_capacity(auth_data.len() + 32);
    signed.extend_from_slice(auth_data);
    signed.extend_from_slice(client_data_hash);
    signed
}
