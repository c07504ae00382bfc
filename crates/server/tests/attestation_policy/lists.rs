//! AAGUID allow and deny lists, and what is recorded without a metadata BLOB.

use crate::common::mds::Ca;
use crate::common::*;
use crate::helpers::*;
use serde_json::json;

pub(crate) async fn an_allow_list_binds_only_its_aaguids(db: Db) {
    let s = TestServer::start_on(db).await;
    let config = config_id(&s, json!({"aaguid_allow": [GPM]})).await;

    let (r, identity) = bind_on(&s, &config, Made::None(aaguid(GPM))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The name comes from the service's AAGUID list (no BLOB here), in the bind answer and the admin view.
    assert_eq!(r.body["passkey"]["authenticator"]["name"], "Google Password Manager");
    assert!(r.body["passkey"]["authenticator"].get("icon").is_none());
    let c = the_credential(&s, &identity).await;
    assert_eq!(c["authenticator"]["name"], "Google Password Manager");
    assert_eq!(c["authenticator"]["aaguid"], GPM);
    assert_eq!(c["attestation"], json!({"format": "none", "type": "none", "trust": "NONE"}));

    assert_refused(&s, &bind_on(&s, &config, Made::None(aaguid(HELLO))).await, "aaguid_not_allowed").await;
    assert_refused(&s, &bind_on(&s, &config, Made::None([0; 16])).await, "aaguid_not_allowed").await;
}

pub(crate) async fn a_deny_list_refuses_its_aaguids(db: Db) {
    let s = TestServer::start_on(db).await;
    let config = config_id(&s, json!({"aaguid_deny": [HELLO]})).await;
    assert_refused(&s, &bind_on(&s, &config, Made::None(aaguid(HELLO))).await, "aaguid_denied").await;
    let (r, identity) = bind_on(&s, &config, Made::None(aaguid(GPM))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(the_credential(&s, &identity).await["authenticator"]["name"], "Google Password Manager");
    // An unlisted AAGUID binds too, without a name.
    let (r, _) = bind_on(&s, &config, Made::None([0x42; 16])).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["passkey"]["authenticator"].get("name").is_none(), "{}", r.body);
}

pub(crate) async fn without_a_blob_attestation_is_unverified_and_policies_needing_metadata_refuse(db: Db) {
    let s = TestServer::start_on(db).await;
    let vendor = Ca::root("passbind test vendor root");

    // A valid x5c chain, but no metadata to judge it by: UNVERIFIED, never TRUSTED.
    let (r, identity) = bind_on(&s, &s.dev.authenticator_config_id.clone(), Made::Packed(&vendor, aaguid(GPM))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let c = the_credential(&s, &identity).await;
    assert_eq!(c["attestation"], json!({"format": "packed", "type": "basic", "trust": "UNVERIFIED"}));
    assert_eq!(c["authenticator"]["name"], "Google Password Manager");

    let required = config_id(&s, json!({"attestation_required": true})).await;
    assert_refused(&s, &bind_on(&s, &required, Made::None(aaguid(GPM))).await, "attestation_required").await;
    assert_refused(&s, &bind_on(&s, &required, Made::Packed(&vendor, aaguid(GPM))).await, "no_metadata").await;
    let certified = config_id(&s, json!({"certified_only": true})).await;
    assert_refused(&s, &bind_on(&s, &certified, Made::Packed(&vendor, aaguid(GPM))).await, "no_metadata").await;
}
