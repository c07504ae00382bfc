//! BLOBs signed in the test by a test root (testkit): the entries read
//! back, and every reason for refusing a BLOB.

use super::testkit::{fido2_entry, payload, standard_base64, u2f_entry, Alg, TestCa, LONG};
use super::*;
use crate::chain::ChainError;
use serde_json::json;

/// 2026-06-01T00:00:00Z: inside the test certificates' validity.
const AT: u64 = 1_780_272_000;

const L1: &str = "11111111-2222-3333-4444-555555555555";
const REVOKED: &str = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
const FUTURE: &str = "f0f0f0f0-0000-4000-8000-000000000001";
const KEY_ID: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

fn aaguid(text: &str) -> [u8; 16] {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    let bytes: Vec<u8> = (0..32).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap()).collect();
    bytes.try_into().unwrap()
}

fn entries(model_root: &[u8]) -> Vec<serde_json::Value> {
    let roots = [model_root.to_vec()];
    let mut future = fido2_entry(FUTURE, "Test Key of Tomorrow", &[], &[("FIDO_CERTIFIED_L9", "2026-01-01")]);
    future["someFieldOfMds4"] = json!({ "nested": [1, 2, 3] });
    future["metadataStatement"]["icon"] = json!("https://tracker.example/icon.png");
    let wrapped: Vec<String> = standard_base64(model_root).as_bytes().chunks(64).map(|c| String::from_utf8(c.to_vec()).unwrap()).collect();
    future["metadataStatement"]["attestationRootCertificates"] = json!([wrapped.join("\r\n")]);
    future["timeOfLastStatusChange"] = json!("yesterday");
    vec![
        fido2_entry(L1, "Test Key L1", &roots, &[("FIDO_CERTIFIED_L1", "2024-01-02"), ("UPDATE_AVAILABLE", "2025-02-03")]),
        fido2_entry(REVOKED, "Test Key Revoked", &roots, &[("FIDO_CERTIFIED", "2020-01-01"), ("REVOKED", "2025-03-01")]),
        u2f_entry(&[KEY_ID], "Test U2F Key", &roots, &[("FIDO_CERTIFIED_L3plus", "2023-05-06")]),
        fido2_entry("not-an-aaguid", "Broken", &[], &[("FIDO_CERTIFIED", "2020-01-01")]),
        json!({ "aaguid": "12345678-1234-1234-1234-123456789abc", "statusReports": [] }),
        json!(42),
        future,
    ]
}

#[test]
fn an_es256_blob_is_verified_and_its_entries_read() {
    let root = TestCa::root("Test MDS Root", LONG);
    let model_root = TestCa::root("Test Authenticator Vendor Root", LONG);
    let signer = root.signer(Alg::Es256, LONG);
    let jwt = signer.sign(&payload(42, "2026-07-01", entries(&model_root.der)));
    let blob = MetadataBlob::verify(&format!("{jwt}\n"), &root.der, AT).unwrap();

    assert_eq!(blob.no, 42);
    assert_eq!(blob.next_update.to_string(), "2026-07-01");
    assert_eq!(blob.next_update_unix_seconds(), 1_782_864_000);
    assert!(!blob.is_stale(AT));
    assert!(blob.is_stale(1_782_864_000));
    assert!(blob.legal_header.starts_with("Test metadata"));
    assert_eq!(blob.entries.len(), 4);
    let skipped: Vec<usize> = blob.skipped.iter().map(|s| s.index).collect();
    assert_eq!(skipped, [3, 4, 5], "{:?}", blob.skipped);
    assert_eq!(blob.skipped[0].reason, "an AAGUID is not 8-4-4-4-12 hexadecimal digits");
    assert_eq!(blob.skipped[1].reason, "the entry has no status report");

    let l1 = blob.entry_for_aaguid(&aaguid(L1)).unwrap();
    assert_eq!(l1.aaguid, Some(aaguid(L1)));
    assert_eq!(l1.description, "Test Key L1");
    assert_eq!(l1.icon.as_deref(), Some("data:image/png;base64,iVBORw0KGgo="));
    assert_eq!(l1.attestation_root_certificates, std::slice::from_ref(&model_root.der));
    assert_eq!(l1.attestation_types, ["basic_full"]);
    assert_eq!(l1.status, AuthenticatorStatus::UpdateAvailable);
    assert!(l1.certified);
    assert_eq!(l1.status_reports.len(), 2);
    assert_eq!(l1.time_of_last_status_change.map(|d| d.to_string()).as_deref(), Some("2025-02-03"));

    let revoked = blob.entry_for_aaguid(&aaguid(REVOKED)).unwrap();
    assert_eq!(revoked.status, AuthenticatorStatus::Revoked);
    assert!(revoked.status.revokes_trust());
    assert!(!revoked.certified);

    let key_id: Vec<u8> = (0..40).step_by(2).map(|i| u8::from_str_radix(&KEY_ID[i..i + 2], 16).unwrap()).collect();
    let u2f = blob.entry_for_key_id(&key_id).unwrap();
    assert_eq!((u2f.aaguid, u2f.description.as_str()), (None, "Test U2F Key"));
    assert_eq!(u2f.status, AuthenticatorStatus::FidoCertifiedL3Plus);
    assert!(u2f.certified);

    // Unknown fields and status values are no reason to refuse; a remote icon is dropped.
    let future = blob.entry_for_aaguid(&aaguid(FUTURE)).unwrap();
    assert_eq!(future.status, AuthenticatorStatus::Unknown("FIDO_CERTIFIED_L9".into()));
    assert!(!future.certified);
    assert_eq!(future.icon, None);
    // Line breaks in a root's base64 are tolerated; a malformed informational date is dropped.
    assert_eq!(future.attestation_root_certificates, std::slice::from_ref(&model_root.der));
    assert_eq!(future.time_of_last_status_change, None);

    assert!(blob.entry_for_aaguid(&[0; 16]).is_none());
    assert!(blob.entry_for_key_id(&[0; 20]).is_none());
}

