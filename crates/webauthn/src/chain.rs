//! X.509 certificate paths of attestation statements (RFC 5280 §6, the parts
//! attestation needs): [`verify_chain`] checks an x5c up to a trust anchor;
//! [`verify_path_signatures`] checks only that an x5c is one consistent chain
//! (each certificate signed by the next), which every format does even when
//! the caller has no anchors. Plus the certificate helpers the formats share.
//!
//! Why own path checks over `x509-cert` and the RustCrypto verifiers rather
//! than `rustls-webpki` (already in Cargo.lock): webpki validates TLS server
//! and client certificates. It insists on an extended key usage, reads the
//! subject alternative names as DNS or IP identities, and refuses what
//! attestation chains really hold: TPM AIK certificates have an empty subject
//! and a critical SAN of TPM directory names, Android and U2F leaves carry
//! no EKU, old TPM vendor CAs sign with SHA-1. Its errors would also have to
//! be mapped back onto reasons of our own. The checks attestation needs are
//! few (names, signatures, validity, basic constraints, path length, key
//! usage), stay pure Rust without `ring`'s C and assembly, and reuse the
//! crate's DER and signature code. Not implemented on purpose (attestation
//! CAs do not use them): name constraints, policies, revocation lists, and
//! the refusal of unknown critical extensions (TPM AIK certificates carry a
//! critical SAN of TPM attributes; the formats check the extensions they need).
//! Anchors are trusted as given (RFC 5280 §6.1.1 d): neither their validity
//! nor their CA flag is checked, only their path length constraint.
//!
//! Signatures: ECDSA on P-256 and P-384 with SHA-256/384/512, RSA PKCS#1
//! v1.5 (at least 2048 bits) with SHA-256/384/512, Ed25519; RSA with SHA-1
//! only when the caller says so ([`ChainOptions::allow_sha1`]): TPM vendor
//! CAs that Windows Hello AIK certificates chain to still sign with it, and
//! no other attestation chain needs it.

mod signature;
#[cfg(test)]
mod tests;

use crate::cose::PublicKey;
use crate::VerifyError;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::der::{Decode, Header, Reader, SliceReader};
use x509_cert::ext::pkix::{BasicConstraints, KeyUsage};
use x509_cert::Certificate;

/// The longest x5c passbind reads: attestation chains have 1 to 4 certificates.
pub const MAX_PATH_LEN: usize = 8;

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// Why a certificate path is refused. `index` is the certificate's position
/// in the path (the leaf is 0); a trust anchor given apart from the path
/// counts as the position after the path's last certificate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// The path has no certificate.
    #[error("the certificate path is empty")]
    EmptyPath,
    /// The path has more than [`MAX_PATH_LEN`] certificates.
    #[error("the certificate path has more than {MAX_PATH_LEN} certificates")]
    PathTooLong,
    /// A certificate (or anchor) is not DER X.509, or its two signature algorithm fields differ.
    #[error("certificate {index} is malformed: {reason}")]
    Malformed { index: usize, reason: &'static str },
    /// A certificate's notAfter is before the verification time.
    #[error("certificate {index} has expired")]
    Expired { index: usize },
    /// A certificate's notBefore is after the verification time.
    #[error("certificate {index} is not valid yet")]
    NotYetValid { index: usize },
    /// A certificate's issuer name is not the subject name of the next one.
    #[error("certificate {index} was not issued by the next certificate (issuer name differs)")]
    IssuerMismatch { index: usize },
    /// A certificate's signature does not verify with its issuer's key.
    #[error("certificate {index}'s signature does not verify")]
    BadSignature { index: usize },
    /// A signature algorithm or issuer key type the crate does not check.
    #[error("certificate {index} uses a signature algorithm or issuer key that is not supported")]
    UnsupportedAlgorithm { index: usize },
    /// An issuing certificate is not a v3 CA certificate (basicConstraints cA).
    #[error("certificate {index} issues certificates but is not a CA")]
    NotCa { index: usize },
    /// An issuing certificate's key usage does not include keyCertSign.
    #[error("certificate {index} issues certificates but its key usage lacks keyCertSign")]
    NoKeyCertSign { index: usize },
    /// More intermediate certificates below a CA than its pathLenConstraint allows.
    #[error("certificate {index}'s path length constraint is exceeded")]
    PathLenExceeded { index: usize },
    /// The path does not lead to any of the trust anchors.
    #[error("the certificate path does not lead to a trusted root")]
    UntrustedRoot,
}

