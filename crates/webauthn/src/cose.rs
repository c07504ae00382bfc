//! Credential public keys: COSE_Key (RFC 9052/9053, RFC 8230 for RSA) for
//! the three algorithms passbind offers, and signature checks with them.
//! coset reads the COSE_Key's structure (labels, kty, alg; it refuses
//! duplicate labels, as RFC 9052 requires); p256, ed25519-dalek and rsa
//! read the key material.

use crate::VerifyError;
use ciborium::Value;
use coset::iana::EnumI64;
use coset::{CborSerializable, Label, RegisteredLabel, RegisteredLabelWithPrivate};
use passbind_protocol::wire::SUPPORTED_ALGORITHMS;

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
        let bad = || VerifyError::BadSignature;
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
            _ => Err(VerifyError::AlgorithmKeyMismatch(alg)),
        }
    }

    pub fn p256_from_sec1(bytes: &[u8]) -> Result<Self, VerifyError> {
        p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map(PublicKey::P256).map_err(|_| malformed("not a P-256 point"))
    }

    pub fn ed25519_from_bytes(bytes: &[u8]) -> Result<Self, VerifyError> {
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| malformed("an Ed25519 key is 32 bytes"))?;
        ed25519_dalek::VerifyingKey::from_bytes(&bytes).map(PublicKey::Ed25519).map_err(|_| malformed("not an Ed25519 point"))
    }

    /// An attestation certificate's RSA key (PKCS#1 `RSAPublicKey` DER).
    pub fn rsa_from_pkcs1_der(der: &[u8]) -> Result<Self, VerifyError> {
        use rsa::pkcs1::DecodeRsaPublicKey;
        let key = rsa::RsaPublicKey::from_pkcs1_der(der).map_err(|_| malformed("not an RSA public key"))?;
        Self::checked_rsa(key)
    }

    /// A COSE RSA key's modulus and exponent (RFC 8230: unsigned big-endian).
    pub fn rsa_from_components(n: &[u8], e: &[u8]) -> Result<Self, VerifyError> {
        // Leading zero bytes go, as they would from a DER INTEGER: a number's
        // width (which sizes the key's arithmetic) follows its value.
        fn unsigned(bytes: &[u8]) -> rsa::BoxedUint {
            let digits = bytes.iter().position(|b| *b != 0).map_or(&[0u8][..], |i| &bytes[i..]);
            rsa::BoxedUint::from_be_slice_vartime(digits)
        }
        let key = rsa::RsaPublicKey::new(unsigned(n), unsigned(e)).map_err(|_| malformed("not an RSA public key"))?;
        Self::checked_rsa(key)
    }

    fn checked_rsa(key: rsa::RsaPublicKey) -> Result<Self, VerifyError> {
        use rsa::traits::PublicKeyParts;
        if key.size() * 8 < 2048 {
            return Err(VerifyError::RsaKeyTooSmall);
        }
        Ok(PublicKey::Rsa(key))
    }
}

fn malformed(what: impl Into<String>) -> VerifyError {
    VerifyError::MalformedPublicKey(what.into())
}

/// A parsed credential public key.
pub struct CoseKey {
    pub alg: i64,
    pub key: PublicKey,
}

/// The value of a key-type-specific parameter (a negative label).
pub(crate) fn param(key: &coset::CoseKey, label: i64) -> Option<&Value> {
    key.params.iter().find(|(l, _)| *l == Label::Int(label)).map(|(_, v)| v)
}

