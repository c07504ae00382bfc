//! The test vendor's CAs (a root and an intermediate, P-256) and the
//! certificate shapes each format asks for.

use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType, DnValue, IsCa, Issuer, KeyPair,
    KeyUsagePurpose, PublicKeyData, PKCS_ECDSA_P256_SHA256,
};

/// A vendor's attestation PKI: root ← intermediate, both made here.
pub struct Vendor {
    /// The root (DER): what the test BLOB's entries list as attestationRootCertificates.
    pub root: Vec<u8>,
    /// The intermediate (DER): x5c's last certificate.
    pub intermediate: Vec<u8>,
    root_issuer: Issuer<'static, KeyPair>,
    issuer: Issuer<'static, KeyPair>,
}

/// Valid now and for years: the service verifies at its own clock.
fn validity(p: &mut CertificateParams) {
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2045, 1, 1);
}

fn ca_params(cn: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::OrganizationName, "passbind tests");
    p.distinguished_name.push(DnType::CommonName, cn);
    validity(&mut p);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p
}

impl Vendor {
    pub fn new(name: &str) -> Vendor {
        let root_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let root_params = ca_params(&format!("{name} Root CA"));
        let root = root_params.self_signed(&root_key).unwrap().der().to_vec();
        let root_issuer = Issuer::new(root_params, root_key);
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let params = ca_params(&format!("{name} Attestation CA"));
        let intermediate = params.signed_by(&key, &root_issuer).unwrap().der().to_vec();
        Vendor { root, intermediate, root_issuer, issuer: Issuer::new(params, key) }
    }

    /// A certificate for `key` under the intermediate.
    pub fn issue(&self, p: &CertificateParams, key: &impl PublicKeyData) -> Vec<u8> {
        p.signed_by(key, &self.issuer).unwrap().der().to_vec()
    }

    /// A certificate for `key` signed by the root itself (fido-u2f's x5c holds one certificate).
    pub fn issue_by_root(&self, p: &CertificateParams, key: &impl PublicKeyData) -> Vec<u8> {
        p.signed_by(key, &self.root_issuer).unwrap().der().to_vec()
    }
}

/// A leaf (not a CA) with this subject.
pub fn leaf(subject: &[(DnType, &str)]) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name = DistinguishedName::new();
    for (t, v) in subject {
        // X.520: a country is a PrintableString (rcgen would write a UTF8String).
        let value = if *t == DnType::CountryName { DnValue::PrintableString((*v).try_into().unwrap()) } else { (*v).into() };
        p.distinguished_name.push(t.clone(), value);
    }
    validity(&mut p);
    p.is_ca = IsCa::ExplicitNoCa;
    p
}

/// WebAuthn §8.2.1's subject of a packed attestation certificate.
pub fn packed_subject() -> CertificateParams {
    leaf(&[
        (DnType::CountryName, "SE"),
        (DnType::OrganizationName, "passbind tests"),
        (DnType::OrganizationalUnitName, "Authenticator Attestation"),
        (DnType::CommonName, "passbind test authenticator"),
    ])
}

/// `id-fido-gen-ce-aaguid` (1.3.6.1.4.1.45724.1.1.4): OCTET STRING of the AAGUID, not critical.
pub fn aaguid_extension(aaguid: [u8; 16]) -> CustomExtension {
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 45724, 1, 1, 4], super::der::octets(&aaguid))
}

/// A U2F authenticator's attestation certificate and key (made before the
/// BLOB, which names it by key identifier).
pub struct U2fDevice {
    pub cert: Vec<u8>,
    pub key: KeyPair,
    /// Hex SHA-1 of the certificate's subjectPublicKey bits (MDS's attestationCertificateKeyIdentifiers).
    pub key_id: String,
}

impl U2fDevice {
    pub fn new(vendor: &Vendor) -> U2fDevice {
        use sha1::Digest;
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = vendor.issue_by_root(&leaf(&[(DnType::CommonName, "passbind test U2F EE")]), &key);
        let key_id = sha1::Sha1::digest(key.public_key_raw()).iter().map(|b| format!("{b:02x}")).collect();
        U2fDevice { cert, key, key_id }
    }
}
