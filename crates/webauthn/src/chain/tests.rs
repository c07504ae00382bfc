//! Chains made here with rcgen: one rule broken per case.

use super::*;
use rcgen::{
    date_time_ymd, BasicConstraints as Bc, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SignatureAlgorithm,
    PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_ED25519,
};

/// 2030-01-01T00:00:00Z: inside every default validity below.
const AT: u64 = 1_893_456_000;

struct Ca {
    der: Vec<u8>,
    issuer: Issuer<'static, KeyPair>,
}

fn params(cn: &str, is_ca: IsCa) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = date_time_ymd(2020, 1, 1);
    p.not_after = date_time_ymd(2040, 1, 1);
    p.is_ca = is_ca;
    if matches!(is_ca, IsCa::Ca(_)) {
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    }
    p
}

fn root_with(cn: &str, alg: &'static SignatureAlgorithm, bc: Bc) -> Ca {
    let key = KeyPair::generate_for(alg).unwrap();
    let p = params(cn, IsCa::Ca(bc));
    let der = p.self_signed(&key).unwrap().der().to_vec();
    Ca { der, issuer: Issuer::new(p, key) }
}

fn new_root(cn: &str) -> Ca {
    root_with(cn, &PKCS_ECDSA_P384_SHA384, Bc::Unconstrained)
}

fn ca_signed(p: CertificateParams, by: &Ca) -> Ca {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let der = p.signed_by(&key, &by.issuer).unwrap().der().to_vec();
    Ca { der, issuer: Issuer::new(p, key) }
}

fn leaf_signed(p: CertificateParams, by: &Ca) -> Vec<u8> {
    let key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    p.signed_by(&key, &by.issuer).unwrap().der().to_vec()
}

fn new_leaf(by: &Ca) -> Vec<u8> {
    leaf_signed(params("leaf", IsCa::ExplicitNoCa), by)
}

/// leaf ← intermediate ← root.
fn chain3() -> (Vec<u8>, Ca, Ca) {
    let root = new_root("root");
    let int = ca_signed(params("intermediate", IsCa::Ca(Bc::Constrained(0))), &root);
    (new_leaf(&int), int, root)
}

fn code(r: Result<(), ChainError>) -> &'static str {
    r.err().map_or("ok", |e| e.code())
}

#[test]
fn a_good_chain_verifies_with_or_without_the_anchor_in_the_path() {
    let (leaf, int, root) = chain3();
    let anchors = [root.der.clone()];
    assert_eq!(code(verify_chain(&[leaf.clone(), int.der.clone()], &anchors, AT)), "ok");
    assert_eq!(code(verify_chain(&[leaf.clone(), int.der.clone(), root.der.clone()], &anchors, AT)), "ok");
    assert_eq!(code(verify_path_signatures(&[leaf.clone(), int.der.clone(), root.der.clone()], Some(AT))), "ok");
    assert_eq!(code(verify_path_signatures(&[leaf.clone(), int.der.clone()], None)), "ok");
    // The intermediate as anchor (metadata may list it), and the leaf itself.
    assert_eq!(code(verify_chain(&[leaf.clone(), int.der.clone()], std::slice::from_ref(&int.der), AT)), "ok");
    assert_eq!(code(verify_chain(std::slice::from_ref(&leaf), std::slice::from_ref(&leaf), AT)), "ok");
}

#[test]
fn other_signature_algorithms_verify() {
    for (alg, name) in [(&PKCS_ECDSA_P256_SHA256, "p256"), (&PKCS_ED25519, "ed25519")] {
        let root = root_with("root", alg, Bc::Unconstrained);
        let leaf = new_leaf(&root);
        assert_eq!(code(verify_chain(&[leaf], std::slice::from_ref(&root.der), AT)), "ok", "{name}");
    }
}

#[test]
fn validity_periods_are_checked_at_the_given_time() {
    let (leaf, int, root) = chain3();
    let path = [leaf, int.der.clone()];
    let anchors = [root.der.clone()];
    let before = 1_500_000_000; // 2017
    let after = 2_300_000_000; // 2042
    assert_eq!(verify_chain(&path, &anchors, before), Err(ChainError::NotYetValid { index: 0 }));
    assert_eq!(verify_chain(&path, &anchors, after), Err(ChainError::Expired { index: 0 }));
    assert_eq!(verify_path_signatures(&path, Some(after)), Err(ChainError::Expired { index: 0 }));
    assert_eq!(code(verify_path_signatures(&path, None)), "ok");
    // An expired intermediate under a valid leaf.
    let root = new_root("root");
    let mut p = params("intermediate", IsCa::Ca(Bc::Unconstrained));
    p.not_after = date_time_ymd(2025, 1, 1);
    let int = ca_signed(p, &root);
    let path = [leaf_signed(params("leaf", IsCa::ExplicitNoCa), &int), int.der.clone()];
    assert_eq!(verify_chain(&path, std::slice::from_ref(&root.der), AT), Err(ChainError::Expired { index: 1 }));
}

