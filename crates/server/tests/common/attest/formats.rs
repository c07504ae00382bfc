//! packed (full chain), fido-u2f, apple, android-key and android-safetynet
//! statements for a [`Ceremony`], each with the one thing a negative test breaks.

use super::certs::{aaguid_extension, leaf, packed_subject, U2fDevice, Vendor};
use super::der::{integer, octets, seq, set, tlv};
use super::{sign, text, x5c, Ceremony};
use ciborium::Value as Cbor;
use passbind_protocol::base64url;
use passbind_protocol::wire::RegistrationResponse;
use rcgen::{CustomExtension, DnType, KeyPair, PKCS_ECDSA_P256_SHA256};
use serde_json::json;
use sha2::{Digest, Sha256};

fn alg_es256() -> (Cbor, Cbor) {
    (text("alg"), Cbor::Integer((-7).into()))
}

/// `packed` with x5c = [attestation certificate, vendor intermediate]; the
/// certificate's AAGUID extension says `cert_aaguid`.
pub fn packed(c: &Ceremony, vendor: &Vendor, cert_aaguid: [u8; 16]) -> RegistrationResponse {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut p = packed_subject();
    p.custom_extensions = vec![aaguid_extension(cert_aaguid)];
    let cert = vendor.issue(&p, &key);
    let sig = sign(&key, &c.signed_data());
    c.response("packed", vec![alg_es256(), (text("sig"), Cbor::Bytes(sig)), (text("x5c"), x5c(&[&cert, &vendor.intermediate]))])
}

/// `fido-u2f` (the ceremony's AAGUID must be zero): the device's batch
/// certificate signs the U2F registration message; `tamper` flips a bit of the signature.
pub fn fido_u2f(c: &Ceremony, device: &U2fDevice, tamper: bool) -> RegistrationResponse {
    let mut signed = vec![0x00];
    signed.extend_from_slice(&Sha256::digest(c.rp_id.as_bytes()));
    signed.extend_from_slice(&c.client_data_hash);
    signed.extend_from_slice(&c.credential_id);
    signed.extend_from_slice(c.key.public_key_raw());
    let mut sig = sign(&device.key, &signed);
    if tamper {
        let last = sig.len() - 1;
        sig[last] ^= 0x01;
    }
    c.response("fido-u2f", vec![(text("sig"), Cbor::Bytes(sig)), (text("x5c"), x5c(&[&device.cert]))])
}

/// `apple`: a certificate for the credential key whose nonce extension
/// (1.2.840.113635.100.8.2) carries `nonce` (the ceremony's, or another).
pub fn apple(c: &Ceremony, vendor: &Vendor, nonce: [u8; 32]) -> RegistrationResponse {
    let mut p = leaf(&[(DnType::CommonName, "passbind test credential"), (DnType::OrganizationName, "passbind tests")]);
    let value = seq(&[tlv(&[0xa1], &octets(&nonce))]);
    p.custom_extensions = vec![CustomExtension::from_oid_content(&[1, 2, 840, 113635, 100, 8, 2], value)];
    let cert = vendor.issue(&p, &c.key);
    c.response("apple", vec![alg_es256(), (text("x5c"), x5c(&[&cert, &vendor.intermediate]))])
}

/// `android-key`: a certificate for the credential key with a KeyDescription
/// (attestationChallenge = clientDataHash, a TEE key generated in the
/// keystore for signing); `all_applications` adds the tag §8.4 forbids.
pub fn android_key(c: &Ceremony, vendor: &Vendor, all_applications: bool) -> RegistrationResponse {
    let purpose_sign = tlv(&[0xa1], &set(&[integer(2)]));
    let origin_generated = tlv(&[0xbf, 0x85, 0x3e], &integer(0));
    let mut tee = vec![purpose_sign, origin_generated];
    if all_applications {
        tee.push(tlv(&[0xbf, 0x84, 0x58], &[0x05, 0x00]));
    }
    let description = seq(&[
        integer(3),                  // attestationVersion
        tlv(&[0x0a], &[1]),          // attestationSecurityLevel: TrustedEnvironment
        integer(4),                  // keymasterVersion
        tlv(&[0x0a], &[1]),          // keymasterSecurityLevel
        octets(&c.client_data_hash), // attestationChallenge
        octets(&[]),                 // uniqueId
        seq(&[]),                    // softwareEnforced
        seq(&tee),                   // teeEnforced
    ]);
    let mut p = leaf(&[(DnType::CommonName, "Android Keystore Key")]);
    p.custom_extensions = vec![CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 11129, 2, 1, 17], description)];
    let cert = vendor.issue(&p, &c.key);
    let sig = sign(&c.key, &c.signed_data());
    c.response("android-key", vec![alg_es256(), (text("sig"), Cbor::Bytes(sig)), (text("x5c"), x5c(&[&cert, &vendor.intermediate]))])
}

/// `android-safetynet`: a SafetyNet response (ES256 JWS by a leaf issued to
/// attest.android.com under the vendor) with the ceremony's nonce, made now;
/// `cts_profile_match` as given.
pub fn android_safetynet(c: &Ceremony, vendor: &Vendor, cts_profile_match: bool) -> RegistrationResponse {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let cert = vendor.issue(&leaf(&[(DnType::CommonName, "attest.android.com")]), &key);
    let header = json!({"alg": "ES256", "x5c": [base64url::encode(&cert), base64url::encode(&vendor.intermediate)]});
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    let payload = json!({
        "nonce": passbind_webauthn::metadata::testkit::standard_base64(&c.nonce()),
        "timestampMs": now_ms,
        "apkPackageName": "com.google.android.gms",
        "ctsProfileMatch": cts_profile_match,
        "basicIntegrity": true,
    });
    let input = format!("{}.{}", base64url::encode(header.to_string().as_bytes()), base64url::encode(payload.to_string().as_bytes()));
    // ring signs ECDSA as DER; a JWS carries r ‖ s.
    let raw = p256::ecdsa::Signature::from_der(&sign(&key, input.as_bytes())).unwrap().to_bytes().to_vec();
    let jws = format!("{input}.{}", base64url::encode(&raw));
    c.response("android-safetynet", vec![(text("ver"), text("244034000")), (text("response"), Cbor::Bytes(jws.into_bytes()))])
}
