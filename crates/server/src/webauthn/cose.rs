//! COSE_Key (RFC 9052/9053) for the three algorithms passbind offers, and
//! signature checks with them.

use super::{rejected, VerifyError};
use ciborium::Value;

pub const ES256: i64 = -7;
pub const EDDSA: i64 = -8;
pub const RS256: i64 = -257;

/// A public key able to check WebAuthn signatures.
pub enum PublicKey {
    P256(p256::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
    Rsa(rsa::RsaPublicKey),
}

impl PublicKey {
    /// Checks `sig` over `msg` with algorithm `alg`, which must suit the key.
    /// ES256 signatures are DER (WebAuthn §6.5.6), RS256 is PKCS#1 v1.5.
    pub fn verify(&self, alg: i64, msg: &[u8], sig: &[u8]) -> Result<(), VerifyError> {
        let bad = || rejected("the attestation signature does not verify");
        match (self, alg) {
            (PublicKey::P256(key), ES256) => {
                use p256::ecdsa::signature::Verifier;
                let sig = p256::ecdsa::Signature::from_der(sig).map_err(|_| bad())?;
                key.verify(msg, &sig).map_err(|_| bad())
            }
            (PublicKey::Ed25519(key), EDDSA) => {
                let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| bad())?;
                key.verify_strict(msg, &sig).map_err(|_| bad())
            }
            (PublicKey::Rsa(key), RS256) => {
                use rsa::signature::Verifier;
                let key = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key.clone());
                let sig = rsa::pkcs1v15::Signature::try_from(sig).map_err(|_| bad())?;
                key.verify(msg, &sig).map_err(|_| bad())
            }
            _ => Err(rejected(format!("algorithm {alg} does not suit the key"))),
        }
    }

    pub fn p256_from_sec1(bytes: &[u8]) -> Result<Self, VerifyError> {
        p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map(PublicKey::P256).map_err(|_| rejected("not a P-256 point"))
    }

    pub fn ed25519_from_bytes(bytes: &[u8]) -> Result<Self, VerifyError> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| rejected("an Ed25519 key is 32 bytes"))?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes).map(PublicKey::Ed25519).map_err(|_| rejected("not an Ed25519 point"))
    }

    pub fn rsa_from_pkcs1_der(der: &[u8]) -> Result<Self, VerifyError> {
        use rsa::pkcs1::DecodeRsaPublicKey;
        let key = rsa::RsaPublicKey::from_pkcs1_der(der).map_err(|_| rejected("not an RSA public key"))?;
        Self::checked_rsa(key)
    }

    fn checked_rsa(key: rsa::RsaPublicKey) -> Result<Self, VerifyError> {
        use rsa::traits::PublicKeyParts;
        if key.size() * 8 < 2048 {
            return Err(rejected("RSA keys must have at least 2048 bits"));
        }
        Ok(PublicKey::Rsa(key))
    }
}

/// A parsed credential public key.
pub struct CoseKey {
    pub alg: i64,
    pub key: PublicKey,
}

fn int_of(v: &Value) -> Option<i128> {
    match v {
        Value::Integer(i) => Some(i128::from(*i)),
        _ => None,
    }
}