#[test]
fn a_path_to_another_root_is_untrusted() {
    let (leaf, int, _) = chain3();
    let other = new_root("root"); // same name, other key
    let stranger = new_root("stranger");
    let path = [leaf, int.der.clone()];
    assert_eq!(verify_chain(&path, std::slice::from_ref(&stranger.der), AT), Err(ChainError::UntrustedRoot));
    assert_eq!(verify_chain(&path, &[], AT), Err(ChainError::UntrustedRoot));
    assert_eq!(verify_chain(&path, std::slice::from_ref(&other.der), AT), Err(ChainError::BadSignature { index: 1 }));
    // Garbage among the anchors is skipped.
    assert_eq!(verify_chain(&path, &[vec![0x30, 0x00], stranger.der.clone()], AT), Err(ChainError::UntrustedRoot));
}

#[test]
fn a_broken_signature_is_refused() {
    let (mut leaf, int, root) = chain3();
    let last = leaf.len() - 2;
    leaf[last] ^= 0x01; // inside the signature's s
    let path = [leaf, int.der.clone()];
    assert_eq!(verify_chain(&path, std::slice::from_ref(&root.der), AT), Err(ChainError::BadSignature { index: 0 }));
    assert_eq!(verify_path_signatures(&path, None), Err(ChainError::BadSignature { index: 0 }));
    // A leaf signed by another key under the intermediate's name.
    let (_, int2, _) = chain3();
    let forged = leaf_signed(params("leaf", IsCa::ExplicitNoCa), &int2);
    assert_eq!(verify_path_signatures(&[forged, int.der.clone()], None), Err(ChainError::BadSignature { index: 0 }));
    // Issued by someone else by name.
    let other = new_root("other");
    let stray = new_leaf(&other);
    assert_eq!(verify_path_signatures(&[stray, int.der.clone()], None), Err(ChainError::IssuerMismatch { index: 0 }));
}

#[test]
fn an_intermediate_must_be_a_ca_allowed_to_sign_certificates() {
    let root = new_root("root");
    // No basic constraints at all, then cA false.
    for is_ca in [IsCa::NoCa, IsCa::ExplicitNoCa] {
        let not_ca = ca_signed(params("intermediate", is_ca), &root);
        let path = [new_leaf(&not_ca), not_ca.der.clone()];
        assert_eq!(verify_chain(&path, std::slice::from_ref(&root.der), AT), Err(ChainError::NotCa { index: 1 }));
        // Integrity alone does not look at CA flags.
        assert_eq!(code(verify_path_signatures(&path, Some(AT))), "ok");
    }
    let mut p = params("intermediate", IsCa::Ca(Bc::Unconstrained));
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let no_cert_sign = ca_signed(p, &root);
    let path = [new_leaf(&no_cert_sign), no_cert_sign.der.clone()];
    assert_eq!(verify_chain(&path, std::slice::from_ref(&root.der), AT), Err(ChainError::NoKeyCertSign { index: 1 }));
}

#[test]
fn path_length_constraints_are_enforced() {
    // root ← int1 (pathLen 0) ← int2 ← leaf: int1 allows no intermediate below it.
    let root = new_root("root");
    let int1 = ca_signed(params("int1", IsCa::Ca(Bc::Constrained(0))), &root);
    let int2 = ca_signed(params("int2", IsCa::Ca(Bc::Unconstrained)), &int1);
    let path = [new_leaf(&int2), int2.der.clone(), int1.der.clone()];
    assert_eq!(verify_chain(&path, std::slice::from_ref(&root.der), AT), Err(ChainError::PathLenExceeded { index: 2 }));
    // The anchor's own constraint counts too, whether or not it is in the path.
    let tight = root_with("tight", &PKCS_ECDSA_P256_SHA256, Bc::Constrained(0));
    let int = ca_signed(params("int", IsCa::Ca(Bc::Unconstrained)), &tight);
    let anchors = [tight.der.clone()];
    let path = [new_leaf(&int), int.der.clone()];
    assert_eq!(verify_chain(&path, &anchors, AT), Err(ChainError::PathLenExceeded { index: 2 }));
    let with_anchor = [path[0].clone(), path[1].clone(), tight.der.clone()];
    assert_eq!(verify_chain(&with_anchor, &anchors, AT), Err(ChainError::PathLenExceeded { index: 2 }));
    // pathLen 1 allows one intermediate.
    let one = root_with("one", &PKCS_ECDSA_P256_SHA256, Bc::Constrained(1));
    let int = ca_signed(params("int", IsCa::Ca(Bc::Constrained(0))), &one);
    assert_eq!(code(verify_chain(&[new_leaf(&int), int.der.clone()], std::slice::from_ref(&one.der), AT)), "ok");
}

