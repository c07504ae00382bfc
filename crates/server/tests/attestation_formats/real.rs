//! The real vectors' outcomes (vectors.rs loads them): trusted with their
//! vendor's root, unverified without a BLOB, and each format's exact refusal.

use crate::common::mds::Ca;
use crate::vectors::*;
use ciborium::Value as Cbor;
use passbind_protocol::base64url;
use passbind_protocol::wire::RegistrationResponse;
use passbind_server::store::{AttestationPolicy, AttestationTrust};

/// 2060-01-01: after every vector's leaf certificate's notAfter.
const LATER: u64 = 2_840_140_800;
const CERTIFIED: &[(&str, &str)] = &[("FIDO_CERTIFIED", "2019-01-01")];
const REVOKED: &[(&str, &str)] = &[("FIDO_CERTIFIED", "2019-01-01"), ("REVOKED", "2020-06-01")];

#[test]
fn every_real_vector_is_trusted_with_its_vendors_root_and_unverified_without_metadata() {
    for v in all() {
        let roots: Vec<&[u8]> = v.root.iter().map(Vec::as_slice).collect();
        let blob = blob(if roots.is_empty() { vec![] } else { vec![v.entry(&roots, CERTIFIED)] }, v.at);
        // Attestation required where there is one: only a trusted chain binds.
        let policy = if v.root.is_some() { required() } else { AttestationPolicy::default() };
        let r = v.admit(&v.response, policy, Some(&blob), v.at);
        let want = if v.root.is_some() { AttestationTrust::Trusted } else { AttestationTrust::None };
        assert_eq!(trust(&r), want, "{}", v.name);
        let admitted = r.unwrap();
        assert_eq!(admitted.verified.attestation.att_type.as_str(), v.att_type, "{}", v.name);
        if v.root.is_some() {
            assert_eq!(admitted.decision.name.as_deref(), Some(v.name), "the BLOB's description names the model");
        }
        // What `:bindCredential` stores.
        let job = passbind_server::store::Job {
            id: "job".to_owned().into(),
            tenant_id: "tenant".to_owned().into(),
            realm_id: "realm".to_owned().into(),
            identity_id: "identity".to_owned().into(),
            delivery_method: passbind_server::store::DeliveryMethod::Return,
            state: passbind_server::store::JobState::LinkOpened,
            authenticator_config_id: "config".to_owned().into(),
            post_binding_redirect_uri: None,
            token_hash: String::new(),
            expire_time: 0,
            create_time: 0,
            update_time: 0,
            completed_ceremony_id: None,
            credential_record_id: None,
        };
        let stored = admitted.into_credential(&job, "ceremony", 1);
        assert_eq!(stored.attestation_type.as_deref(), Some(v.att_type), "{}", v.name);
        assert_eq!(stored.attestation_trust, want, "{}", v.name);
        assert_eq!(stored.trust_path.is_empty(), v.root.is_none(), "{}", v.name);

        // Without a BLOB: verified for integrity only, never called trusted.
        let want = if v.root.is_some() { AttestationTrust::Unverified } else { AttestationTrust::None };
        assert_eq!(trust(&v.admit(&v.response, AttestationPolicy::default(), None, v.at)), want, "{}", v.name);
    }
}

/// One refusal per rule broken, per format: (case, expected code, expected reason).
struct Expected {
    tampered: &'static str,
    nonce: &'static str,
    aaguid: &'static str,
    expired: &'static str,
}

fn expected(name: &str) -> Expected {
    let (tampered, nonce, aaguid, expired) = match name {
        "packed" => ("bad_signature", "bad_signature", "certificate_aaguid_mismatch", "chain_expired"),
        "fido-u2f" => ("bad_signature", "bad_signature", "fido_u2f_aaguid_not_zero", "chain_expired"),
        "apple" => ("chain_bad_signature", "apple_nonce_mismatch", "apple_nonce_mismatch", "chain_expired"),
        "android-key" => ("bad_signature", "android_key_challenge_mismatch", "bad_signature", "chain_expired"),
        "tpm RSA" | "tpm ECC" | "compound" => ("bad_signature", "tpm_extra_data_mismatch", "tpm_extra_data_mismatch", "chain_expired"),
        // SafetyNet's response is 5 minutes old at most: its timestamp is refused before its chain.
        "android-safetynet" => {
            ("bad_signature", "safetynet_nonce_mismatch", "safetynet_nonce_mismatch", "safetynet_timestamp_out_of_window")
        }
        other => panic!("{other}"),
    };
    Expected { tampered, nonce, aaguid, expired }
}

fn flip(bytes: &mut [u8], at: usize) {
    bytes[at] ^= 0x01;
}

