//! A stored credential public key as a JWK (RFC 7517) and its JWK
//! thumbprint (RFC 7638), for the admin API's credential view.

use crate::cose::{param, EDDSA, ES256, RS256};
use ciborium::Value;
use coset::iana::EnumI64;
use coset::{CborSerializable, RegisteredLabel, RegisteredLabelWithPrivate};
use passbind_protocol::base64url::encode as b64;
use sha2::{Digest, Sha256};

/// The public key of a stored COSE_Key as a JWK JSON string and its JWK
/// thumbprint (base64url SHA-256 of the required members, in lexicographic
/// order, without whitespace). None for keys it cannot read.
pub fn jwk_of_cose(bytes: &[u8]) -> Option<(String, String)> {
    let key = coset::CoseKey::from_slice(bytes).ok()?;
    let bytes_of = |label: i64| match param(&key, label) {
        Some(Value::Bytes(b)) => Some(b.as_slice()),
        _ => None,
    };
    let RegisteredLabel::Assigned(kty) = &key.kty else { return None };
    let alg = match &key.alg {
        Some(RegisteredLabelWithPrivate::Assigned(alg)) => Some(alg.to_i64()),
        Some(RegisteredLabelWithPrivate::PrivateUse(alg)) => Some(*alg),
        _ => None,
    };
    let crv = param(&key, -1).and_then(Value::as_integer).map(i128::from);
    // (required members in RFC 7638 order, as (name, value)), alg name.
    let (members, alg_name): (Vec<(&str, String)>, &str) = match (kty.to_i64(), crv) {
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
    let alg_member = (alg == Some(expected_alg)).then_some(alg_name);
    let thumbprint = b64(&Sha256::digest(canonical(None).as_bytes()));
    Some((canonical(alg_member), thumbprint))
}

#[cfg(test)]
mod tests {
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