#[test]
fn hostile_paths_are_refused_without_panicking() {
    let (leaf, _, root) = chain3();
    let anchors = [root.der.clone()];
    assert_eq!(verify_chain(&[], &anchors, AT), Err(ChainError::EmptyPath));
    assert_eq!(verify_chain(&vec![leaf.clone(); MAX_PATH_LEN + 1], &anchors, AT), Err(ChainError::PathTooLong));
    for bad in
        [vec![], vec![0x30], vec![0x30, 0x84, 0xff, 0xff, 0xff, 0xff], leaf[..leaf.len() - 1].to_vec(), [leaf.clone(), vec![0]].concat()]
    {
        assert_eq!(code(verify_chain(std::slice::from_ref(&bad), &anchors, AT)), "malformed");
        assert_eq!(code(verify_path_signatures(&[leaf.clone(), bad], None)), "malformed");
    }
}

#[test]
fn extensions_are_found_by_oid() {
    let mut p = params("leaf", IsCa::ExplicitNoCa);
    p.custom_extensions = vec![rcgen::CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 45724, 1, 1, 4], vec![0x04, 0x02, 1, 2])];
    let der = leaf_signed(p, &new_root("root"));
    let cert = parse_certificate(&der).unwrap();
    let aaguid = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.45724.1.1.4");
    assert_eq!(extension(&cert, &aaguid), Ok(Some((false, &[0x04, 0x02, 1, 2][..]))));
    assert_eq!(extension(&cert, &ObjectIdentifier::new_unwrap("1.2.3.4")), Ok(None));
    assert!(matches!(certificate_public_key(&der), Ok(PublicKey::P256(_))));
    assert_eq!(certificate_public_key(&[0x30, 0]).err().map(|e| e.code()), Some("malformed_certificate"));
}

/// A P-256 leaf under an RSA-2048 root, the leaf's certificate signed with
/// RSA PKCS#1 v1.5 and SHA-1 (rcgen signs SHA-256 only: the algorithm OID is
/// rewritten in place, same length, and the TBS signed again with SHA-1).
fn sha1_signed_leaf() -> (Vec<u8>, Vec<u8>) {
    let (leaf, _, root) = sha1_signed_leaf_with(params("leaf", IsCa::ExplicitNoCa));
    (leaf, root)
}

/// [`sha1_signed_leaf`] with these leaf parameters: (leaf, its key, root).
fn sha1_signed_leaf_with(leaf_params: CertificateParams) -> (Vec<u8>, KeyPair, Vec<u8>) {
    use rsa::pkcs8::DecodePrivateKey;
    use sha2::Digest;
    let pem = include_str!("../../tests/vectors/metadata/test-signer-rsa2048.pem");
    let root_key = KeyPair::from_pkcs8_pem_and_sign_algo(pem, &rcgen::PKCS_RSA_SHA256).unwrap();
    let root_params = params("SHA-1 root", IsCa::Ca(Bc::Unconstrained));
    let root_der = root_params.self_signed(&root_key).unwrap().der().to_vec();
    let root = Ca { der: root_der, issuer: Issuer::new(root_params, root_key) };
    let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mut leaf = leaf_params.signed_by(&leaf_key, &root.issuer).unwrap().der().to_vec();
    let sha256_rsa = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
    let mut found = 0;
    for i in 0..leaf.len() - sha256_rsa.len() {
        if leaf[i..i + sha256_rsa.len()] == sha256_rsa {
            leaf[i + sha256_rsa.len() - 1] = 0x05; // sha1WithRSAEncryption
            found += 1;
        }
    }
    assert_eq!(found, 2, "the TBS's and the certificate's algorithm");
    let tbs = parse(&leaf, 0).unwrap().tbs.to_vec();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let url: String = body.trim_end_matches('=').replace('+', "-").replace('/', "_");
    let rsa_key = rsa::RsaPrivateKey::from_pkcs8_der(&passbind_protocol::base64url::decode(&url).unwrap()).unwrap();
    let sig = rsa_key.sign(rsa::Pkcs1v15Sign::new::<sha1::Sha1>(), &sha1::Sha1::digest(&tbs)).unwrap();
    let at = leaf.len() - sig.len();
    leaf[at..].copy_from_slice(&sig);
    (leaf, leaf_key, root.der)
}

