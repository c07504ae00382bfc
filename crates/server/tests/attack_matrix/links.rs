//! Attacks 01–07: replayed, expired, revoked, foreign, unknown and guessed links.

use crate::common::*;
use crate::helpers::*;
use reqwest::Method;

pub(crate) async fn attack_01_replay_after_complete_new_ceremony(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link, invoke, cred) = prepared(&s, "a01").await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    refused(&s.invoke(&link, &link.token).await, 409, "JOB_COMPLETE");
}

pub(crate) async fn attack_02_complete_again_with_another_credential(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a02").await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    let other = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke)).await;
    refused(&s.bind(&link, &invoke.ceremony_id, &other).await, 409, "JOB_COMPLETE");
    // The original request replayed is the idempotent retry, not an attack.
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    assert_eq!(s.credentials(identity["id"].as_str().unwrap()).await.len(), 1);
}

pub(crate) async fn attack_03_expired_link(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a03").await;
    s.sql(&format!("UPDATE credential_binding_jobs SET expire_time = 0 WHERE id = '{}'", link.job_id)).await;
    refused(&s.invoke(&link, &link.token).await, 410, "LINK_EXPIRED");
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 410, "LINK_EXPIRED");
    assert_eq!(s.job(&link).await["state"], "EXPIRED");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_04_revoked_link(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a04").await;
    let r = s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await;
    assert_eq!((r.status, r.body["state"].as_str()), (200, Some("REVOKED")));
    refused(&s.invoke(&link, &link.token).await, 410, "JOB_REVOKED");
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 410, "JOB_REVOKED");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_05_token_of_another_job(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a05").await;
    let (_, other) = s.identity_with_link("a05-other").await;
    refused(&s.invoke(&link, &other.token).await, 400, "INVALID_LINK");
    let mut wrong = link.clone();
    wrong.token = other.token.clone();
    refused(&s.bind(&wrong, &invoke.ceremony_id, &cred).await, 400, "INVALID_LINK");
    nothing_bound(&s, &identity, &link).await;
}

pub(crate) async fn attack_06_unknown_job_or_missing_token(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link) = s.identity_with_link("a06").await;
    let mut unknown = link.clone();
    unknown.job_id = "0000000000000000".into();
    refused(&s.invoke(&unknown, &link.token).await, 400, "INVALID_LINK");
    refused(&s.invoke(&link, "").await, 400, "INVALID_LINK");
    refused(&s.bind_raw(&link, b"{}".to_vec()).await, 400, "INVALID_LINK");
    refused(&s.bind_raw(&link, b"{\"token\": 7}".to_vec()).await, 400, "INVALID_LINK");
}

pub(crate) async fn attack_07_token_guessing_is_rate_limited(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link) = s.identity_with_link("a07").await;
    for i in 0..10 {
        refused(&s.invoke(&link, &format!("guess-{i}")).await, 400, "INVALID_LINK");
    }
    // The job is locked for the window: every further guess is 429…
    refused(&s.invoke(&link, "guess-11").await, 429, "resource_exhausted");
    let open = s.send(Method::GET, &format!("{}?token=guess-12", link.invoke_authenticator_url()), None, None).await;
    refused(&open, 429, "resource_exhausted");
    // …while the right token still works: guessing cannot lock the user out.
    assert_eq!(s.invoke(&link, &link.token).await.status, 200);
    // Another job is not affected by this job's lock.
    let (_, other) = s.identity_with_link("a07-other").await;
    assert_eq!(s.invoke(&other, &other.token).await.status, 200);

    // Per client: a client spraying many jobs is limited too.
    let s = TestServer::start_with(db, |c| c.max_token_failures_per_client = 5).await;
    let mut links = Vec::new();
    for i in 0..6 {
        links.push(s.identity_with_link(&format!("a07-{i}")).await.1);
    }
    for l in &links[..5] {
        refused(&s.invoke(l, "guess").await, 400, "INVALID_LINK");
    }
    refused(&s.invoke(&links[5], "guess").await, 429, "resource_exhausted");
    assert_eq!(s.invoke(&links[5], &links[5].token).await.status, 200);
}
