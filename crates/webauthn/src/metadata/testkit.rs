//! Test BLOBs: a root CA, a BLOB signing certificate and a signed JWT made
//! in the test (rcgen), for this crate's tests and, with the `test-support`
//! feature, the server's. Never in a release build of the service.

use passbind_protocol::base64url;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SigningKey};
use serde_json::{json, Value};

/// The RSA key of RS256 test BLOBs (see tests/vectors/metadata/SOURCE.md).
const RSA_SIGNER_PEM: &str = include_str!("../../tests/vectors/metadata/test-signer-rsa2048.pem");

/// Validity of test certificates, as (year, month, day) pairs.
pub type Validity = ((i32, u8, u8), (i32, u8, u8));

/// 2020-01-01 to 2040-01-01: valid now and at every test's time.
pub const LONG: Validity = ((2020, 1, 1), (2040, 1, 1));

/// A test CA: its certificate and what signs with it.
pub struct TestCa {
    /// The CA certificate (DER).
    pub der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

fn params(common_name: &str, validity: Validity, ca: bool) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("no names");
    p.distinguished_name.push(DnType::CommonName, common_name);
    p.distinguished_name.push(DnType::OrganizationName, "passbind tests");
    let ((y1, m1, d1), (y2, m2, d2)) = validity;
    p.not_before = rcgen::date_time_ymd(y1, m1, d1);
    p.not_after = rcgen::date_time_ymd(y2, m2, d2);
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    }
    p
}

impl TestCa {
    /// A self-signed root CA (P-256).
    pub fn root(common_name: &str, validity: Validity) -> TestCa {
        let key = KeyPair::generate().expect("P-256 key");
        let params = params(common_name, validity, true);
        let der = params.self_signed(&key).expect("self-signed").der().to_vec();
        TestCa { der, issuer: Issuer::new(params, key) }
    }

    /// An intermediate CA (P-256) issued by this one.
    pub fn intermediate(&self, common_name: &str, validity: Validity) -> TestCa {
        let key = KeyPair::generate().expect("P-256 key");
        let params = params(common_name, validity, true);
        let der = params.signed_by(&key, &self.issuer).expect("signed").der().to_vec();
        TestCa { der, issuer: Issuer::new(params, key) }
    }

    /// `other`'s name and key certified by this CA (a cross-certificate, as
    /// GlobalSign Root R46 cross-signed by Root R3 ends the real BLOB's x5c).
    pub fn cross_sign(&self, other_name: &str, other: &TestCa, validity: Validity) -> Vec<u8> {
        params(other_name, validity, true).signed_by(other.issuer.key(), &self.issuer).expect("signed").der().to_vec()
    }

    /// A BLOB signer certified by this CA: ES256 (P-256), or RS256 with the
    /// RSA test key.
    pub fn signer(&self, alg: Alg, validity: Validity) -> TestSigner {
        let key = match alg {
            Alg::Es256 => KeyPair::generate().expect("P-256 key"),
            Alg::Rs256 => KeyPair::from_pkcs8_pem_and_sign_algo(RSA_SIGNER_PEM, &rcgen::PKCS_RSA_SHA256).expect("RSA test key"),
        };
        let der = params("Test Metadata BLOB Signer", validity, false).signed_by(&key, &self.issuer).expect("signed").der().to_vec();
        TestSigner { alg, x5c: vec![der], key }
    }
}

/// The JWS algorithm of a test BLOB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alg {
    /// ECDSA P-256 with SHA-256.
    Es256,
    /// RSA PKCS#1 v1.5 with SHA-256.
    Rs256,
}

/// Signs test BLOBs; `x5c` is what the header carries (the signing
/// certificate first; tests append intermediates).
pub struct TestSigner {
    /// The algorithm its key signs with.
    pub alg: Alg,
    /// The header's certificates (DER).
    pub x5c: Vec<Vec<u8>>,
    key: KeyPair,
}