impl CoseKey {
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        let value: Value = ciborium::from_reader(bytes).map_err(|_| rejected("the credential public key is not CBOR"))?;
        let Value::Map(entries) = value else {
            return Err(rejected("the credential public key is not a COSE_Key map"));
        };
        let get = |label: i128| entries.iter().find(|(k, _)| int_of(k) == Some(label)).map(|(_, v)| v);
        let bytes_of = |label: i128| match get(label) {
            Some(Value::Bytes(b)) => Ok(b.as_slice()),
            _ => Err(rejected(format!("COSE_Key parameter {label} is missing or not bytes"))),
        };
        let kty = get(1).and_then(int_of).ok_or_else(|| rejected("COSE_Key has no kty"))?;
        // WebAuthn requires alg in credential public keys.
        let alg = get(3).and_then(int_of).ok_or_else(|| rejected("COSE_Key has no alg"))?;
        let crv = get(-1).and_then(int_of);
        let alg = i64::try_from(alg).map_err(|_| rejected("COSE_Key alg is out of range"))?;
        let key = match (kty, alg) {
            // EC2, ES256 on P-256 (crv 1).
            (2, ES256) => {
                if crv != Some(1) {
                    return Err(rejected("ES256 keys must be on P-256"));
                }
                let (x, y) = (bytes_of(-2)?, bytes_of(-3)?);
                if x.len() != 32 || y.len() != 32 {
                    return Err(rejected("P-256 coordinates are 32 bytes"));
                }
                let mut sec1 = Vec::with_capacity(65);
                sec1.push(0x04);
                sec1.extend_from_slice(x);
                sec1.extend_from_slice(y);
                PublicKey::p256_from_sec1(&sec1)?
            }
            // OKP, EdDSA on Ed25519 (crv 6).
            (1, EDDSA) => {
                if crv != Some(6) {
                    return Err(rejected("EdDSA keys must be Ed25519"));
                }
                PublicKey::ed25519_from_bytes(bytes_of(-2)?)?
            }
            // RSA, RS256.
            (3, RS256) => {
                let der = pkcs1_der(bytes_of(-1)?, bytes_of(-2)?);
                PublicKey::rsa_from_pkcs1_der(&der)?
            }
            _ => return Err(rejected(format!("unsupported key type {kty} with algorithm {alg}"))),
        };
        Ok(CoseKey { alg, key })
    }
}