impl ChainError {
    /// The reason's stable snake_case name.
    pub fn code(&self) -> &'static str {
        match self {
            ChainError::EmptyPath => "empty_path",
            ChainError::PathTooLong => "path_too_long",
            ChainError::Malformed { .. } => "malformed",
            ChainError::Expired { .. } => "expired",
            ChainError::NotYetValid { .. } => "not_yet_valid",
            ChainError::IssuerMismatch { .. } => "issuer_mismatch",
            ChainError::BadSignature { .. } => "bad_signature",
            ChainError::UnsupportedAlgorithm { .. } => "unsupported_algorithm",
            ChainError::NotCa { .. } => "not_ca",
            ChainError::NoKeyCertSign { .. } => "no_key_cert_sign",
            ChainError::PathLenExceeded { .. } => "path_len_exceeded",
            ChainError::UntrustedRoot => "untrusted_root",
        }
    }

    /// The code as part of [`VerifyError`]'s codes: `chain_` + [`ChainError::code`].
    pub fn prefixed_code(&self) -> &'static str {
        match self {
            ChainError::EmptyPath => "chain_empty_path",
            ChainError::PathTooLong => "chain_path_too_long",
            ChainError::Malformed { .. } => "chain_malformed",
            ChainError::Expired { .. } => "chain_expired",
            ChainError::NotYetValid { .. } => "chain_not_yet_valid",
            ChainError::IssuerMismatch { .. } => "chain_issuer_mismatch",
            ChainError::BadSignature { .. } => "chain_bad_signature",
            ChainError::UnsupportedAlgorithm { .. } => "chain_unsupported_algorithm",
            ChainError::NotCa { .. } => "chain_not_ca",
            ChainError::NoKeyCertSign { .. } => "chain_no_key_cert_sign",
            ChainError::PathLenExceeded { .. } => "chain_path_len_exceeded",
            ChainError::UntrustedRoot => "chain_untrusted_root",
        }
    }
}

/// What a path may use beyond the defaults ([`verify_chain_with`],
/// [`verify_path_signatures_with`]). The default is the strict one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChainOptions {
    /// Accept RSA PKCS#1 v1.5 with SHA-1 certificate signatures: only TPM
    /// AIK chains need it (their vendor CAs sign with SHA-1; a forgery would
    /// need a SHA-1 collision on bytes that CA chose to sign).
    pub allow_sha1: bool,
}

impl ChainOptions {
    /// For a `tpm` statement's AIK chain: SHA-1 allowed.
    pub const TPM: ChainOptions = ChainOptions { allow_sha1: true };
}

/// A parsed certificate and the exact bytes its signature covers.
struct Parsed<'a> {
    cert: Certificate,
    tbs: &'a [u8],
}

fn parse(der: &[u8], index: usize) -> Result<Parsed<'_>, ChainError> {
    let malformed = |reason| ChainError::Malformed { index, reason };
    let cert = Certificate::from_der(der).map_err(|_| malformed("not DER X.509"))?;
    // The signed bytes as received: re-encoding the parsed TBSCertificate
    // could differ from them in corner cases.
    let mut reader = SliceReader::new(der).map_err(|_| malformed("not DER X.509"))?;
    Header::decode(&mut reader).map_err(|_| malformed("not DER X.509"))?;
    let tbs = reader.tlv_bytes().map_err(|_| malformed("not DER X.509"))?;
    if cert.signature_algorithm() != cert.tbs_certificate().signature() {
        return Err(malformed("the two signature algorithm fields differ"));
    }
    Ok(Parsed { cert, tbs })
}

fn parse_path(path: &[Vec<u8>]) -> Result<Vec<Parsed<'_>>, ChainError> {
    if path.is_empty() {
        return Err(ChainError::EmptyPath);
    }
    if path.len() > MAX_PATH_LEN {
        return Err(ChainError::PathTooLong);
    }
    path.iter().enumerate().map(|(i, der)| parse(der, i)).collect()
}

fn check_validity(p: &Parsed<'_>, index: usize, at: u64) -> Result<(), ChainError> {
    let validity = p.cert.tbs_certificate().validity();
    if at < validity.not_before.to_unix_duration().as_secs() {
        return Err(ChainError::NotYetValid { index });
    }
    if at > validity.not_after.to_unix_duration().as_secs() {
        return Err(ChainError::Expired { index });
    }
    Ok(())
}

