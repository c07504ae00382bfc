//! The BLOB's envelope: a JWT in JWS compact serialization (RFC 7515 §7.1)
//! signed by the key of the first `x5c` certificate (MDS 3.0 §3.1.7).
//! Only what MDS3 uses: `alg` RS256 or ES256 and an `x5c` header; no `x5u`
//! (it would need a fetch), no `jku`, no unprotected header.

use super::MetadataError;
use crate::chain;
use crate::cose::{PublicKey, ES256, RS256};
use passbind_protocol::base64url;
use serde::Deserialize;

/// The JOSE header fields passbind reads; others are ignored.
#[derive(Deserialize)]
struct Header {
    alg: String,
    /// Standard base64 DER certificates, the signing certificate first.
    #[serde(default)]
    x5c: Vec<String>,
}

/// Splits and checks the JWS: header, the x5c chain up to `root_der` at
/// `at`, and the signature. Answers the (still unparsed) payload.
pub(super) fn verify(jwt: &str, root_der: &[u8], at: u64) -> Result<Vec<u8>, MetadataError> {
    let mut parts = jwt.split('.');
    let (Some(header_b64), Some(payload_b64), Some(sig_b64), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(MetadataError::MalformedJwt("a JWT has three parts separated by dots"));
    };
    let header = base64url::decode(header_b64).ok_or(MetadataError::MalformedJwt("the header is not base64url"))?;
    let header: Header = serde_json::from_slice(&header).map_err(|_| MetadataError::MalformedJwt("the header is not a JOSE header"))?;
    let alg = match header.alg.as_str() {
        "RS256" => RS256,
        "ES256" => ES256,
        other => return Err(MetadataError::UnsupportedAlgorithm(other.to_owned())),
    };
    if header.x5c.is_empty() {
        return Err(MetadataError::MissingX5c);
    }
    if header.x5c.len() > chain::MAX_PATH_LEN {
        return Err(MetadataError::MalformedCertificate(format!("x5c has more than {} certificates", chain::MAX_PATH_LEN)));
    }
    let path = header
        .x5c
        .iter()
        .map(|c| base64url::decode(c).ok_or_else(|| MetadataError::MalformedCertificate("an x5c certificate is not base64".into())))
        .collect::<Result<Vec<_>, _>>()?;
    verify_path(&path, root_der, at)?;

    let key = chain::certificate_public_key(&path[0]).map_err(|e| MetadataError::MalformedCertificate(e.to_string()))?;
    let sig = base64url::decode(sig_b64).ok_or(MetadataError::MalformedJwt("the signature is not base64url"))?;
    // The signing input is the two encoded parts exactly as received.
    let signed = &jwt.as_bytes()[..header_b64.len() + 1 + payload_b64.len()];
    verify_signature(&key, alg, signed, &sig)?;

    base64url::decode(payload_b64).ok_or(MetadataError::MalformedJwt("the payload is not base64url"))
}

/// The chain from the signing certificate to `root_der`. An x5c may carry
/// certificates above the root the operator trusts: the MDS3 BLOB ends with
/// GlobalSign Root R46 cross-signed by Root R3, so with R46 as the root the
/// path stops below that cross-certificate, and with R3 it goes through it.
/// RFC 5280 makes the anchor an input, not a certificate of the path: the
/// shortest leading part of x5c that reaches the root is the path.
fn verify_path(path: &[Vec<u8>], root_der: &[u8], at: u64) -> Result<(), MetadataError> {
    let anchors = [root_der.to_vec()];
    let mut error = chain::ChainError::EmptyPath;
    for end in 1..=path.len() {
        match chain::verify_chain(&path[..end], &anchors, at) {
            Ok(()) => return Ok(()),
            // Most leading parts merely fail to reach the root: the error
            // kept is the last precise one (expired, bad signature, …), or
            // "untrusted root" when there is none.
            Err(e) if e != chain::ChainError::UntrustedRoot || error == chain::ChainError::EmptyPath => error = e,
            Err(_) => {}
        }
    }
    Err(MetadataError::Chain(error))
}

fn verify_signature(key: &PublicKey, alg: i64, signed: &[u8], sig: &[u8]) -> Result<(), MetadataError> {
    match (key, alg) {
        (PublicKey::Rsa(_), RS256) => key.verify(RS256, signed, sig).map_err(|_| MetadataError::BadSignature),
        (PublicKey::P256(_), ES256) => {
            // JWS ES256 signatures are r ‖ s (RFC 7518 §3.4), not the DER
            // that WebAuthn (and PublicKey::verify) uses.
            let sig = p256::ecdsa::Signature::from_slice(sig).map_err(|_| MetadataError::BadSignature)?;
            key.verify(ES256, signed, sig.to_der().as_bytes()).map_err(|_| MetadataError::BadSignature)
        }
        (_, RS256) => Err(MetadataError::AlgorithmKeyMismatch("RS256")),
        _ => Err(MetadataError::AlgorithmKeyMismatch("ES256")),
    }
}
