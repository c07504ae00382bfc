//! Trust made in the test (rcgen): a vendor's attestation root and packed
//! attestation leaves under it, and a FIDO metadata (MDS3) BLOB signed by a
//! test metadata root, written to files for `--mds-blob` / `--mds-root`.

use passbind_protocol::base64url;
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, CustomExtension, DnType, DnValue, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    SigningKey, PKCS_ECDSA_P256_SHA256,
};
use serde_json::{json, Value};

/// A certificate authority made here, with its DER certificate.
pub struct Ca {
    pub der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

fn params(cn: &str, is_ca: IsCa) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    // X.520: a country is a PrintableString (rcgen would write a UTF8String).
    p.distinguished_name.push(DnType::CountryName, DnValue::PrintableString("SE".try_into().unwrap()));
    p.distinguished_name.push(DnType::OrganizationName, "passbind tests");
    p.distinguished_name.push(DnType::CommonName, cn);
    // Valid now and for years: the service verifies at its own clock.
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2045, 1, 1);
    if matches!(is_ca, IsCa::Ca(_)) {
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    }
    p.is_ca = is_ca;
    p
}

impl Ca {
    /// A self-signed root.
    pub fn root(cn: &str) -> Ca {
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let p = params(cn, IsCa::Ca(BasicConstraints::Unconstrained));
        let der = p.self_signed(&key).unwrap().der().to_vec();
        Ca { der, issuer: Issuer::new(p, key) }
    }

    /// A packed attestation certificate (WebAuthn §8.2.1: OU "Authenticator
    /// Attestation", not a CA, the id-fido-gen-ce-aaguid extension) and its key.
    pub fn attestation_leaf(&self, aaguid: [u8; 16]) -> (Vec<u8>, KeyPair) {
        let mut p = params("passbind test authenticator", IsCa::ExplicitNoCa);
        p.distinguished_name.push(DnType::OrganizationalUnitName, "Authenticator Attestation");
        let mut octets = vec![0x04, 0x10];
        octets.extend_from_slice(&aaguid);
        p.custom_extensions = vec![CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 45724, 1, 1, 4], octets)];
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let der = p.signed_by(&key, &self.issuer).unwrap().der().to_vec();
        (der, key)
    }

    /// A leaf for signing (the BLOB's signer) and its key.
    fn signer(&self, cn: &str) -> (Vec<u8>, KeyPair) {
        let mut p = params(cn, IsCa::ExplicitNoCa);
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let der = p.signed_by(&key, &self.issuer).unwrap().der().to_vec();
        (der, key)
    }
}

/// An ECDSA signature (DER) by `key`, as packed attestation carries it.
pub fn sign_der(key: &KeyPair, data: &[u8]) -> Vec<u8> {
    key.sign(data).unwrap()
}

pub use passbind_webauthn::metadata::testkit::standard_base64;

/// A FIDO2 entry: AAGUID, name, attestation roots and status reports
/// (status, effectiveDate); the crate's test kit's entry, for borrowed roots.
pub fn fido2_entry(aaguid: &str, description: &str, roots: &[&[u8]], reports: &[(&str, &str)]) -> Value {
    let roots: Vec<Vec<u8>> = roots.iter().map(|r| r.to_vec()).collect();
    passbind_webauthn::metadata::testkit::fido2_entry(aaguid, description, &roots, reports)
}

/// A U2F entry, keyed by its attestation certificate key identifiers (hex SHA-1 of the key).
pub fn u2f_entry(key_ids: &[String], description: &str, roots: &[&[u8]], reports: &[(&str, &str)]) -> Value {
    let mut entry = fido2_entry("00000000-0000-0000-0000-000000000000", description, roots, reports);
    let map = entry.as_object_mut().unwrap();
    map.remove("aaguid");
    map.insert("attestationCertificateKeyIdentifiers".into(), json!(key_ids));
    let statement = map["metadataStatement"].as_object_mut().unwrap();
    statement.remove("aaguid");
    statement.insert("attestationCertificateKeyIdentifiers".into(), json!(key_ids));
    statement.insert("protocolFamily".into(), json!("u2f"));
    statement.insert("attestationTypes".into(), json!(["basic_full"]));
    entry
}

/// A U2F attestation certificate (any P-256 leaf) under `ca`, its key and
/// its key identifier (hex SHA-1 of the subjectPublicKey bits, as MDS writes it).
pub fn u2f_leaf(ca: &Ca) -> (Vec<u8>, KeyPair, String) {
    use sha1::Digest;
    let (der, key) = ca.signer("passbind test U2F key");
    let id = sha1::Sha1::digest(key.public_key_raw()).iter().map(|b| format!("{b:02x}")).collect();
    (der, key, id)
}

/// A BLOB (ES256 JWT, x5c = its signer under `root`) listing `entries`.
pub fn blob_jwt(root: &Ca, entries: Vec<Value>) -> String {
    let (signer_der, key) = root.signer("passbind test metadata signer");
    let header = json!({"alg": "ES256", "typ": "JWT", "x5c": [standard_base64(&signer_der)]});
    let payload =
        json!({"legalHeader": "Test metadata: for passbind's tests only.", "no": 7, "nextUpdate": "2044-01-01", "entries": entries});
    let input = format!("{}.{}", base64url::encode(header.to_string().as_bytes()), base64url::encode(payload.to_string().as_bytes()));
    // ring signs ECDSA as DER; a JWS carries r ‖ s.
    let der = sign_der(&key, input.as_bytes());
    let raw = p256::ecdsa::Signature::from_der(&der).unwrap().to_bytes().to_vec();
    format!("{input}.{}", base64url::encode(&raw))
}

/// A --dev server given a BLOB of `entries` signed under `root`
/// (`--mds-blob`, `--mds-root`), with the directory that holds both files.
pub async fn server_trusting(db: super::Db, root: &Ca, entries: Vec<Value>) -> (super::TestServer, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let blob = dir.path().join("blob.jwt");
    let root_path = dir.path().join("mds-root.der");
    std::fs::write(&blob, blob_jwt(root, entries)).unwrap();
    std::fs::write(&root_path, &root.der).unwrap();
    let s = super::TestServer::start_with(db, |c| {
        c.mds_blob = Some(blob.display().to_string());
        c.mds_root = Some(root_path);
    })
    .await;
    (s, dir)
}