/// `child` (at `index`) names `issuer` as its issuer and carries its signature.
fn check_issued_by(child: &Parsed<'_>, issuer: &Certificate, index: usize, opts: ChainOptions) -> Result<(), ChainError> {
    if child.cert.tbs_certificate().issuer() != issuer.tbs_certificate().subject() {
        return Err(ChainError::IssuerMismatch { index });
    }
    signature::verify(child, issuer.tbs_certificate().subject_public_key_info(), index, opts)
}

/// The integrity rule every format with an x5c applies: each certificate is
/// signed by the next one (the last one's issuer is not checked), and, when
/// `at_unix_seconds` is given, each is valid at that time.
pub fn verify_path_signatures(path: &[Vec<u8>], at_unix_seconds: Option<u64>) -> Result<(), ChainError> {
    verify_path_signatures_with(path, at_unix_seconds, ChainOptions::default())
}

/// [`verify_path_signatures`] with [`ChainOptions`].
pub fn verify_path_signatures_with(path: &[Vec<u8>], at_unix_seconds: Option<u64>, opts: ChainOptions) -> Result<(), ChainError> {
    let parsed = parse_path(path)?;
    if let Some(at) = at_unix_seconds {
        for (i, p) in parsed.iter().enumerate() {
            check_validity(p, i, at)?;
        }
    }
    for (i, pair) in parsed.windows(2).enumerate() {
        check_issued_by(&pair[0], &pair[1].cert, i, opts)?;
    }
    Ok(())
}

/// Verifies `path` (x5c DER, leaf first; it may end with the anchor itself
/// or stop below it) up to one of `anchors` (trusted certificate DERs) at
/// `at_unix_seconds`: names and signatures, validity periods, and for every
/// issuing certificate of the path: v3 CA, keyCertSign when key usage is
/// present, path length constraints (the anchor's included). A path whose
/// leaf is itself an anchor is trusted (metadata sometimes lists the batch
/// attestation certificate as its root).
pub fn verify_chain(path: &[Vec<u8>], anchors: &[Vec<u8>], at_unix_seconds: u64) -> Result<(), ChainError> {
    verify_chain_with(path, anchors, at_unix_seconds, ChainOptions::default())
}

/// [`verify_chain`] with [`ChainOptions`] (SHA-1 for TPM AIK chains).
pub fn verify_chain_with(path: &[Vec<u8>], anchors: &[Vec<u8>], at_unix_seconds: u64, opts: ChainOptions) -> Result<(), ChainError> {
    let parsed = parse_path(path)?;
    // The path ends at the first certificate that is an anchor, if any.
    let end = path.iter().position(|der| anchors.contains(der));
    let path_certs = &parsed[..end.unwrap_or(parsed.len())];
    for (i, p) in path_certs.iter().enumerate() {
        check_validity(p, i, at_unix_seconds)?;
    }
    for (i, pair) in path_certs.windows(2).enumerate() {
        check_issued_by(&pair[0], &pair[1].cert, i, opts)?;
    }
    for (i, p) in path_certs.iter().enumerate().skip(1) {
        check_ca(&p.cert, i)?;
    }
    let top = path_certs.len();
    match end {
        Some(0) => Ok(()),
        Some(k) => {
            check_issued_by(&parsed[k - 1], &parsed[k].cert, k - 1, opts)?;
            check_path_len(&parsed[k].cert, k)
        }
        None => {
            let anchor = find_anchor(&parsed[top - 1], top - 1, anchors, opts)?;
            check_path_len(&anchor, top)
        }
    }
}

/// The anchor that issued the path's top certificate (at `index`). Of the
/// anchors that name it, the last one's refusal is answered (a bad
/// signature, or an algorithm these options refuse).
fn find_anchor(top: &Parsed<'_>, index: usize, anchors: &[Vec<u8>], opts: ChainOptions) -> Result<Certificate, ChainError> {
    let mut refusal = ChainError::UntrustedRoot;
    for der in anchors {
        // A malformed anchor is the caller's error, but it cannot make the path trusted.
        let Ok(anchor) = Certificate::from_der(der) else {
            continue;
        };
        if top.cert.tbs_certificate().issuer() != anchor.tbs_certificate().subject() {
            continue;
        }
        match signature::verify(top, anchor.tbs_certificate().subject_public_key_info(), index, opts) {
            Ok(()) => return Ok(anchor),
            Err(e) => refusal = e,
        }
    }
    Err(refusal)
}

