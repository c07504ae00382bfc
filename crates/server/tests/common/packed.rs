//! `packed` attestation built here with a p256 key: self attestation, or
//! signed by an `x5c` certificate's key (shared by the binding tests and
//! the attack matrix).

use ciborium::Value as Cbor;
use passbind_protocol::base64url;
use passbind_protocol::wire::RegistrationResponse;
use serde_json::json;
use sha2::{Digest, Sha256};

/// A fresh credential ID and the authenticator data attesting it: RP ID
/// hash, UP|UV|AT, `sign_count`, `aaguid`, and the P-256 key `point`
/// (SEC1 uncompressed, 0x04 ‖ x ‖ y) as an ES256 COSE key.
pub fn attested_auth_data(rp_id: &str, sign_count: u32, aaguid: [u8; 16], point: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let cose_key = Cbor::Map(vec![
        (Cbor::Integer(1.into()), Cbor::Integer(2.into())),
        (Cbor::Integer(3.into()), Cbor::Integer((-7).into())),
        (Cbor::Integer((-1).into()), Cbor::Integer(1.into())),
        (Cbor::Integer((-2).into()), Cbor::Bytes(point[1..33].to_vec())),
        (Cbor::Integer((-3).into()), Cbor::Bytes(point[33..65].to_vec())),
    ]);
    let credential_id = passbind_server::util::random_bytes::<32>().to_vec();
    let mut auth_data = Sha256::digest(rp_id.as_bytes()).to_vec();
    auth_data.push(0x01 | 0x04 | 0x40); // UP, UV, AT
    auth_data.extend_from_slice(&sign_count.to_be_bytes());
    auth_data.extend_from_slice(&aaguid);
    auth_data.extend_from_slice(&(credential_id.len() as u16).to_be_bytes());
    auth_data.extend_from_slice(&credential_id);
    auth_data.extend_from_slice(&cbor_bytes(&cose_key));
    (credential_id, auth_data)
}

pub fn cbor_bytes(v: &Cbor) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).unwrap();
    out
}

/// A registration response with `packed` self attestation signed by `key`.
pub fn packed_self_attested(
    challenge: &str,
    origin: &str,
    rp_id: &str,
    key: &p256::ecdsa::SigningKey,
    tamper: bool,
) -> RegistrationResponse {
    packed_attested(challenge, origin, rp_id, key, None, tamper)
}

/// `packed` attestation: self (`x5c` None) or signed by `x5c`'s key with its certificate.
pub fn packed_attested(
    challenge: &str,
    origin: &str,
    rp_id: &str,
    key: &p256::ecdsa::SigningKey,
    x5c: Option<(&p256::ecdsa::SigningKey, Vec<u8>)>,
    tamper: bool,
) -> RegistrationResponse {
    use p256::ecdsa::signature::Signer;
    let signer = x5c.as_ref().map_or(key, |(k, _)| *k);
    let sign = |data: &[u8]| {
        let signature: p256::ecdsa::Signature = signer.sign(data);
        let mut sig = signature.to_der().as_bytes().to_vec();
        if tamper {
            let last = sig.len() - 1;
            sig[last] ^= 0x01;
        }
        sig
    };
    let statement = Statement::Packed { x5c: x5c.map(|(_, cert)| vec![cert]).unwrap_or_default(), sign: &sign };
    attested(challenge, origin, rp_id, key, [0x42; 16], statement)
}

/// The attestation statement of [`attested`].
pub enum Statement<'a> {
    /// `none`: an empty attStmt.
    None,
    /// `packed` signed by `sign` (DER ECDSA over authData ‖ clientDataHash); `x5c` leaf first
    /// (empty: self attestation, and `sign` must then sign with the credential key).
    Packed { x5c: Vec<Vec<u8>>, sign: &'a dyn Fn(&[u8]) -> Vec<u8> },
    /// `fido-u2f` (WebAuthn §8.6; use the all-zero AAGUID): `sign` signs the U2F registration
    /// message with `cert`'s key.
    FidoU2f { cert: Vec<u8>, sign: &'a dyn Fn(&[u8]) -> Vec<u8> },
}

/// A registration response for the credential key `key` with the given AAGUID and statement.
pub fn attested(
    challenge: &str,
    origin: &str,
    rp_id: &str,
    key: &p256::ecdsa::SigningKey,
    aaguid: [u8; 16],
    statement: Statement<'_>,
) -> RegistrationResponse {
    let client_data =
        serde_json::to_vec(&json!({"type": "webauthn.create", "challenge": challenge, "origin": origin, "crossOrigin": false})).unwrap();
    let point = key.verifying_key().to_sec1_point(false);
    let (credential_id, auth_data) = attested_auth_data(rp_id, 7, aaguid, point.as_bytes());
    let (fmt, att_stmt) = match statement {
        Statement::None => ("none", Cbor::Map(vec![])),
        Statement::Packed { x5c, sign } => {
            let mut signed = auth_data.clone();
            signed.extend_from_slice(&Sha256::digest(&client_data));
            let mut stmt =
                vec![(Cbor::Text("alg".into()), Cbor::Integer((-7).into())), (Cbor::Text("sig".into()), Cbor::Bytes(sign(&signed)))];
            if !x5c.is_empty() {
                stmt.push((Cbor::Text("x5c".into()), Cbor::Array(x5c.into_iter().map(Cbor::Bytes).collect())));
            }
            ("packed", Cbor::Map(stmt))
        }
        Statement::FidoU2f { cert, sign } => {
            // 0x00 ‖ rpIdHash ‖ clientDataHash ‖ credentialId ‖ the key as an uncompressed point.
            let mut signed = vec![0x00];
            signed.extend_from_slice(&Sha256::digest(rp_id.as_bytes()));
            signed.extend_from_slice(&Sha256::digest(&client_data));
            signed.extend_from_slice(&credential_id);
            signed.extend_from_slice(point.as_bytes());
            let stmt = vec![
                (Cbor::Text("sig".into()), Cbor::Bytes(sign(&signed))),
                (Cbor::Text("x5c".into()), Cbor::Array(vec![Cbor::Bytes(cert)])),
            ];
            ("fido-u2f", Cbor::Map(stmt))
        }
    };
    let att_obj = Cbor::Map(vec![
        (Cbor::Text("fmt".into()), Cbor::Text(fmt.into())),
        (Cbor::Text("attStmt".into()), att_stmt),
        (Cbor::Text("authData".into()), Cbor::Bytes(auth_data)),
    ]);
    let id = base64url::encode(&credential_id);
    serde_json::from_value(json!({
        "id": id, "rawId": id, "type": "public-key",
        "response": {"clientDataJSON": base64url::encode(&client_data), "attestationObject": base64url::encode(&cbor_bytes(&att_obj)), "transports": ["usb"]},
        "authenticatorAttachment": "cross-platform",
        "clientExtensionResults": {}
    }))
    .unwrap()
}
