//! Every format live: `:invokeAuthenticator` gives a fresh challenge, the
//! test makes the format's attestation object for it (tests/common/attest/,
//! signed by a test vendor's CAs), `:bindCredential` verifies it over HTTP;
//! a test metadata BLOB lists each model with the vendor's root, so each
//! binds TRUSTED under a config that requires attestation, and one broken
//! rule per format is refused with its exact reason.

use crate::common::attest::certs::{U2fDevice, Vendor};
use crate::common::attest::{formats, tpm, Ceremony};
use crate::common::mds::{fido2_entry, server_trusting, u2f_entry, Ca};
use crate::common::*;
use passbind_protocol::wire::RegistrationResponse;
use reqwest::Method;
use serde_json::json;

const PACKED: &str = "aaaa0001-0000-4000-8000-000000000001";
const APPLE: &str = "aaaa0002-0000-4000-8000-000000000002";
const ANDROID_KEY: &str = "aaaa0003-0000-4000-8000-000000000003";
const TPM: &str = "aaaa0004-0000-4000-8000-000000000004";
const SAFETYNET: &str = "aaaa0005-0000-4000-8000-000000000005";

fn aaguid(text: &str) -> [u8; 16] {
    let hex: String = text.chars().filter(|c| *c != '-').collect();
    (0..16).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect::<Vec<_>>().try_into().unwrap()
}

struct Setup {
    s: TestServer,
    vendor: Vendor,
    u2f: U2fDevice,
    /// A config that requires a trusted attestation.
    required: String,
    _dir: tempfile::TempDir,
}

/// A server whose BLOB lists every model (and the U2F key by its key identifier) under the vendor's root.
async fn setup(db: Db) -> Setup {
    let vendor = Vendor::new("passbind test vendor");
    let u2f = U2fDevice::new(&vendor);
    let roots: &[&[u8]] = &[&vendor.root];
    let certified = &[("FIDO_CERTIFIED_L1", "2024-01-02")];
    let mut entries: Vec<_> = [(PACKED, "Test packed key"), (APPLE, "Test Apple"), (ANDROID_KEY, "Test Android"), (TPM, "Test TPM")]
        .iter()
        .map(|(a, name)| fido2_entry(a, name, roots, certified))
        .collect();
    entries.push(fido2_entry(SAFETYNET, "Test SafetyNet", roots, certified));
    entries.push(u2f_entry(std::slice::from_ref(&u2f.key_id), "Test U2F key", roots, certified));
    let mds_root = Ca::root("passbind test metadata root");
    let (s, dir) = server_trusting(db, &mds_root, entries).await;
    let body = json!({"authenticator_config": {"config": {"type": "hosted_web", "policy": {"attestation_required": true}}}});
    let r = s.admin(Method::POST, &format!("{}/authenticator-configs", s.realm_path()), Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let required = r.body["id"].as_str().unwrap().to_owned();
    Setup { s, vendor, u2f, required, _dir: dir }
}

/// A fresh identity with a job on the config; the credential `make` builds for the live ceremony, bound.
async fn bind(setup: &Setup, aaguid: [u8; 16], make: impl FnOnce(&Ceremony) -> RegistrationResponse) -> (Resp, String) {
    let s = &setup.s;
    let identity = s.create_identity(&format!("user-{}", passbind_server::util::new_id())).await;
    let identity_id = identity["id"].as_str().unwrap().to_owned();
    let (_, link) = s.create_job(&identity_id, &setup.required, None).await;
    let invoke = s.invoke_ok(&link).await;
    assert_eq!(invoke.public_key.attestation.as_deref(), Some("direct"));
    let ceremony = Ceremony::new(&invoke.public_key.challenge, &s.server.public_url, "localhost", aaguid);
    let credential = make(&ceremony);
    (s.bind(&link, &invoke.ceremony_id, &credential).await, identity_id)
}

/// The formats made here: (format, AAGUID, attestation type, model name, what the authenticator sends).
type Make = Box<dyn Fn(&Setup, &Ceremony) -> RegistrationResponse>;

fn good() -> Vec<(&'static str, [u8; 16], &'static str, &'static str, Make)> {
    vec![
        ("packed", aaguid(PACKED), "basic", "Test packed key", Box::new(|s, c| formats::packed(c, &s.vendor, aaguid(PACKED)))),
        ("fido-u2f", [0; 16], "basic", "Test U2F key", Box::new(|s, c| formats::fido_u2f(c, &s.u2f, false))),
        ("apple", aaguid(APPLE), "anonca", "Test Apple", Box::new(|s, c| formats::apple(c, &s.vendor, c.nonce()))),
        ("android-key", aaguid(ANDROID_KEY), "basic", "Test Android", Box::new(|s, c| formats::android_key(c, &s.vendor, false))),
        ("tpm", aaguid(TPM), "attca", "Test TPM", Box::new(|s, c| tpm::tpm(c, &s.vendor, aaguid(TPM), true))),
        (
            "android-safetynet",
            aaguid(SAFETYNET),
            "basic",
            "Test SafetyNet",
            Box::new(|s, c| formats::android_safetynet(c, &s.vendor, true)),
        ),
    ]
}

pub(crate) async fn every_format_made_for_the_live_ceremony_binds_trusted(db: Db) {
    let setup = setup(db).await;
    for (format, aaguid, att_type, name, make) in good() {
        let (r, identity) = bind(&setup, aaguid, |c| make(&setup, c)).await;
        assert_eq!(r.status, 200, "{format}: {}", r.body);
        assert_eq!(r.body["passkey"]["authenticator"]["name"], name, "{format}");
        let list = setup.s.credentials(&identity).await;
        assert_eq!(list.len(), 1, "{format}");
        assert_eq!(list[0]["attestation"], json!({"format": format, "type": att_type, "trust": "TRUSTED"}), "{format}");
        assert_eq!(list[0]["authenticator"]["name"], name, "{format}");
    }
}

pub(crate) async fn one_broken_rule_per_format_is_refused_with_its_reason(db: Db) {
    let setup = setup(db).await;
    let cases: Vec<(&str, [u8; 16], &str, Make)> = vec![
        // The certificate's AAGUID extension names another model.
        ("packed", aaguid(PACKED), "certificate_aaguid_mismatch", Box::new(|s, c| formats::packed(c, &s.vendor, aaguid(TPM)))),
        ("fido-u2f", [0; 16], "bad_signature", Box::new(|s, c| formats::fido_u2f(c, &s.u2f, true))),
        // A certificate made for another ceremony.
        ("apple", aaguid(APPLE), "apple_nonce_mismatch", Box::new(|s, c| formats::apple(c, &s.vendor, [7; 32]))),
        ("android-key", aaguid(ANDROID_KEY), "android_key_all_applications", Box::new(|s, c| formats::android_key(c, &s.vendor, true))),
        ("tpm", aaguid(TPM), "tpm_aik_eku_missing", Box::new(|s, c| tpm::tpm(c, &s.vendor, aaguid(TPM), false))),
        (
            "android-safetynet",
            aaguid(SAFETYNET),
            "safetynet_cts_profile_mismatch",
            Box::new(|s, c| formats::android_safetynet(c, &s.vendor, false)),
        ),
    ];
    for (format, aaguid, reason, make) in cases {
        let (r, identity) = bind(&setup, aaguid, |c| make(&setup, c)).await;
        assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{format}: {}", r.body);
        let reasons: Vec<_> = r.error().details.iter().filter_map(|d| d.reason.clone()).collect();
        assert_eq!(reasons, [reason], "{format}: {}", r.body);
        assert!(setup.s.credentials(&identity).await.is_empty(), "{format}");
    }
}