impl CoseKey {
    /// Reads a credential public key. Its algorithm must be one passbind
    /// offered (`SUPPORTED_ALGORITHMS`), on the key type and curve it goes with.
    pub fn parse(bytes: &[u8]) -> Result<Self, VerifyError> {
        let cose = coset::CoseKey::from_slice(bytes).map_err(|e| malformed(format!("the credential public key is not a COSE_Key: {e}")))?;
        // WebAuthn requires alg in credential public keys.
        let alg = match &cose.alg {
            Some(RegisteredLabelWithPrivate::Assigned(alg)) => alg.to_i64(),
            Some(RegisteredLabelWithPrivate::PrivateUse(alg)) => *alg,
            Some(RegisteredLabelWithPrivate::Text(_)) => return Err(malformed("COSE_Key alg is not an integer")),
            None => return Err(malformed("COSE_Key has no alg")),
        };
        if !SUPPORTED_ALGORITHMS.iter().any(|a| i64::from(*a) == alg) {
            return Err(VerifyError::AlgorithmNotOffered(alg));
        }
        let kty = match &cose.kty {
            RegisteredLabel::Assigned(kty) => kty.to_i64(),
            RegisteredLabel::Text(_) => return Err(malformed("COSE_Key kty is not an integer")),
        };
        let crv = param(&cose, -1).and_then(Value::as_integer).map(i128::from);
        let bytes_of = |label: i64| match param(&cose, label) {
            Some(Value::Bytes(b)) => Ok(b.as_slice()),
            _ => Err(malformed(format!("COSE_Key parameter {label} is missing or not bytes"))),
        };
        let key = match (kty, alg) {
            // EC2, ES256 on P-256 (crv 1).
            (2, ES256) => {
                if crv != Some(1) {
                    return Err(malformed("ES256 keys must be on P-256"));
                }
                let (x, y) = (bytes_of(-2)?, bytes_of(-3)?);
                if x.len() != 32 || y.len() != 32 {
                    return Err(malformed("P-256 coordinates are 32 bytes"));
                }
                // Both coordinates are byte strings, so this is the uncompressed point.
                let sec1 = cose.to_sec1_octet_string().map_err(|_| malformed("not a P-256 point"))?;
                PublicKey::p256_from_sec1(&sec1)?
            }
            // OKP, EdDSA on Ed25519 (crv 6).
            (1, EDDSA) => {
                if crv != Some(6) {
                    return Err(malformed("EdDSA keys must be Ed25519"));
                }
                PublicKey::ed25519_from_bytes(bytes_of(-2)?)?
            }
            // RSA, RS256: n is -1, e is -2.
            (3, RS256) => PublicKey::rsa_from_components(bytes_of(-1)?, bytes_of(-2)?)?,
            _ => return Err(VerifyError::UnsupportedKeyType { kty, alg }),
        };
        Ok(CoseKey { alg, key })
    }
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

    fn rsa_key(n: Vec<u8>, e: Vec<u8>) -> Vec<u8> {
        cbor(&Value::Map(vec![(int(1), int(3)), (int(3), int(RS256)), (int(-1), Value::Bytes(n)), (int(-2), Value::Bytes(e))]))
    }