#[test]
fn an_rs256_blob_through_an_intermediate_and_a_cross_signed_root() {
    // As the real BLOB: x5c = [signer, intermediate, new root cross-signed by
    // the old root]. Either root may be the operator's.
    let old_root = TestCa::root("Test Old Root", LONG);
    let new_root = TestCa::root("Test New Root", LONG);
    let intermediate = new_root.intermediate("Test MDS CA", LONG);
    let mut signer = intermediate.signer(Alg::Rs256, LONG);
    signer.x5c.push(intermediate.der.clone());
    signer.x5c.push(old_root.cross_sign("Test New Root", &new_root, LONG));
    let jwt = signer.sign(&payload(7, "2026-07-01", vec![fido2_entry(L1, "Test Key L1", &[], &[("FIDO_CERTIFIED_L2", "2024-01-01")])]));

    for root in [&new_root.der, &old_root.der] {
        let blob = MetadataBlob::verify(&jwt, root, AT).unwrap();
        assert_eq!(blob.entry_for_aaguid(&aaguid(L1)).unwrap().status, AuthenticatorStatus::FidoCertifiedL2);
    }
    let other = TestCa::root("Test New Root", LONG);
    assert_eq!(MetadataBlob::verify(&jwt, &other.der, AT).unwrap_err().code(), "metadata_chain_invalid");
}

