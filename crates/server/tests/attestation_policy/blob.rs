//! With a metadata BLOB (signed by a test metadata root made here, listing
//! models whose attestation root is a test vendor root): trust, status,
//! certified only, names and icons from the BLOB.

use crate::common::mds::{fido2_entry, server_trusting, u2f_entry, u2f_leaf, Ca};
use crate::common::*;
use crate::helpers::*;
use rcgen::KeyPair;
use serde_json::json;

const CERTIFIED: &str = "11111111-2222-4333-8444-555555555555";
const UNCERTIFIED: &str = "22222222-2222-4333-8444-555555555555";
const REVOKED: &str = "33333333-2222-4333-8444-555555555555";
const BYPASS: &str = "44444444-2222-4333-8444-555555555555";
const ICON: &str = "data:image/png;base64,iVBORw0KGgo=";

/// A server whose `--mds-blob` lists the models above (and GPM's AAGUID under
/// another name, and a U2F key by its key identifier), all attested under the
/// returned vendor root; and that U2F key's certificate and key.
async fn with_blob(db: Db) -> (TestServer, Ca, (Vec<u8>, KeyPair), tempfile::TempDir) {
    let vendor = Ca::root("passbind test vendor root");
    let (u2f_cert, u2f_key, key_id) = u2f_leaf(&vendor);
    let mds_root = Ca::root("passbind test metadata root");
    let roots: &[&[u8]] = &[&vendor.der];
    let entries = vec![
        fido2_entry(CERTIFIED, "Test Key L1", roots, &[("FIDO_CERTIFIED_L1", "2024-01-02")]),
        fido2_entry(UNCERTIFIED, "Test Key Self-Asserted", roots, &[("SELF_ASSERTION_SUBMITTED", "2024-01-02")]),
        fido2_entry(REVOKED, "Test Key Revoked", roots, &[("FIDO_CERTIFIED", "2020-01-01"), ("REVOKED", "2025-03-01")]),
        fido2_entry(BYPASS, "Test Key Bypassed", roots, &[("FIDO_CERTIFIED_L1", "2023-01-01"), ("USER_VERIFICATION_BYPASS", "2025-01-01")]),
        fido2_entry(GPM, "Password Manager per the BLOB", roots, &[("FIDO_CERTIFIED_L1", "2024-01-02")]),
        u2f_entry(&[key_id], "Test U2F Key", roots, &[("FIDO_CERTIFIED", "2019-01-01")]),
    ];
    let (s, dir) = server_trusting(db, &mds_root, entries).await;
    (s, vendor, (u2f_cert, u2f_key), dir)
}

pub(crate) async fn with_a_blob_a_chain_to_the_entry_root_is_trusted_and_named(db: Db) {
    let (s, vendor, _u2f, _dir) = with_blob(db).await;
    let dev = s.dev.authenticator_config_id.clone();
    let (r, identity) = bind_on(&s, &dev, Made::Packed(&vendor, aaguid(CERTIFIED))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["passkey"]["authenticator"]["name"], "Test Key L1");
    assert_eq!(r.body["passkey"]["authenticator"]["icon"], ICON);
    let c = the_credential(&s, &identity).await;
    assert_eq!(c["attestation"], json!({"format": "packed", "type": "basic", "trust": "TRUSTED"}));
    assert_eq!((c["authenticator"]["name"].as_str(), c["authenticator"]["icon"].as_str()), (Some("Test Key L1"), Some(ICON)));

    // The BLOB's name wins over the AAGUID list's; `none` proves nothing: trust NONE.
    let (r, identity) = bind_on(&s, &dev, Made::None(aaguid(GPM))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = the_credential(&s, &identity).await;
    assert_eq!(c["authenticator"]["name"], "Password Manager per the BLOB");
    assert_eq!(c["attestation"]["trust"], "NONE");

    // Attestation required: the trusted chain binds, `none` does not.
    let required = config_id(&s, json!({"attestation_required": true, "aaguid_allow": [CERTIFIED]})).await;
    let (r, _) = bind_on(&s, &required, Made::Packed(&vendor, aaguid(CERTIFIED))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_refused(&s, &bind_on(&s, &required, Made::None(aaguid(CERTIFIED))).await, "attestation_required").await;
}

pub(crate) async fn certified_only_takes_certified_models_and_status_refuses_revoked_ones(db: Db) {
    let (s, vendor, _u2f, _dir) = with_blob(db).await;
    let certified = config_id(&s, json!({"certified_only": true})).await;
    let (r, identity) = bind_on(&s, &certified, Made::Packed(&vendor, aaguid(CERTIFIED))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(the_credential(&s, &identity).await["attestation"]["trust"], "TRUSTED");
    assert_refused(&s, &bind_on(&s, &certified, Made::Packed(&vendor, aaguid(UNCERTIFIED))).await, "not_certified").await;
    assert_refused(&s, &bind_on(&s, &certified, Made::None(aaguid(HELLO))).await, "not_certified").await;
    assert_refused(&s, &bind_on(&s, &certified, Made::Packed(&vendor, aaguid(REVOKED))).await, "authenticator_revoked").await;

    // A revoked or compromised model is refused whatever the config asks.
    let dev = s.dev.authenticator_config_id.clone();
    assert_refused(&s, &bind_on(&s, &dev, Made::Packed(&vendor, aaguid(REVOKED))).await, "authenticator_revoked").await;
    assert_refused(&s, &bind_on(&s, &dev, Made::None(aaguid(REVOKED))).await, "authenticator_revoked").await;
    assert_refused(&s, &bind_on(&s, &dev, Made::Packed(&vendor, aaguid(BYPASS))).await, "authenticator_compromised").await;
}

pub(crate) async fn a_chain_to_another_root_is_untrusted(db: Db) {
    let (s, _vendor, _u2f, _dir) = with_blob(db).await;
    let other = Ca::root("someone else's root");
    let required = config_id(&s, json!({"attestation_required": true})).await;
    assert_refused(&s, &bind_on(&s, &required, Made::Packed(&other, aaguid(CERTIFIED))).await, "untrusted_attestation").await;
    // A model the BLOB does not list cannot be trusted either.
    assert_refused(&s, &bind_on(&s, &required, Made::Packed(&other, aaguid(HELLO))).await, "untrusted_attestation").await;

    // Without the requirement it binds, recorded as UNTRUSTED (never TRUSTED).
    let dev = s.dev.authenticator_config_id.clone();
    let (r, identity) = bind_on(&s, &dev, Made::Packed(&other, aaguid(CERTIFIED))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(the_credential(&s, &identity).await["attestation"]["trust"], "UNTRUSTED");
}

pub(crate) async fn a_u2f_key_is_found_by_its_key_identifier(db: Db) {
    let (s, _vendor, u2f, _dir) = with_blob(db).await;
    // U2F has no AAGUID: the BLOB's entry is found by the certificate's key identifier.
    let certified = config_id(&s, json!({"certified_only": true, "attestation_required": true})).await;
    let (r, identity) = bind_on(&s, &certified, Made::U2f(&u2f)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = the_credential(&s, &identity).await;
    assert_eq!(c["attestation"], json!({"format": "fido-u2f", "type": "basic", "trust": "TRUSTED"}));
    assert_eq!(
        (c["authenticator"]["name"].as_str(), c["authenticator"]["aaguid"].as_str()),
        (Some("Test U2F Key"), Some("00000000-0000-0000-0000-000000000000"))
    );
}
