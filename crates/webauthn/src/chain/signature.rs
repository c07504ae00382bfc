//! A certificate's signature checked with its issuer's key (RFC 5280
//! §4.1.1.2; algorithm identifiers of RFC 3279, RFC 4055, RFC 5758, RFC 8410).

use super::{ChainError, ChainOptions, Parsed, ID_EC_PUBLIC_KEY, ID_ED25519, RSA_ENCRYPTION, SECP256R1};
use sha2::Digest;
use x509_cert::der::asn1::ObjectIdentifier;
use x509_cert::spki::SubjectPublicKeyInfoOwned;

const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
const RSA_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
const RSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.11");
const RSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.12");
const RSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.13");

/// The hash of a signature algorithm.
#[derive(Clone, Copy)]
enum Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, msg: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha1 => sha1::Sha1::digest(msg).to_vec(),
            Hash::Sha256 => sha2::Sha256::digest(msg).to_vec(),
            Hash::Sha384 => sha2::Sha384::digest(msg).to_vec(),
            Hash::Sha512 => sha2::Sha512::digest(msg).to_vec(),
        }
    }
}

enum Algorithm {
    Ecdsa(Hash),
    Rsa(Hash),
    Ed25519,
}

fn algorithm(oid: ObjectIdentifier) -> Option<Algorithm> {
    Some(match oid {
        ECDSA_SHA256 => Algorithm::Ecdsa(Hash::Sha256),
        ECDSA_SHA384 => Algorithm::Ecdsa(Hash::Sha384),
        ECDSA_SHA512 => Algorithm::Ecdsa(Hash::Sha512),
        RSA_SHA1 => Algorithm::Rsa(Hash::Sha1),
        RSA_SHA256 => Algorithm::Rsa(Hash::Sha256),
        RSA_SHA384 => Algorithm::Rsa(Hash::Sha384),
        RSA_SHA512 => Algorithm::Rsa(Hash::Sha512),
        ID_ED25519 => Algorithm::Ed25519,
        _ => return None,
    })
}

/// Checks `child`'s signature (it is at `index` in the path) with `issuer`'s
/// key. SHA-1 only with `opts.allow_sha1`, else it is an unsupported algorithm.
pub(super) fn verify(child: &Parsed<'_>, issuer: &SubjectPublicKeyInfoOwned, index: usize, opts: ChainOptions) -> Result<(), ChainError> {
    let unsupported = ChainError::UnsupportedAlgorithm { index };
    let bad = ChainError::BadSignature { index };
    let alg = algorithm(child.cert.signature_algorithm().oid).ok_or(unsupported.clone())?;
    if matches!(alg, Algorithm::Rsa(Hash::Sha1)) && !opts.allow_sha1 {
        return Err(unsupported);
    }
    // A signature BIT STRING has no unused bits.
    let sig = child.cert.signature().as_bytes().ok_or(bad.clone())?;
    let key_oid = issuer.algorithm.oid;
    let key_bytes = issuer.subject_public_key.as_bytes().ok_or(bad.clone())?;
    let ok = match alg {
        Algorithm::Ecdsa(hash) if key_oid == ID_EC_PUBLIC_KEY => {
            use p256::ecdsa::signature::hazmat::PrehashVerifier;
            let curve = issuer.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            let prehash = hash.digest(child.tbs);
            match curve {
                Some(SECP256R1) => {
                    let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|_| unsupported.clone())?;
                    let sig = p256::ecdsa::Signature::from_der(sig).map_err(|_| bad.clone())?;
                    key.verify_prehash(&prehash, &sig).is_ok()
                }
                Some(SECP384R1) => {
                    let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(key_bytes).map_err(|_| unsupported.clone())?;
                    let sig = p384::ecdsa::Signature::from_der(sig).map_err(|_| bad.clone())?;
                    key.verify_prehash(&prehash, &sig).is_ok()
                }
                _ => return Err(unsupported),
            }
        }
        Algorithm::Rsa(hash) if key_oid == RSA_ENCRYPTION => {
            use rsa::pkcs1::DecodeRsaPublicKey;
            use rsa::traits::PublicKeyParts;
            let key = rsa::RsaPublicKey::from_pkcs1_der(key_bytes).map_err(|_| unsupported.clone())?;
            if key.size() * 8 < 2048 {
                return Err(unsupported);
            }
            let scheme = match hash {
                Hash::Sha1 => rsa::Pkcs1v15Sign::new::<sha1::Sha1>(),
                Hash::Sha256 => rsa::Pkcs1v15Sign::new::<sha2::Sha256>(),
                Hash::Sha384 => rsa::Pkcs1v15Sign::new::<sha2::Sha384>(),
                Hash::Sha512 => rsa::Pkcs1v15Sign::new::<sha2::Sha512>(),
            };
            key.verify(scheme, &hash.digest(child.tbs), sig).is_ok()
        }
        Algorithm::Ed25519 if key_oid == ID_ED25519 => {
            let key: [u8; 32] = key_bytes.try_into().map_err(|_| unsupported.clone())?;
            let key = ed25519_dalek::VerifyingKey::from_bytes(&key).map_err(|_| unsupported.clone())?;
            let sig = ed25519_dalek::Signature::from_slice(sig).map_err(|_| bad.clone())?;
            key.verify_strict(child.tbs, &sig).is_ok()
        }
        // The algorithm does not suit the issuer's key type.
        _ => return Err(bad),
    };
    if ok {
        Ok(())
    } else {
        Err(bad)
    }
}