    fn reason(bytes: &[u8]) -> &'static str {
        CoseKey::parse(bytes).err().map_or("accepted", |e| e.code())
    }

    #[test]
    fn garbage_and_wrong_shapes_are_rejected() {
        assert_eq!(reason(&[]), "malformed_public_key");
        assert_eq!(reason(&[0xff, 0x00]), "malformed_public_key");
        assert_eq!(reason(&cbor(&Value::Array(vec![]))), "malformed_public_key");
        // EC2 with a point not on the curve.
        let key = Value::Map(vec![
            (int(1), int(2)),
            (int(3), int(ES256)),
            (int(-1), int(1)),
            (int(-2), Value::Bytes(vec![1; 32])),
            (int(-3), Value::Bytes(vec![2; 32])),
        ]);
        assert_eq!(CoseKey::parse(&cbor(&key)).err(), Some(VerifyError::MalformedPublicKey("not a P-256 point".into())));
        // ES256 alg on an OKP key.
        let key = Value::Map(vec![(int(1), int(1)), (int(3), int(ES256)), (int(-1), int(6)), (int(-2), Value::Bytes(vec![0; 32]))]);
        assert_eq!(CoseKey::parse(&cbor(&key)).err(), Some(VerifyError::UnsupportedKeyType { kty: 1, alg: ES256 }));
        // ES384 was never offered.
        let key = Value::Map(vec![(int(1), int(2)), (int(3), int(-35)), (int(-1), int(2))]);
        assert_eq!(CoseKey::parse(&cbor(&key)).err(), Some(VerifyError::AlgorithmNotOffered(-35)));
        // No alg, or a text one.
        assert_eq!(reason(&cbor(&Value::Map(vec![(int(1), int(2))]))), "malformed_public_key");
        assert_eq!(reason(&cbor(&Value::Map(vec![(int(1), int(2)), (int(3), Value::Text("ES256".into()))]))), "malformed_public_key");
    }

    #[test]
    fn small_rsa_keys_are_refused() {
        assert_eq!(CoseKey::parse(&rsa_key(vec![0xc5; 128], vec![1, 0, 1])).err(), Some(VerifyError::RsaKeyTooSmall));
        assert_eq!(reason(&rsa_key(vec![0xc5; 256], vec![1, 0, 1])), "accepted");
    }

    /// The COSE components go straight to `RsaPublicKey::new`; before, they
    /// were DER-encoded by hand and read back with `from_pkcs1_der`. Both
    /// must accept and refuse the same keys: compare with a PKCS#1 DER made
    /// by the `pkcs1` crate's own encoder.
    #[test]
    fn rsa_components_are_read_like_pkcs1_der() {
        use rsa::pkcs1::der::{asn1::UintRef, Encode};
        use rsa::traits::PublicKeyParts;
        let through_der = |n: &[u8], e: &[u8]| {
            let der = rsa::pkcs1::RsaPublicKeyRef { modulus: UintRef::new(n).unwrap(), public_exponent: UintRef::new(e).unwrap() }
                .to_der()
                .unwrap();
            PublicKey::rsa_from_pkcs1_der(&der)
        };
        let odd = |len: usize| [vec![0xc5; len - 1], vec![0x01]].concat();
        let cases: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (odd(256), vec![1, 0, 1]),
            ([vec![0, 0, 0], odd(256)].concat(), vec![0, 1, 0, 1]), // leading zeros
            (odd(256), vec![3]),
            (odd(512), vec![1, 0, 1]),                               // 4096 bits
            (odd(1024), vec![1, 0, 1]),                              // 8192 bits, the most rsa allows
            (odd(1025), vec![1, 0, 1]),                              // too long
            (odd(255), vec![1, 0, 1]),                               // 2040 bits: too small
            ([vec![0x7f], vec![0xff; 255]].concat(), vec![3]),       // 2047 bits
            ([vec![0xc5; 255], vec![0x02]].concat(), vec![1, 0, 1]), // even modulus
            (odd(256), vec![1, 0, 0]),                               // even exponent
            (odd(256), vec![1]),                                     // e = 1
            (odd(256), vec![]),                                      // e = 0, empty
            (odd(256), vec![0, 0]),                                  // e = 0
            (vec![], vec![1, 0, 1]),                                 // n = 0
            (odd(256), vec![2, 0, 0, 0, 1]),                         // e = 2^33 + 1: too large
            (odd(256), vec![1, 0xff, 0xff, 0xff, 0xff]),             // e = 2^33 - 1: the largest allowed
            (odd(256), odd(256)),                                    // e = n
        ];
        for (n, e) in cases {
            let (direct, der) = (PublicKey::rsa_from_components(&n, &e), through_der(&n, &e));
            let what = format!("n {} bytes, e {e:02x?}", n.len());
            match (direct, der) {
                (Ok(PublicKey::Rsa(a)), Ok(PublicKey::Rsa(b))) => {
                    assert_eq!((a.n(), a.e(), a.size()), (b.n(), b.e(), b.size()), "{what}");
                    assert_eq!(a.n_bits_precision(), b.n_bits_precision(), "{what}");
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{what}"),
                _ => panic!("{what}: one way accepts, the other refuses"),
            }
        }
    }
}
