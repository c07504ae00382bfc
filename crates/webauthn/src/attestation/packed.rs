//! The `packed` attestation statement format (WebAuthn §8.2): self
//! attestation, or an attestation certificate (x5c).

use super::{text_key, AttestationObject, AttestationType, Attested};
use crate::authenticator_data::AuthenticatorData;
use crate::chain;
use crate::cose::{CoseKey, PublicKey};
use crate::VerifyError;
use ciborium::Value;
use x509_cert::der::asn1::ObjectIdentifier;

const ID_FIDO_GEN_CE_AAGUID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");

/// WebAuthn §8.2 (packed). The x5c is checked for consistency (each
/// certificate signed by the next); whether its root is trusted is decided
/// by the caller against metadata with [`chain::verify_chain`].
pub(super) fn verify(
    att: &AttestationObject,
    auth: &AuthenticatorData,
    key: &CoseKey,
    client_data_hash: &[u8; 32],
    at: Option<u64>,
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
            let trust_path: Vec<Vec<u8>> = certs
                .iter()
                .map(|c| match c {
                    Value::Bytes(der) => Ok(der.clone()),
                    _ => Err(VerifyError::MalformedAttestationStatement("packed x5c is empty or not bytes")),
                })
                .collect::<Result<_, _>>()?;
            // Integrity without anchors: the x5c is one chain, valid at `at`
            // if given (trust in its root is the caller's, chain::verify_chain).
            chain::verify_path_signatures(&trust_path, at)?;
            Ok(Attested { att_type: AttestationType::Basic, trust_path })
        }
        Some(_) => Err(VerifyError::MalformedAttestationStatement("packed x5c is not an array")),
    }
}

/// §8.2.1: a v3 certificate, not a CA, whose AAGUID extension (if any)
/// matches the authenticator data. Returns its public key.
fn check_leaf_certificate(der: &[u8], auth: &AuthenticatorData) -> Result<PublicKey, VerifyError> {
    let cert = chain::parse_certificate(der)?;
    let tbs = cert.tbs_certificate();
    if tbs.version() != x509_cert::certificate::Version::V3 {
        return Err(VerifyError::MalformedCertificate("the attestation certificate is not version 3"));
    }
    check_subject(tbs.subject())?;
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
    chain::spki_public_key(&cert)
}

/// §8.2.1's subject: C (a two-letter country code), O, OU = "Authenticator
/// Attestation", CN, each present.
fn check_subject(subject: &x509_cert::name::Name) -> Result<(), VerifyError> {
    let bad = || VerifyError::MalformedCertificate("the attestation certificate's subject breaks §8.2.1 (C, O, OU, CN)");
    // RFC 5280 wants PrintableString for C; some encoders write UTF8String.
    let country = subject
        .by_oid::<x509_cert::ext::pkix::name::DirectoryString>(x509_cert::der::oid::db::rfc4519::COUNTRY_NAME)
        .map_err(|_| bad())?
        .ok_or_else(bad)?;
    let organization = subject.organization().map_err(|_| bad())?.ok_or_else(bad)?;
    let unit = subject.organization_unit().map_err(|_| bad())?.ok_or_else(bad)?;
    let common_name = subject.common_name().map_err(|_| bad())?.ok_or_else(bad)?;
    let country_ok = country.value().len() == 2 && country.value().bytes().all(|b| b.is_ascii_alphabetic());
    if !country_ok || organization.value().is_empty() || unit.value() != "Authenticator Attestation" || common_name.value().is_empty() {
        return Err(bad());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{CertificateParams, DnType, KeyPair};

    fn subject_of(parts: &[(DnType, &str)]) -> Result<(), VerifyError> {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name = rcgen::DistinguishedName::new(); // no default CN
        for (t, v) in parts {
            p.distinguished_name.push(t.clone(), *v);
        }
        let der = p.self_signed(&KeyPair::generate().unwrap()).unwrap().der().to_vec();
        check_subject(chain::parse_certificate(&der)?.tbs_certificate().subject())
    }

    #[test]
    fn the_subject_needs_c_o_ou_and_cn() {
        let (c, o, ou, cn) = (DnType::CountryName, DnType::OrganizationName, DnType::OrganizationalUnitName, DnType::CommonName);
        let unit = "Authenticator Attestation";
        assert_eq!(subject_of(&[(c.clone(), "SE"), (o.clone(), "Yubico AB"), (ou.clone(), unit), (cn.clone(), "EE 1")]), Ok(()));
        let bad = [
            vec![(o.clone(), "Yubico AB"), (ou.clone(), unit), (cn.clone(), "EE 1")],
            vec![(c.clone(), "SE"), (ou.clone(), unit), (cn.clone(), "EE 1")],
            vec![(c.clone(), "SE"), (o.clone(), "Yubico AB"), (cn.clone(), "EE 1")],
            vec![(c.clone(), "SE"), (o.clone(), "Yubico AB"), (ou.clone(), unit)],
            vec![(c.clone(), "SE"), (o.clone(), "Yubico AB"), (ou.clone(), "Engineering"), (cn.clone(), "EE 1")],
            vec![(c.clone(), "SWE"), (o.clone(), "Yubico AB"), (ou.clone(), unit), (cn.clone(), "EE 1")],
        ];
        for parts in bad {
            assert_eq!(subject_of(&parts).err().map(|e| e.code()), Some("malformed_certificate"), "{parts:?}");
        }
    }
}