/// The statement's signature (or, for apple, which has none, the leaf certificate's) tampered with.
fn tampered(v: &Vector) -> RegistrationResponse {
    with_object(&v.response, |top| {
        let fmt = member(top, "fmt").clone();
        let stmt = member(top, "attStmt");
        let stmt = match (fmt, stmt) {
            // The tpm part: {fmt, attStmt}.
            (Cbor::Text(f), Cbor::Array(parts)) if f == "compound" => {
                let Cbor::Map(part) = &mut parts[1] else { panic!("part") };
                member(part, "attStmt")
            }
            (_, s) => s,
        };
        let Cbor::Map(stmt) = stmt else { panic!("attStmt") };
        if v.name == "apple" {
            let Cbor::Array(x5c) = member(stmt, "x5c") else { panic!() };
            let Cbor::Bytes(leaf) = &mut x5c[0] else { panic!() };
            let at = leaf.len() - 2;
            flip(leaf, at);
        } else if v.name == "android-safetynet" {
            // A byte of the JWS signature (a character well inside its last segment).
            let Cbor::Bytes(jws) = member(stmt, "response") else { panic!() };
            let at = jws.len() - 20;
            jws[at] = if jws[at] == b'A' { b'B' } else { b'A' };
        } else {
            let Cbor::Bytes(sig) = member(stmt, "sig") else { panic!() };
            let at = sig.len() - 1;
            flip(sig, at);
        }
    })
}

/// Another clientDataJSON for the same challenge (a member added): what every
/// format binds with its nonce, extraData, challenge or signature changes.
fn other_client_data(v: &Vector) -> RegistrationResponse {
    let mut out = v.response.clone();
    let json = String::from_utf8(base64url::decode(&out.response.client_data_json).unwrap()).unwrap();
    let changed = format!("{},\"passbindTest\":1}}", json.trim_end().trim_end_matches('}'));
    out.response.client_data_json = base64url::encode(changed.as_bytes());
    out
}

/// The authenticator data's AAGUID changed.
fn other_aaguid(v: &Vector) -> RegistrationResponse {
    with_object(&v.response, |top| {
        let Cbor::Bytes(auth) = member(top, "authData") else { panic!() };
        auth[37..53].copy_from_slice(&[0x11; 16]);
    })
}

#[test]
fn each_format_refuses_with_the_exact_reason() {
    let mut wrong = Vec::new();
    let mut check = |name: &str, case: &str, got: (String, String), want: (&str, &str)| {
        if (got.0.as_str(), got.1.as_str()) != want {
            wrong.push(format!("{name} {case}: got {got:?}, want {want:?}"));
        }
    };
    let rejected = "ATTESTATION_REJECTED";
    for v in all().into_iter().filter(|v| v.root.is_some()) {
        let root = v.root.clone().unwrap();
        let e = expected(v.name);
        let trusted = blob(vec![v.entry(&[&root], CERTIFIED)], v.at);
        let admit = |resp: &RegistrationResponse, at| refusal(v.admit(resp, required(), Some(&trusted), at));
        check(v.name, "tampered signature", admit(&tampered(&v), v.at), (rejected, e.tampered));
        check(v.name, "wrong nonce", admit(&other_client_data(&v), v.at), (rejected, e.nonce));
        check(v.name, "AAGUID mismatch", admit(&other_aaguid(&v), v.at), (rejected, e.aaguid));
        check(v.name, "expired chain", admit(&v.response, LATER), (rejected, e.expired));
        // Another ceremony's challenge.
        let origins = [v.origin.clone()];
        let other = passbind_server::trust::admit::admit(
            &config(required()),
            &v.expectation(b"another ceremony", &origins),
            &v.response,
            Some(&trusted),
            v.at,
        );
        check(v.name, "wrong challenge", refusal(other), (rejected, "challenge_mismatch"));
        // The model's latest status report is REVOKED: refused whatever the policy.
        let revoked = blob(vec![v.entry(&[&root], REVOKED)], v.at);
        check(
            v.name,
            "revoked",
            refusal(v.admit(&v.response, AttestationPolicy::default(), Some(&revoked), v.at)),
            (rejected, "authenticator_revoked"),
        );
        // The entry names another root: untrusted, refused when attestation is required.
        let stranger = Ca::root("another vendor's root");
        let untrusted = blob(vec![v.entry(&[&stranger.der], CERTIFIED)], v.at);
        check(
            v.name,
            "untrusted root",
            refusal(v.admit(&v.response, required(), Some(&untrusted), v.at)),
            (rejected, "untrusted_attestation"),
        );
        assert_eq!(trust(&v.admit(&v.response, AttestationPolicy::default(), Some(&untrusted), v.at)), AttestationTrust::Untrusted);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
