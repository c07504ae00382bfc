//! The attestation object and its statement. passbind asks for `none`
//! attestation, so most browsers send `none`; some authenticators still send
//! `packed` (self attestation, or x5c). Other formats are refused.

use super::authenticator_data::AuthenticatorData;
use super::cose::{CoseKey, PublicKey};
use super::{rejected, VerifyError};
use ciborium::Value;
use x509_cert::der::{asn1::ObjectIdentifier, Decode};

pub struct AttestationObject {
    pub fmt: String,
    pub att_stmt: Vec<(Value, Value)>,
    pub auth_data: Vec<u8>,
}

fn text_key<'a>(map: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    map.iter().find(|(k, _)| matches!(k, Value::Text(t) if t == key)).map(|(_, v)| v)
}

impl AttestationObject {
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        let mut rest = bytes;
        let value: Value = ciborium::from_reader(&mut rest).map_err(|_| rejected("the attestation object is not CBOR"))?;
        if !rest.is_empty() {
            return Err(rejected("trailing bytes after the attestation object"));
        }
        let Value::Map(map) = value else {
            return Err(rejected("the attestation object is not a map"));
        };
        let fmt = match text_key(&map, "fmt") {
            Some(Value::Text(t)) => t.clone(),
            _ => return Err(rejected("the attestation object has no fmt")),
        };
        let att_stmt = match text_key(&map, "attStmt") {
            Some(Value::Map(m)) => m.clone(),
            _ => return Err(rejected("the attestation object has no attStmt map")),
        };
        let auth_data = match text_key(&map, "authData") {
            Some(Value::Bytes(b)) => b.clone(),
            _ => return Err(rejected("the attestation object has no authData")),
        };
        Ok(AttestationObject { fmt, att_stmt, auth_data })
    }
}

/// §7.1 steps 19-21 for the formats passbind accepts.
pub fn verify_statement(
    att: &AttestationObject,
    auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
) -> Result<(), VerifyError> {
    match att.fmt.as_str() {
        "none" => {
            if !att.att_stmt.is_empty() {
                return Err(rejected("a none attestation must have an empty attStmt"));
            }
            Ok(())
        }
        "packed" => verify_packed(att, auth, key, client_data_hash),
        other => Err(rejected(format!("attestation format {other:?} is not supported"))),
    }
}

const ID_FIDO_GEN_CE_AAGUID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");
const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// WebAuthn §8.2 (packed). The certificate chain is not checked against
/// trust anchors: passbind keeps no attestation roots (it asks for `none`),
/// so x5c is verified for consistency only, like self attestation.
fn verify_packed(att: &AttestationObject, auth: &AuthenticatorData, key: &CoseKey, client_data_hash: &[u8; 32]) -> Result<(), VerifyError> {
    let alg = match text_key(&att.att_stmt, "alg") {
        Some(Value::Integer(i)) => i64::try_from(i128::from(*i)).map_err(|_| rejected("packed alg is out of range"))?,
        _ => return Err(rejected("packed attStmt has no alg")),
    };
    let sig = match text_key(&att.att_stmt, "sig") {
        Some(Value::Bytes(b)) => b.as_slice(),
        _ => return Err(rejected("packed attStmt has no sig")),
    };
    let mut signed = Vec::with_capacity(att.auth_data.len() + 32);
    signed.extend_from_slice(&att.auth_data);
    signed.extend_from_slice(client_data_hash);

    match text_key(&att.att_stmt, "x5c") {
        None => {
            // Self attestation: the credential key signs for itself.
            if alg != key.alg {
                return Err(rejected("packed self attestation: alg differs from the credential's"));
            }
            key.key.verify(alg, &signed, sig)
        }
        Some(Value::Array(certs)) => {
            let leaf = match certs.first() {
                Some(Value::Bytes(der)) => der.as_slice(),
                _ => return Err(rejected("packed x5c is empty or not bytes")),
            };
            let leaf_key = check_leaf_certificate(leaf, auth)?;
            leaf_key.verify(alg, &signed, sig)
        }
        Some(_) => Err(rejected("packed x5c is not an array")),
    }
}

/// §8.2.1: a v3 certificate, not a CA, whose AAGUID extension (if any)
/// matches the authenticator data. Returns its public key.
fn check_leaf_certificate(der: &[u8], auth: &AuthenticatorData) -> Result<PublicKey, VerifyError> {
    let cert = x509_cert::Certificate::from_der(der).map_err(|_| rejected("the attestation certificate is not DER X.509"))?;
    let tbs = cert.tbs_certificate();
    if tbs.version() != x509_cert::certificate::Version::V3 {
        return Err(rejected("the attestation certificate is not version 3"));
    }
    match tbs.get_extension::<x509_cert::ext::pkix::BasicConstraints>() {
        Ok(Some((_, bc))) if bc.ca => return Err(rejected("the attestation certificate is a CA")),
        Err(_) => return Err(rejected("the attestation certificate's basic constraints are malformed")),
        _ => {}
    }
    for ext in tbs.extensions().into_iter().flatten() {
        if ext.extn_id == ID_FIDO_GEN_CE_AAGUID {
            if ext.critical {
                return Err(rejected("the AAGUID extension must not be critical"));
            }
            // extnValue wraps an OCTET STRING of 16 bytes.
            let value = ext.extn_value.as_bytes();
            let aaguid = match value {
                [0x04, 0x10, rest @ ..] if rest.len() == 16 => rest,
                _ => return Err(rejected("the AAGUID extension is malformed")),
            };
            let attested = auth.attested.as_ref().map(|a| a.aaguid);
            if attested.as_ref().map(|a| a.as_slice()) != Some(aaguid) {
                return Err(rejected("the certificate's AAGUID differs from the authenticator data's"));
            }
        }
    }
    let spki = tbs.subject_public_key_info();
    let key_bytes = spki.subject_public_key.raw_bytes();
    let oid = spki.algorithm.oid;
    if oid == ID_EC_PUBLIC_KEY {
        let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
        if curve != Some(SECP256R1) {
            return Err(rejected("the attestation certificate's EC key is not P-256"));
        }
        PublicKey::p256_from_sec1(key_bytes)
    } else if oid == RSA_ENCRYPTION {
        PublicKey::rsa_from_pkcs1_der(key_bytes)
    } else if oid == ID_ED25519 {
        PublicKey::ed25519_from_bytes(key_bytes)
    } else {
        Err(rejected("the attestation certificate's key type is not supported"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_cbor_is_rejected_without_allocating_or_panicking() {
        let cases: &[&[u8]] = &[
            &[],
            &[0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // bytes of length 2^64-1
            &[0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // text of length 2^63-1
            &[0x9b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // array of 2^63-1 items
            &[0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], // map of 2^63-1 pairs
            &[0x5f, 0x41, 0x00],                                     // unterminated indefinite bytes
            &[0xa1, 0x63, b'f', b'm', b't'],                         // truncated map
        ];
        for case in cases {
            assert!(AttestationObject::parse(case).is_err(), "{case:02x?}");
        }
        let deep = vec![0x81u8; 100_000]; // nested arrays
        assert!(AttestationObject::parse(&deep).is_err());
    }
}