impl TestSigner {
    /// A JWT of `payload`, with the header `alg` of its key.
    pub fn sign(&self, payload: &Value) -> String {
        self.sign_bytes(
            match self.alg {
                Alg::Es256 => "ES256",
                Alg::Rs256 => "RS256",
            },
            payload.to_string().as_bytes(),
        )
    }

    /// A JWT with any header `alg` and payload bytes (for negative tests).
    pub fn sign_bytes(&self, header_alg: &str, payload: &[u8]) -> String {
        let x5c: Vec<String> = self.x5c.iter().map(|der| standard_base64(der)).collect();
        let header = json!({ "alg": header_alg, "typ": "JWT", "x5c": x5c });
        let input = format!("{}.{}", base64url::encode(header.to_string().as_bytes()), base64url::encode(payload));
        let sig = self.key.sign(input.as_bytes()).expect("signs");
        let sig = match self.alg {
            // ring signs ECDSA as DER; a JWS carries r ‖ s.
            Alg::Es256 => p256::ecdsa::Signature::from_der(&sig).expect("DER signature").to_bytes().to_vec(),
            Alg::Rs256 => sig,
        };
        format!("{input}.{}", base64url::encode(&sig))
    }
}

/// Reads a BLOB payload as [`super::MetadataBlob::verify`] does once the
/// signature holds, without one: lets the fuzz target reach the payload's
/// reading without an ECDSA signature and two verifications per input (which
/// held it to under 1,000 executions a second).
pub fn read_payload(payload: &[u8]) -> Result<super::MetadataBlob, super::MetadataError> {
    super::MetadataBlob::read(payload)
}

/// Standard base64 with padding, as x5c and attestationRootCertificates use.
pub fn standard_base64(bytes: &[u8]) -> String {
    let mut s = base64url::encode(bytes).replace('-', "+").replace('_', "/");
    while !s.len().is_multiple_of(4) {
        s.push('=');
    }
    s
}

/// A MetadataBLOBPayload.
pub fn payload(no: u64, next_update: &str, entries: Vec<Value>) -> Value {
    json!({ "legalHeader": "Test metadata: for passbind's tests only.", "no": no, "nextUpdate": next_update, "entries": entries })
}

/// A FIDO2 entry: its AAGUID (8-4-4-4-12), name, attestation roots (DER)
/// and status reports as (status, effectiveDate).
pub fn fido2_entry(aaguid: &str, description: &str, roots: &[Vec<u8>], reports: &[(&str, &str)]) -> Value {
    json!({
        "aaguid": aaguid,
        "metadataStatement": {
            "legalHeader": "Test",
            "aaguid": aaguid,
            "description": description,
            "authenticatorVersion": 1,
            "protocolFamily": "fido2",
            "schema": 3,
            "attestationTypes": ["basic_full"],
            "attestationRootCertificates": roots.iter().map(|r| standard_base64(r)).collect::<Vec<_>>(),
            "icon": "data:image/png;base64,iVBORw0KGgo=",
        },
        "statusReports": status_reports(reports),
        "timeOfLastStatusChange": reports.last().map_or("2024-01-01", |r| r.1),
    })
}

/// A U2F entry by attestation certificate key identifiers (hex).
pub fn u2f_entry(key_ids: &[&str], description: &str, roots: &[Vec<u8>], reports: &[(&str, &str)]) -> Value {
    json!({
        "attestationCertificateKeyIdentifiers": key_ids,
        "metadataStatement": {
            "attestationCertificateKeyIdentifiers": key_ids,
            "description": description,
            "protocolFamily": "u2f",
            "attestationTypes": ["basic_full"],
            "attestationRootCertificates": roots.iter().map(|r| standard_base64(r)).collect::<Vec<_>>(),
        },
        "statusReports": status_reports(reports),
        "timeOfLastStatusChange": reports.last().map_or("2024-01-01", |r| r.1),
    })
}

fn status_reports(reports: &[(&str, &str)]) -> Value {
    reports.iter().map(|(status, date)| json!({ "status": status, "effectiveDate": date, "url": "https://example.com" })).collect()
}
