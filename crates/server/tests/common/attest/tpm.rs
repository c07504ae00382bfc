//! A `tpm` statement (WebAuthn §8.3) for a [`Ceremony`]: the credential key
//! as a TPM 2.0 `TPMT_PUBLIC` (pubArea, ECC NIST P-256), a `TPMS_ATTEST`
//! (certInfo) certifying it with extraData = SHA-256(authData ‖
//! clientDataHash), signed (ES256) by an AIK whose certificate follows
//! §8.3.1 (empty subject, critical SAN with the TPM's manufacturer, model
//! and version, EKU tcg-kp-AIKCertificate) under the vendor's intermediate.

use super::certs::{aaguid_extension, leaf, Vendor};
use super::der::{oid, seq, set, tlv, utf8};
use super::{sign, text, x5c, Ceremony};
use ciborium::Value as Cbor;
use passbind_protocol::wire::RegistrationResponse;
use rcgen::{CustomExtension, ExtendedKeyUsagePurpose, KeyPair, PKCS_ECDSA_P256_SHA256};
use sha2::{Digest, Sha256};

const TPM_ALG_ECC: u16 = 0x0023;
const TPM_ALG_SHA256: u16 = 0x000b;
const TPM_ALG_NULL: u16 = 0x0010;
const TPM_ECC_NIST_P256: u16 = 0x0003;
const TPM_GENERATED_VALUE: u32 = 0xff54_4347;
const TPM_ST_ATTEST_CERTIFY: u16 = 0x8017;

/// A `TPM2B_*`: 16-bit size, then the bytes.
fn sized(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u16).to_be_bytes());
    out.extend_from_slice(bytes);
}

/// The credential key as the TPM holds it (signing key: fixedTPM,
/// fixedParent, sensitiveDataOrigin, userWithAuth, noDA, sign).
fn pub_area(c: &Ceremony) -> Vec<u8> {
    let point = c.key.public_key_raw();
    let mut b = Vec::new();
    b.extend_from_slice(&TPM_ALG_ECC.to_be_bytes());
    b.extend_from_slice(&TPM_ALG_SHA256.to_be_bytes());
    b.extend_from_slice(&0x0006_0472u32.to_be_bytes());
    sized(&mut b, &[]); // authPolicy
    b.extend_from_slice(&TPM_ALG_NULL.to_be_bytes()); // symmetric
    b.extend_from_slice(&TPM_ALG_NULL.to_be_bytes()); // scheme
    b.extend_from_slice(&TPM_ECC_NIST_P256.to_be_bytes());
    b.extend_from_slice(&TPM_ALG_NULL.to_be_bytes()); // kdf
    sized(&mut b, &point[1..33]);
    sized(&mut b, &point[33..65]);
    b
}

/// TPM2_Certify's attestation of the key whose pubArea this is.
fn cert_info(extra_data: &[u8], pub_area: &[u8]) -> Vec<u8> {
    let mut name = TPM_ALG_SHA256.to_be_bytes().to_vec();
    name.extend_from_slice(&Sha256::digest(pub_area));
    let mut b = Vec::new();
    b.extend_from_slice(&TPM_GENERATED_VALUE.to_be_bytes());
    b.extend_from_slice(&TPM_ST_ATTEST_CERTIFY.to_be_bytes());
    sized(&mut b, &name); // qualifiedSigner (any Name)
    sized(&mut b, extra_data);
    b.extend_from_slice(&[0; 17]); // clockInfo: clock, resetCount, restartCount, safe
    b.extend_from_slice(&[0; 8]); // firmwareVersion
    sized(&mut b, &name);
    sized(&mut b, &name); // qualifiedName
    b
}

/// The AIK certificate's SAN: one directoryName with tpmManufacturer
/// (Microsoft's TCG vendor ID), tpmModel and tpmVersion.
fn tpm_san() -> CustomExtension {
    let attribute = |arc: u64, value: &str| set(&[seq(&[oid(&[2, 23, 133, 2, arc]), utf8(value)])]);
    let name = seq(&[attribute(1, "id:4D534654"), attribute(2, "passbind test TPM"), attribute(3, "id:00020008")]);
    let mut ext = CustomExtension::from_oid_content(&[2, 5, 29, 17], seq(&[tlv(&[0xa4], &name)]));
    // With an empty subject, the SAN is critical (RFC 5280 §4.2.1.6).
    ext.set_criticality(true);
    ext
}

/// The `tpm` statement; `aik_eku` false leaves tcg-kp-AIKCertificate out of the AIK certificate.
pub fn tpm(c: &Ceremony, vendor: &Vendor, aaguid: [u8; 16], aik_eku: bool) -> RegistrationResponse {
    let aik = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut p = leaf(&[]);
    p.custom_extensions = vec![tpm_san(), aaguid_extension(aaguid)];
    p.extended_key_usages = if aik_eku { vec![ExtendedKeyUsagePurpose::Other(vec![2, 23, 133, 8, 3])] } else { vec![] };
    let aik_cert = vendor.issue(&p, &aik);
    let pub_area = pub_area(c);
    let cert_info = cert_info(&c.nonce(), &pub_area);
    let sig = sign(&aik, &cert_info);
    c.response(
        "tpm",
        vec![
            (text("ver"), text("2.0")),
            (text("alg"), Cbor::Integer((-7).into())),
            (text("x5c"), x5c(&[&aik_cert, &vendor.intermediate])),
            (text("sig"), Cbor::Bytes(sig)),
            (text("certInfo"), Cbor::Bytes(cert_info)),
            (text("pubArea"), Cbor::Bytes(pub_area)),
        ],
    )
}