#[test]
fn a_blob_is_refused_for_each_reason() {
    let root = TestCa::root("Test MDS Root", LONG);
    let signer = root.signer(Alg::Es256, LONG);
    let good = payload(1, "2026-07-01", vec![fido2_entry(L1, "Test Key L1", &[], &[("FIDO_CERTIFIED_L1", "2024-01-02")])]);
    let jwt = signer.sign(&good);
    assert!(MetadataBlob::verify(&jwt, &root.der, AT).is_ok());
    let err = |jwt: &str| MetadataBlob::verify(jwt, &root.der, AT).unwrap_err();

    // Another root.
    let other = TestCa::root("Test MDS Root", LONG);
    assert_eq!(MetadataBlob::verify(&jwt, &other.der, AT).unwrap_err(), MetadataError::Chain(ChainError::BadSignature { index: 0 }));
    let stranger = TestCa::root("Somebody Else", LONG);
    assert_eq!(MetadataBlob::verify(&jwt, &stranger.der, AT).unwrap_err(), MetadataError::Chain(ChainError::UntrustedRoot));
    assert!(matches!(MetadataBlob::verify(&jwt, b"not a certificate", AT).unwrap_err(), MetadataError::Chain(_)));

    // A payload changed after signing.
    let parts: Vec<&str> = jwt.split('.').collect();
    let tampered = payload(2, "2026-07-01", vec![]);
    let tampered = format!("{}.{}.{}", parts[0], passbind_protocol::base64url::encode(tampered.to_string().as_bytes()), parts[2]);
    assert_eq!(err(&tampered), MetadataError::BadSignature);
    // A signature of the wrong length or not base64url.
    assert_eq!(err(&format!("{}.{}.AAAA", parts[0], parts[1])), MetadataError::BadSignature);
    assert_eq!(err(&format!("{}.{}.!!", parts[0], parts[1])).code(), "metadata_malformed_jwt");

    // Algorithms: none, HMAC, or one that does not suit the key.
    let payload_bytes = good.to_string();
    assert_eq!(err(&signer.sign_bytes("none", payload_bytes.as_bytes())), MetadataError::UnsupportedAlgorithm("none".into()));
    assert_eq!(err(&signer.sign_bytes("HS256", payload_bytes.as_bytes())), MetadataError::UnsupportedAlgorithm("HS256".into()));
    assert_eq!(err(&signer.sign_bytes("RS256", payload_bytes.as_bytes())), MetadataError::AlgorithmKeyMismatch("RS256"));
    let rsa = root.signer(Alg::Rs256, LONG);
    assert_eq!(err(&rsa.sign_bytes("ES256", payload_bytes.as_bytes())), MetadataError::AlgorithmKeyMismatch("ES256"));

    // The signing certificate expired, or not valid yet.
    let expired = root.signer(Alg::Es256, ((2020, 1, 1), (2021, 1, 1)));
    assert_eq!(err(&expired.sign(&good)), MetadataError::Chain(ChainError::Expired { index: 0 }));
    assert_eq!(
        MetadataBlob::verify(&jwt, &root.der, 1_500_000_000).unwrap_err(),
        MetadataError::Chain(ChainError::NotYetValid { index: 0 })
    );

    // Payloads that are not MetadataBLOBPayloads.
    assert_eq!(err(&signer.sign_bytes("ES256", b"{\"no\": 1, \"entries\": [")).code(), "metadata_malformed_payload");
    assert_eq!(err(&signer.sign(&json!({ "no": 1, "entries": [] }))).code(), "metadata_malformed_payload");
    assert_eq!(err(&signer.sign(&json!({ "no": -1, "nextUpdate": "2026-07-01", "entries": [] }))).code(), "metadata_malformed_payload");
    assert_eq!(err(&signer.sign(&payload(1, "July 2026", vec![]))).code(), "metadata_malformed_payload");
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(err(&signer.sign_bytes("ES256", deep.as_bytes())).code(), "metadata_malformed_payload");

    // The envelope.
    assert_eq!(err(&format!("{jwt}.{}", parts[2])), MetadataError::MalformedJwt("a JWT has three parts separated by dots"));
    assert_eq!(err(&format!("{}.{}", parts[0], parts[1])), MetadataError::MalformedJwt("a JWT has three parts separated by dots"));
    assert_eq!(err("").code(), "metadata_malformed_jwt");
    let header =
        |h: serde_json::Value| format!("{}.{}.{}", passbind_protocol::base64url::encode(h.to_string().as_bytes()), parts[1], parts[2]);
    assert_eq!(err(&header(json!({ "alg": "ES256" }))), MetadataError::MissingX5c);
    assert_eq!(err(&header(json!({ "alg": "ES256", "x5u": "https://mds3.fidoalliance.org/x5u" }))), MetadataError::MissingX5c);
    assert_eq!(err(&header(json!({ "alg": "ES256", "x5c": ["%%%"] }))).code(), "metadata_malformed_certificate");
    let garbage = standard_base64(b"garbage");
    assert!(matches!(err(&header(json!({ "alg": "ES256", "x5c": [garbage] }))), MetadataError::Chain(ChainError::Malformed { .. })));
    let many = vec![standard_base64(&root.der); 9];
    assert_eq!(err(&header(json!({ "alg": "ES256", "x5c": many }))).code(), "metadata_malformed_certificate");
    assert_eq!(err(&header(json!("ES256"))).code(), "metadata_malformed_jwt");

    // Too large, before anything is decoded.
    let huge = "a".repeat(MAX_BLOB_BYTES + 1);
    assert_eq!(err(&huge), MetadataError::TooLarge { limit: MAX_BLOB_BYTES });
}

#[test]
fn metadata_error_codes_are_unique() {
    let every = [
        MetadataError::TooLarge { limit: 1 },
        MetadataError::MalformedJwt(""),
        MetadataError::UnsupportedAlgorithm(String::new()),
        MetadataError::MissingX5c,
        MetadataError::MalformedCertificate(String::new()),
        MetadataError::Chain(ChainError::UntrustedRoot),
        MetadataError::AlgorithmKeyMismatch(""),
        MetadataError::BadSignature,
        MetadataError::MalformedPayload(String::new()),
    ];
    let codes: std::collections::HashSet<&str> = every.iter().map(MetadataError::code).collect();
    assert_eq!(codes.len(), every.len());
    assert!(codes.iter().all(|c| c.starts_with("metadata_")));
}
