//! The AIK certificate requirements of WebAuthn §8.3.1 ("TPM Attestation
//! Statement Certificate Requirements"), and the TCG's TPM vendor IDs.

use super::TpmError;
use crate::VerifyError;
use x509_cert::der::{asn1::ObjectIdentifier, Decode};
use x509_cert::ext::pkix::{name::GeneralName, BasicConstraints, ExtendedKeyUsage, SubjectAltName};
use x509_cert::Certificate;

/// `tcg-kp-AIKCertificate`: the key is an attestation identity key.
const TCG_KP_AIK_CERTIFICATE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.8.3");
/// `tcg-at-tpmManufacturer`, `tcg-at-tpmModel`, `tcg-at-tpmVersion` (TCG EK Credential Profile §3.2.9).
const TCG_AT_TPM_MANUFACTURER: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.2.1");
const TCG_AT_TPM_MODEL: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.2.2");
const TCG_AT_TPM_VERSION: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.23.133.2.3");
/// `id-fido-gen-ce-aaguid`.
const ID_FIDO_GEN_CE_AAGUID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");

/// The TCG TPM Vendor ID Registry (Family 1.2 and 2.0,
/// https://trustedcomputinggroup.org/resource/vendor-id-registry/): the 4-byte `TPM_PT_MANUFACTURER` values the SAN's
/// tpmManufacturer names as `id:XXXXXXXX`. The FIDO conformance tools'
/// `FFFFF1D0` is deliberately absent: it names no real TPM.
const TPM_VENDOR_IDS: &[u32] = &[
    0x414D_4400, // AMD
    0x4154_4D4C, // Atmel
    0x4252_434D, // Broadcom
    0x4353_434F, // Cisco
    0x464C_5953, // Flyslice Technologies
    0x524F_4343, // Fuzhou Rockchip
    0x474F_4F47, // Google
    0x4850_4500, // HPE
    0x4849_5349, // Huawei
    0x4942_4D00, // IBM
    0x4946_5800, // Infineon
    0x494E_5443, // Intel
    0x4C45_4E00, // Lenovo
    0x4D53_4654, // Microsoft
    0x4E53_4D20, // National Semiconductor
    0x4E54_5A00, // Nationz
    0x4E54_4300, // Nuvoton Technology
    0x5143_4F4D, // Qualcomm
    0x534D_534E, // Samsung
    0x534E_5300, // Sinosun
    0x534D_5343, // SMSC
    0x5354_4D20, // STMicroelectronics
    0x5458_4E00, // Texas Instruments
    0x5745_4300, // Winbond
];

/// What the AIK certificate's SAN says about the TPM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TpmDevice {
    /// The TCG vendor ID (`TPM_PT_MANUFACTURER`), e.g. 0x494E5443 for Intel.
    pub manufacturer: u32,
    /// tpmModel as the certificate writes it (e.g. `NPCT75x`).
    pub model: String,
    /// tpmVersion as the certificate writes it (e.g. `id:00070002`).
    pub version: String,
}