/// DER of PKCS#1 `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }`.
fn pkcs1_der(n: &[u8], e: &[u8]) -> Vec<u8> {
    fn der_len(out: &mut Vec<u8>, len: usize) {
        if len < 0x80 {
            out.push(len as u8);
        } else {
            let bytes = len.to_be_bytes();
            let skip = bytes.iter().take_while(|b| **b == 0).count();
            out.push(0x80 | (bytes.len() - skip) as u8);
            out.extend_from_slice(&bytes[skip..]);
        }
    }
    fn der_uint(out: &mut Vec<u8>, v: &[u8]) {
        let v = &v[v.iter().take_while(|b| **b == 0).count()..];
        let pad = v.first().is_none_or(|b| b & 0x80 != 0);
        out.push(0x02);
        der_len(out, v.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(v);
    }
    let mut body = Vec::with_capacity(n.len() + e.len() + 16);
    der_uint(&mut body, n);
    der_uint(&mut body, e);
    let mut out = Vec::with_capacity(body.len() + 8);
    out.push(0x30);
    der_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cbor(v: &Value) -> Vec<u8> {
        let mut out = Vec::new();
        ciborium::into_writer(v, &mut out).unwrap();
        out
    }

    fn int(i: i64) -> Value {
        Value::Integer(i.into())
    }

    #[test]
    fn garbage_and_wrong_shapes_are_rejected() {
        assert!(CoseKey::parse(&[]).is_err());
        assert!(CoseKey::parse(&[0xff, 0x00]).is_err());
        assert!(CoseKey::parse(&cbor(&Value::Array(vec![]))).is_err());
        // EC2 with a point not on the curve.
        let key = Value::Map(vec![
            (int(1), int(2)),
            (int(3), int(ES256)),
            (int(-1), int(1)),
            (int(-2), Value::Bytes(vec![1; 32])),
            (int(-3), Value::Bytes(vec![2; 32])),
        ]);
        assert!(CoseKey::parse(&cbor(&key)).is_err());
        // ES256 alg on an OKP key.
        let key = Value::Map(vec![(int(1), int(1)), (int(3), int(ES256)), (int(-1), int(6)), (int(-2), Value::Bytes(vec![0; 32]))]);
        assert!(CoseKey::parse(&cbor(&key)).is_err());
    }

    #[test]
    fn small_rsa_keys_are_refused() {
        let key = Value::Map(vec![
            (int(1), int(3)),
            (int(3), int(RS256)),
            (int(-1), Value::Bytes(vec![0xc5; 128])),
            (int(-2), Value::Bytes(vec![1, 0, 1])),
        ]);
        assert!(CoseKey::parse(&cbor(&key)).is_err());
    }

    #[test]
    fn pkcs1_der_encodes_lengths_and_sign_padding() {
        let der = pkcs1_der(&[0x80, 1], &[1, 0, 1]);
        assert_eq!(der, vec![0x30, 0x0a, 0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x03, 0x01, 0x00, 0x01]);
    }
}

/// The public key of a stored COSE_Key as a JWK (RFC 7517) JSON string and
/// its JWK thumbprint (RFC 7638: base64url SHA-256 of the required members,
/// in lexicographic order, without whitespace). None for keys it cannot read.
pub fn jwk_of_cose(bytes: &[u8]) -> Option<(String, String)> {
    use passbind_protocol::base64url::encode as b64;
    use sha2::{Digest, Sha256};
    let Value::Map(entries) = ciborium::from_reader::<Value, _>(bytes).ok()? else { return None };
    let get = |label: i128| entries.iter().find(|(k, _)| int_of(k) == Some(label)).map(|(_, v)| v);
    let bytes_of = |label: i128| match get(label) {
        Some(Value::Bytes(b)) => Some(b.as_slice()),
        _ => None,
    };
    let kty = get(1).and_then(int_of)?;
    let alg = get(3).and_then(int_of);
    let crv = get(-1).and_then(int_of);
    // (required members in RFC 7638 order, as (name, value)), alg name.
    let (members, alg_name): (Vec<(&str, String)>, &str) = match (kty, crv) {
        (2, Some(1)) => {
            (vec![("crv", "P-256".into()), ("kty", "EC".into()), ("x", b64(bytes_of(-2)?)), ("y", b64(bytes_of(-3)?))], "ES256")
        }
        (1, Some(6)) => (vec![("crv", "Ed25519".into()), ("kty", "OKP".into()), ("x", b64(bytes_of(-2)?))], "EdDSA"),
        (3, _) => {
            let strip = |b: &[u8]| b64(&b[b.iter().take_while(|x| **x == 0).count()..]);
            (vec![("e", strip(bytes_of(-2)?)), ("kty", "RSA".into()), ("n", strip(bytes_of(-1)?))], "RS256")
        }
        _ => return None,
    };
    // Written by hand (the values are base64url and fixed names: nothing to
    // escape) so the member order is RFC 7638's whatever serde_json's map does.
    let canonical = |extra: Option<&str>| {
        let mut parts: Vec<String> = members.iter().map(|(k, v)| format!("\"{k}\":\"{v}\"")).collect();
        if let Some(a) = extra {
            parts.insert(0, format!("\"alg\":\"{a}\""));
        }
        format!("{{{}}}", parts.join(","))
    };
    let expected_alg = match alg_name {
        "ES256" => ES256,
        "EdDSA" => EDDSA,
        _ => RS256,
    };
    let alg_member = (alg == Some(i128::from(expected_alg))).then_some(alg_name);
    let thumbprint = b64(&Sha256::digest(canonical(None).as_bytes()));
    Some((canonical(alg_member), thumbprint))
}

#[cfg(test)]
mod jwk_tests {
    use super::*;

    #[test]
    fn rfc7638_example_thumbprint() {
        // RFC 7638 §3.1: the RSA key whose thumbprint is NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs.
        let n = passbind_protocol::base64url::decode(
            "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        )
        .unwrap();
        let e = passbind_protocol::base64url::decode("AQAB").unwrap();
        let key = Value::Map(vec![
            (Value::Integer(1.into()), Value::Integer(3.into())),
            (Value::Integer(3.into()), Value::Integer((-257).into())),
            (Value::Integer((-1).into()), Value::Bytes(n)),
            (Value::Integer((-2).into()), Value::Bytes(e)),
        ]);
        let mut cbor = Vec::new();
        ciborium::into_writer(&key, &mut cbor).unwrap();
        let (jwk, thumbprint) = jwk_of_cose(&cbor).unwrap();
        assert_eq!(thumbprint, "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
        assert!(jwk.starts_with("{\"alg\":\"RS256\",\"e\":\"AQAB\",\"kty\":\"RSA\",\"n\":\"0vx7"), "{jwk}");
        assert_eq!(jwk_of_cose(b"\x01"), None);
    }
}
