//! Every refusal of a ceremony: wrong challenge, origin or RP ID, missing
//! flags, invalid links, job and identity states, registered credentials.

use crate::common::*;
use crate::helpers::*;
use passbind_protocol::base64url;
use reqwest::Method;
use serde_json::json;

pub(crate) async fn a_credential_for_another_challenge_is_rejected(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("carol").await;
    let invoke = s.invoke_ok(&link).await;
    let mut options = options_json(&invoke);
    options["challenge"] = json!(base64url::encode(&[7u8; 32]));
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;

    // A challenge from an older ceremony of the same job is refused too.
    let newer = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let r = s.bind(&link, &newer.ceremony_id, &cred).await;
    assert_eq!(r.code(), "ATTESTATION_REJECTED");
    assert_nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn a_credential_made_on_another_origin_is_a_security_error(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("dave").await;
    let invoke = s.invoke_ok(&link).await;
    // Same RP ID (localhost) but another port: another origin.
    let cred = create_credential(&mut software_authenticator(), "http://localhost:1", &options_json(&invoke)).await;
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (403, "SECURITY"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn a_credential_for_another_rp_id_is_a_security_error(db: Db) {
    let s = TestServer::start_on(db).await;
    // An embedded app at app.localhost that trusts the page at our origin.
    let cfg = s
        .admin(
            Method::POST,
            &format!("{}/authenticator-configs", s.realm_path()),
            Some(json!({"authenticator_config": {"config": {"type": "embedded", "invoke_url": "https://app.localhost", "trusted_origins": [s.server.public_url]}}})),
        )
        .await;
    assert_eq!(cfg.status, 200, "{}", cfg.body);
    let identity = s.create_identity("erin").await;
    let (_, link) = s.create_job(identity["id"].as_str().unwrap(), cfg.body["id"].as_str().unwrap(), None).await;
    let invoke = s.invoke_ok(&link).await;
    assert_eq!(invoke.public_key.rp.id.as_deref(), Some("app.localhost"));
    // The page scopes the credential to its own host instead.
    let mut options = options_json(&invoke);
    options["rp"]["id"] = json!("localhost");
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (403, "SECURITY"), "{}", r.body);
    assert_nothing_bound(&s, &identity, &link).await;

    // Tampering the RP ID hash directly is refused the same way. (This one is
    // made on the app's own page, the invoke_url's origin.)
    let cred = create_credential(&mut software_authenticator(), "https://app.localhost", &options_json(&invoke)).await;
    let ok_len = cred.response.attestation_object.len();
    let tampered = tamper_auth_data(&cred, |d| d[0] ^= 1);
    assert_eq!(tampered.response.attestation_object.len(), ok_len);
    let r = s.bind(&link, &invoke.ceremony_id, &tampered).await;
    assert_eq!(r.code(), "SECURITY");
    // And the untampered one binds.
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

pub(crate) async fn missing_user_verification_or_presence_is_rejected(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("frank").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    for (flag, name) in [(0x04u8, "UV"), (0x01u8, "UP")] {
        let tampered = tamper_auth_data(&cred, |d| d[32] &= !flag);
        let r = s.bind(&link, &invoke.ceremony_id, &tampered).await;
        assert_eq!((r.status, r.code().as_str()), (422, "ATTESTATION_REJECTED"), "{name}: {}", r.body);
        assert!(r.error().message.contains(name), "{}", r.body);
    }
    assert_nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn unknown_tokens_and_other_jobs_tokens_are_invalid_links(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("gina").await;
    let (_, other_link) = s.identity_with_link("hank").await;

    let r = s.invoke(&link, "not-the-token").await;
    assert_eq!((r.status, r.code().as_str()), (400, "INVALID_LINK"));
    let r = s.invoke(&link, &other_link.token).await;
    assert_eq!(r.code(), "INVALID_LINK");
    let mut unknown_job = link.clone();
    unknown_job.job_id = "0000000000000000".into();
    assert_eq!(s.invoke(&unknown_job, &link.token).await.code(), "INVALID_LINK");

    // bindCredential checks the token before anything else.
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let mut wrong = link.clone();
    wrong.token = other_link.token.clone();
    let r = s.bind(&wrong, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.code(), "INVALID_LINK");
    assert_nothing_bound(&s, &identity, &link).await;

    // An unknown ceremony of the right job: start again.
    let r = s.bind(&link, "ffffffffffffffff", &cred).await;
    assert_eq!((r.status, r.code().as_str()), (422, "NOT_ALLOWED"));
    assert_nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn job_and_identity_states_are_enforced(db: Db) {
    let s = TestServer::start_on(db).await;

    // Expired job.
    let (_, link) = s.identity_with_link("ivy").await;
    s.sql(&format!("UPDATE credential_binding_jobs SET expire_time = 0 WHERE id = '{}'", link.job_id)).await;
    let r = s.invoke(&link, &link.token).await;
    assert_eq!((r.status, r.code().as_str()), (410, "LINK_EXPIRED"));
    assert_eq!(s.job(&link).await["state"], "EXPIRED");

    // Revoked job (through the admin API).
    let (_, link) = s.identity_with_link("jack").await;
    let r = s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["state"], "REVOKED");
    let r = s.invoke(&link, &link.token).await;
    assert_eq!((r.status, r.code().as_str()), (410, "JOB_REVOKED"));

    // Suspended identity.
    let (identity, link) = s.identity_with_link("kate").await;
    let identity_path = format!("{}/identities/{}", s.realm_path(), identity["id"].as_str().unwrap());
    let r = s.admin(Method::PATCH, &identity_path, Some(json!({"identity": {"status": "suspended"}}))).await;
    assert_eq!((r.status, r.body["status"].as_str()), (200, Some("suspended")), "{}", r.body);
    let r = s.invoke(&link, &link.token).await;
    assert_eq!((r.status, r.code().as_str()), (422, "IDENTITY_SUSPENDED"));
    // Active again: the same link works.
    s.admin(Method::PATCH, &identity_path, Some(json!({"identity": {"status": "active"}}))).await;
    assert_eq!(s.invoke(&link, &link.token).await.status, 200);

    // Another job's ceremony (an expired one: attack matrix 20) is refused.
    let (identity, link) = s.identity_with_link("liam").await;
    let (_, other_link) = s.identity_with_link("liam-other").await;
    let other = s.invoke_ok(&other_link).await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    let r = s.bind(&link, &other.ceremony_id, &cred).await;
    assert_eq!((r.status, r.code().as_str()), (422, "NOT_ALLOWED"));
    assert_nothing_bound(&s, &identity, &link).await;
    // A cancelled or timed-out prompt retries with a new ceremony on the same link.
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
}

pub(crate) async fn an_already_registered_credential_is_refused(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link) = s.identity_with_link("mia").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options_json(&invoke)).await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);

    // The same credential ID presented for another identity's job.
    let (identity2, link2) = s.identity_with_link("noah").await;
    let invoke2 = s.invoke_ok(&link2).await;
    let mut authenticator = software_authenticator();
    let cred2 = create_credential(&mut authenticator, &s.server.public_url, &options_json(&invoke2)).await;
    // Swap in the first credential's ID everywhere it appears (none attestation is unsigned).
    let first_id = base64url::decode(&cred.raw_id).unwrap();
    let second_id = base64url::decode(&cred2.raw_id).unwrap();
    assert_eq!(first_id.len(), second_id.len());
    let mut forged = tamper_auth_data(&cred2, |d| {
        let at = d.windows(second_id.len()).position(|w| w == second_id.as_slice()).unwrap();
        d[at..at + first_id.len()].copy_from_slice(&first_id);
    });
    forged.id = cred.id.clone();
    forged.raw_id = cred.raw_id.clone();
    let r = s.bind(&link2, &invoke2.ceremony_id, &forged).await;
    assert_eq!((r.status, r.code().as_str()), (409, "ALREADY_REGISTERED"), "{}", r.body);
    assert_nothing_bound(&s, &identity2, &link2).await;
}