/// Checks the AIK certificate against §8.3.1 and, if it carries the
/// AAGUID extension, against the authenticator data's AAGUID.
pub(super) fn check(cert: &Certificate, aaguid: Option<&[u8; 16]>) -> Result<TpmDevice, VerifyError> {
    let tbs = cert.tbs_certificate();
    if tbs.version() != x509_cert::certificate::Version::V3 {
        return Err(TpmError::AikNotVersion3.into());
    }
    if !tbs.subject().is_empty() {
        return Err(TpmError::AikSubjectNotEmpty.into());
    }
    let device = match tbs.get_extension::<SubjectAltName>() {
        // With an empty subject, RFC 5280 §4.2.1.6 makes the SAN critical.
        Ok(Some((true, san))) => device_of(&san)?,
        Ok(Some((false, _))) => return Err(TpmError::AikSan("the AIK certificate's SAN is not critical").into()),
        Ok(None) => return Err(TpmError::AikSan("the AIK certificate has no SAN").into()),
        Err(_) => return Err(TpmError::AikSan("the AIK certificate's SAN is malformed").into()),
    };
    match tbs.get_extension::<ExtendedKeyUsage>() {
        Ok(Some((_, eku))) if eku.0.contains(&TCG_KP_AIK_CERTIFICATE) => {}
        Ok(_) => return Err(TpmError::AikEkuMissing.into()),
        Err(_) => return Err(VerifyError::MalformedCertificate("the AIK certificate's extended key usage is malformed")),
    }
    match tbs.get_extension::<BasicConstraints>() {
        Ok(Some((_, bc))) if bc.ca => return Err(VerifyError::CertificateIsCa),
        Err(_) => return Err(VerifyError::MalformedCertificate("the AIK certificate's basic constraints are malformed")),
        _ => {}
    }
    for ext in tbs.extensions().into_iter().flatten().filter(|e| e.extn_id == ID_FIDO_GEN_CE_AAGUID) {
        if ext.critical {
            return Err(VerifyError::MalformedCertificate("the AAGUID extension must not be critical"));
        }
        let value = match ext.extn_value.as_bytes() {
            [0x04, 0x10, rest @ ..] if rest.len() == 16 => rest,
            _ => return Err(VerifyError::MalformedCertificate("the AAGUID extension is malformed")),
        };
        if aaguid.map(|a| a.as_slice()) != Some(value) {
            return Err(VerifyError::CertificateAaguidMismatch);
        }
    }
    Ok(device)
}

/// The tpmManufacturer, tpmModel and tpmVersion of the SAN's directoryName
/// (one RDN with three attributes, or three RDNs: both are seen in the wild).
fn device_of(san: &SubjectAltName) -> Result<TpmDevice, VerifyError> {
    let (mut manufacturer, mut model, mut version) = (None, None, None);
    for name in &san.0 {
        let GeneralName::DirectoryName(dn) = name else { continue };
        for atv in dn.iter() {
            let slot = match atv.oid {
                TCG_AT_TPM_MANUFACTURER => &mut manufacturer,
                TCG_AT_TPM_MODEL => &mut model,
                TCG_AT_TPM_VERSION => &mut version,
                _ => continue,
            };
            let text = std::str::from_utf8(atv.value.value()).map_err(|_| TpmError::AikSan("a TPM SAN attribute is not text"))?;
            if slot.replace(text.to_owned()).is_some() {
                return Err(TpmError::AikSan("a TPM SAN attribute is repeated").into());
            }
        }
    }
    let (Some(manufacturer), Some(model), Some(version)) = (manufacturer, model, version) else {
        return Err(TpmError::AikSan("the AIK certificate's SAN lacks the TPM manufacturer, model or version").into());
    };
    let id = vendor_id(&manufacturer).ok_or(TpmError::AikSan("the TPM manufacturer is not of the form id:XXXXXXXX"))?;
    if !TPM_VENDOR_IDS.contains(&id) {
        return Err(TpmError::UnknownManufacturer(manufacturer).into());
    }
    Ok(TpmDevice { manufacturer: id, model, version })
}

/// `id:494E5443` → 0x494E5443.
fn vendor_id(text: &str) -> Option<u32> {
    let hex = text.strip_prefix("id:")?;
    if hex.len() != 8 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(hex, 16).ok()
}

/// Parses an x5c entry as an X.509 certificate.
pub(super) fn parse(der: &[u8]) -> Result<Certificate, VerifyError> {
    Certificate::from_der(der).map_err(|_| VerifyError::MalformedCertificate("the AIK certificate is not DER X.509"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_ids_are_read_strictly() {
        assert_eq!(vendor_id("id:494E5443"), Some(0x494E_5443));
        assert_eq!(vendor_id("id:4e544300"), Some(0x4E54_4300));
        for bad in ["494E5443", "id:494E544", "id:494E54433", "id:+94E5443", "id: 94E5443", "id:494E544G"] {
            assert_eq!(vendor_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_vendor_list_has_no_duplicates() {
        let mut ids = TPM_VENDOR_IDS.to_vec();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), TPM_VENDOR_IDS.len());
    }
}