/// An issuing certificate of the path (at `index`): a v3 CA allowed to sign
/// certificates, with room for the intermediates below it.
fn check_ca(cert: &Certificate, index: usize) -> Result<(), ChainError> {
    let tbs = cert.tbs_certificate();
    let malformed = |reason| ChainError::Malformed { index, reason };
    if tbs.version() != x509_cert::certificate::Version::V3 {
        return Err(ChainError::NotCa { index });
    }
    match tbs.get_extension::<BasicConstraints>() {
        Ok(Some((_, bc))) if bc.ca => {}
        Ok(_) => return Err(ChainError::NotCa { index }),
        Err(_) => return Err(malformed("basic constraints are malformed")),
    }
    match tbs.get_extension::<KeyUsage>() {
        Ok(Some((_, ku))) if !ku.key_cert_sign() => return Err(ChainError::NoKeyCertSign { index }),
        Ok(_) => {}
        Err(_) => return Err(malformed("key usage is malformed")),
    }
    check_path_len(cert, index)
}

/// A CA at `index` has `index - 1` intermediates below it (the leaf is not counted).
fn check_path_len(cert: &Certificate, index: usize) -> Result<(), ChainError> {
    if let Ok(Some((_, bc))) = cert.tbs_certificate().get_extension::<BasicConstraints>() {
        if let Some(max) = bc.path_len_constraint {
            if index.saturating_sub(1) > usize::from(max) {
                return Err(ChainError::PathLenExceeded { index });
            }
        }
    }
    Ok(())
}

/// Reads an attestation certificate (DER X.509).
pub fn parse_certificate(der: &[u8]) -> Result<Certificate, VerifyError> {
    Certificate::from_der(der).map_err(|_| VerifyError::MalformedCertificate("the attestation certificate is not DER X.509"))
}

/// An attestation certificate's public key, as a key able to check
/// attestation signatures (P-256, RSA of at least 2048 bits, Ed25519).
pub fn certificate_public_key(der: &[u8]) -> Result<PublicKey, VerifyError> {
    spki_public_key(&parse_certificate(der)?)
}

/// [`certificate_public_key`] of a parsed certificate.
pub fn spki_public_key(cert: &Certificate) -> Result<PublicKey, VerifyError> {
    let spki = cert.tbs_certificate().subject_public_key_info();
    let key_bytes = spki.subject_public_key.raw_bytes();
    let oid = spki.algorithm.oid;
    if oid == ID_EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if curve != Some(SECP256R1) {
            return Err(VerifyError::UnsupportedCertificateKey("the attestation certificate's EC key is not P-256"));
        }
        PublicKey::p256_from_sec1(key_bytes)
    } else if oid == RSA_ENCRYPTION {
        PublicKey::rsa_from_pkcs1_der(key_bytes)
    } else if oid == ID_ED25519 {
        PublicKey::ed25519_from_bytes(key_bytes)
    } else {
        Err(VerifyError::UnsupportedCertificateKey("the attestation certificate's key type is not supported"))
    }
}

/// An extension of `cert` by OID: whether it is critical, and its extnValue
/// (the contents of the OCTET STRING, itself DER of the extension's type).
/// Two extensions with the same OID are malformed (RFC 5280 §4.2).
pub fn extension<'a>(cert: &'a Certificate, oid: &ObjectIdentifier) -> Result<Option<(bool, &'a [u8])>, VerifyError> {
    let mut found = cert.tbs_certificate().extensions().into_iter().flatten().filter(|e| e.extn_id == *oid);
    let first = found.next();
    if found.next().is_some() {
        return Err(VerifyError::MalformedCertificate("the attestation certificate repeats an extension"));
    }
    Ok(first.map(|e| (e.critical, e.extn_value.as_bytes())))
}

/// Whether two public keys are the same key (a certificate's and the
/// credential's, for the formats that certify the credential key itself).
pub fn same_public_key(a: &PublicKey, b: &PublicKey) -> bool {
    match (a, b) {
        (PublicKey::P256(a), PublicKey::P256(b)) => a == b,
        (PublicKey::Ed25519(a), PublicKey::Ed25519(b)) => a == b,
        (PublicKey::Rsa(a), PublicKey::Rsa(b)) => a == b,
        _ => false,
    }
}