#[test]
fn sha1_signatures_are_refused_unless_the_chain_is_a_tpm_one() {
    let (leaf, root) = sha1_signed_leaf();
    let anchors = [root.clone()];
    // What packed, fido-u2f, apple, android-key and SafetyNet check (their x5c integrity) …
    assert_eq!(verify_path_signatures(&[leaf.clone(), root.clone()], None), Err(ChainError::UnsupportedAlgorithm { index: 0 }));
    // … and the trust decision for them: refused.
    assert_eq!(verify_chain(std::slice::from_ref(&leaf), &anchors, AT), Err(ChainError::UnsupportedAlgorithm { index: 0 }));
    // A TPM AIK chain may use SHA-1 (and the signature is a real one).
    assert_eq!(verify_path_signatures_with(&[leaf.clone(), root.clone()], None, ChainOptions::TPM), Ok(()));
    assert_eq!(verify_chain_with(std::slice::from_ref(&leaf), &anchors, AT, ChainOptions::TPM), Ok(()));
    let mut forged = leaf.clone();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    assert_eq!(verify_chain_with(&[forged], &anchors, AT, ChainOptions::TPM), Err(ChainError::BadSignature { index: 0 }));
}

#[test]
fn a_packed_statement_whose_certificate_is_signed_with_sha1_is_refused() {
    use crate::attestation::{verify_statement, AttestationObject};
    use crate::authenticator_data::AuthenticatorData;
    use crate::cose::CoseKey;
    use ciborium::Value;
    use rcgen::SigningKey as _;
    // A §8.2.1 attestation certificate (C, O, OU, CN) whose CA signed it with SHA-1.
    let mut p = params("Authenticator", IsCa::ExplicitNoCa);
    p.distinguished_name.push(DnType::CountryName, rcgen::DnValue::PrintableString("SE".try_into().unwrap()));
    p.distinguished_name.push(DnType::OrganizationName, "passbind tests");
    p.distinguished_name.push(DnType::OrganizationalUnitName, "Authenticator Attestation");
    let (leaf, leaf_key, root) = sha1_signed_leaf_with(p);
    // The credential key is the attestation key here (any P-256 key would do).
    let point = leaf_key.public_key_raw();
    let int = |i: i64| Value::Integer(i.into());
    let cose = [
        (int(1), int(2)),
        (int(3), int(-7)),
        (int(-1), int(1)),
        (int(-2), Value::Bytes(point[1..33].to_vec())),
        (int(-3), Value::Bytes(point[33..].to_vec())),
    ];
    let mut cose_bytes = Vec::new();
    ciborium::into_writer(&Value::Map(cose.to_vec()), &mut cose_bytes).unwrap();
    let mut auth_data = [[0x11u8; 32].as_slice(), &[0x41], &[0; 4], &[0x22; 16], &[0, 1, 0x33]].concat();
    auth_data.extend_from_slice(&cose_bytes);
    let client_data_hash = [0x44u8; 32];
    let sig = leaf_key.sign(&[auth_data.as_slice(), &client_data_hash].concat()).unwrap();
    let att_stmt = vec![
        (Value::Text("alg".into()), int(-7)),
        (Value::Text("sig".into()), Value::Bytes(sig)),
        (Value::Text("x5c".into()), Value::Array(vec![Value::Bytes(leaf), Value::Bytes(root)])),
    ];
    let att = AttestationObject { fmt: "packed".into(), att_stmt, auth_data: auth_data.clone(), compound: Vec::new() };
    let auth = AuthenticatorData::parse(&auth_data).unwrap();
    let key = CoseKey::parse(&cose_bytes).unwrap();
    let refused = verify_statement(&att, &auth, &key, &client_data_hash);
    assert_eq!(refused.err().map(|e| e.code()), Some("chain_unsupported_algorithm"));
}
