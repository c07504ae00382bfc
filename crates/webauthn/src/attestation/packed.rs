//! The `packed` attestation statement format (WebAuthn §8.2): self
//! attestation, or an attestation certificate (x5c).

use super::{text_key, AttestationObject, AttestationType, Attested};
use crate::authenticator_data::AuthenticatorData;
use crate::cose::{CoseKey, PublicKey};
use crate::VerifyError;
use ciborium::Value;
use x509_cert::der::{asn1::ObjectIdentifier, Decode};

const ID_FIDO_GEN_CE_AAGUID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// WebAuthn §8.2 (packed). The certificate chain is not checked against
/// trust anchors: passbind keeps no attestation roots (it asks for `none`),
/// so x5c is verified for consistency only, like self attestation.
pub(super) fn verify(
    att: &AttestationObject,
    auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
) -> Result<Attested, VerifyError> {
    let alg = match text_key(&att.att_stmt, "alg") {
        Some(Value::Integer(i)) => {
            i64::try_from(i128::from(*i)).map_err(|_| VerifyError::MalformedAttestationStatement("packed alg is out of range"))?
        }
        _ => return Err(VerifyError::MalformedAttestationStatement("packed attStmt has no alg")),
    };
    let sig = match text_key(&att.att_stmt, "sig") {
        Some(Value::Bytes(b)) => b.as_slice(),
        _ => return Err(VerifyError::MalformedAttestationStatement("packed attStmt has no sig")),
    };
    let mut signed = Vec::with_capacity(att.auth_data.len() + 32);
    signed.extend_from_slice(&att.auth_data);
    signed.extend_from_slice(client_data_hash);

    match text_key(&att.att_stmt, "x5c") {
        None => {
            // Self attestation: the credential key signs for itself.
            if alg != key.alg {
                return Err(VerifyError::SelfAttestationAlgorithmMismatch);
            }
            key.key.verify(alg, &signed, sig)?;
            Ok(Attested::without_trust_path(AttestationType::SelfAttestation))
        }
        Some(Value::Array(certs)) => {
            let leaf = match certs.first() {
                Some(Value::Bytes(der)) => der.as_slice(),
                _ => return Err(VerifyError::MalformedAttestationStatement("packed x5c is empty or not bytes")),
            };
            let leaf_key = check_leaf_certificate(leaf, auth)?;
            leaf_key.verify(alg, &signed, sig)?;
            let trust_path = certs
                .iter()
                .map(|c| match c {
                    Value::Bytes(der) => Ok(der.clone()),
                    _ => Err(VerifyError::MalformedAttestationStatement("packed x5c is empty or not bytes")),
                })
                .collect::<Result<_, _>>()?;
            Ok(Attested { att_type: AttestationType::Basic, trust_path })
        }
        Some(_) => Err(VerifyError::MalformedAttestationStatement("packed x5c is not an array")),
    }
}

/// §8.2.1: a v3 certificate, not a CA, whose AAGUID extension (if any)
/// matches the authenticator data. Returns its public key.
fn check_leaf_certificate(der: &[u8], auth: &AuthenticatorData) -> Result<PublicKey, VerifyError> {
    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|_| VerifyError::MalformedCertificate("the attestation certificate is not DER X.509"))?;
    let tbs = cert.tbs_certificate();
    if tbs.version() != x509_cert::certificate::Version::V3 {
        return Err(VerifyError::MalformedCertificate("the attestation certificate is not version 3"));
    }
    match tbs.get_extension::<x509_cert::ext::pkix::BasicConstraints>() {
        Ok(Some((_, bc))) if bc.ca => return Err(VerifyError::CertificateIsCa),
        Err(_) => return Err(VerifyError::MalformedCertificate("the attestation certificate's basic constraints are malformed")),
        _ => {}
    }
    for ext in tbs.extensions().into_iter().flatten() {
        if ext.extn_id == ID_FIDO_GEN_CE_AAGUID {
            if ext.critical {
                return Err(VerifyError::MalformedCertificate("the AAGUID extension must not be critical"));
            }
            // extnValue wraps an OCTET STRING of 16 bytes.
            let value = ext.extn_value.as_bytes();
            let aaguid = match value {
                [0x04, 0x10, rest @ ..] if rest.len() == 16 => rest,
                _ => return Err(VerifyError::MalformedCertificate("the AAGUID extension is malformed")),
            };
            let attested = auth.attested.as_ref().map(|a| a.aaguid);
            if attested.as_ref().map(|a| a.as_slice()) != Some(aaguid) {
                return Err(VerifyError::CertificateAaguidMismatch);
            }
        }
    }
    let spki = tbs.subject_public_key_info();
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
