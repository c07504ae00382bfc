//! The attack matrix: one test per attack on the binding service, each
//! asserting the exact refusal (HTTP status and error code) and, where it
//! matters, that nothing was stored. Every case runs on SQLite and on
//! PostgreSQL (`sqlite::attack_…`, `postgres::attack_…`).
//!
//! | #  | attack                                                        | refusal |
//! |----|---------------------------------------------------------------|---------|
//! | 01 | replay a completed job's link (new ceremony)                  | 409 JOB_COMPLETE |
//! | 02 | complete a completed job with another credential              | 409 JOB_COMPLETE |
//! | 03 | use an expired link (invoke and bind)                         | 410 LINK_EXPIRED |
//! | 04 | use a revoked link (invoke and bind)                          | 410 JOB_REVOKED |
//! | 05 | use the token of another job                                  | 400 INVALID_LINK |
//! | 06 | unknown job / missing / empty token                           | 400 INVALID_LINK |
//! | 07 | guess tokens until rate limited (per job, per client)         | 429 resource_exhausted |
//! | 08 | admin API with another tenant's token                         | 404 not_found |
//! | 09 | realm-scoped token on another realm                           | 404 not_found |
//! | 10 | revoked, unknown or missing admin token                       | 401 unauthenticated |
//! | 11 | credential created on another origin (clientDataJSON)         | 403 SECURITY |
//! | 12 | call from a page on an untrusted origin (Origin header)       | 403 SECURITY |
//! | 13 | credential scoped to another RP ID                            | 403 SECURITY |
//! | 14 | missing user verification when the config requires it         | 422 ATTESTATION_REJECTED |
//! | 15 | missing user presence                                         | 422 ATTESTATION_REJECTED |
//! | 16 | altered clientDataJSON (type; extra field under a signature)  | 422 ATTESTATION_REJECTED |
//! | 17 | altered authenticator data under a packed signature           | 422 ATTESTATION_REJECTED |
//! | 18 | excluded (already registered) credential on a new job         | 409 ALREADY_REGISTERED |
//! | 19 | suspended identity                                            | 422 IDENTITY_SUSPENDED |
//! | 20 | expired ceremony                                              | 422 NOT_ALLOWED |
//! | 21 | answer to another ceremony's challenge                        | 422 ATTESTATION_REJECTED |
//! | 22 | ceremony of another job                                       | 422 NOT_ALLOWED |
//! | 23 | crossOrigin: true (credential made in a cross-origin iframe)  | 403 SECURITY |
//! | 24 | algorithm never offered / tampered packed signature           | 422 ATTESTATION_REJECTED |
//! | 25 | oversized body                                                | 413 |
//! | 26 | unknown field / wrong type in an admin body                   | 400 invalid_argument (field named) |
//! | 27 | revoke a completed job                                        | 409 JOB_COMPLETE |
//! | 28 | CORS from an untrusted origin                                 | no Access-Control-Allow-Origin |
//! | 29 | served pages: CSP, nosniff, frame-ancestors                   | headers present |
//! | 30 | tokens, API keys and challenges never reach the logs          | absent from stderr (binary, RUST_LOG=debug) |

mod common;

use ciborium::Value as Cbor;
use common::*;
use passbind_protocol::base64url;
use passbind_protocol::wire::{InvokeAuthenticatorResponse, RegistrationResponse};
use passbind_protocol::BindingLink;
use reqwest::Method;
use serde_json::{json, Value};

#[track_caller]
fn refused(r: &Resp, status: u16, code: &str) {
    assert_eq!((r.status, r.code().as_str()), (status, code), "{}", r.body);
}

fn options(invoke: &InvokeAuthenticatorResponse) -> Value {
    serde_json::to_value(&invoke.public_key).unwrap()
}

/// An identity, a RETURN link on the dev hosted_web config, a ceremony and
/// a credential made for it on the right origin.
async fn prepared(s: &TestServer, name: &str) -> (Value, BindingLink, InvokeAuthenticatorResponse, RegistrationResponse) {
    let (identity, link) = s.identity_with_link(name).await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke)).await;
    (identity, link, invoke, cred)
}

async fn nothing_bound(s: &TestServer, identity: &Value, link: &BindingLink) {
    assert!(s.credentials(identity["id"].as_str().unwrap()).await.is_empty(), "no credential may be stored");
    assert_ne!(s.job(link).await["state"], "COMPLETE");
}

/// Rewrites the authenticator data inside a credential's attestation object.
fn tamper_auth_data(cred: &RegistrationResponse, edit: impl FnOnce(&mut Vec<u8>)) -> RegistrationResponse {
    let bytes = base64url::decode(&cred.response.attestation_object).unwrap();
    let mut value: Cbor = ciborium::from_reader(bytes.as_slice()).unwrap();
    let mut edit = Some(edit);
    if let Cbor::Map(entries) = &mut value {
        for (k, v) in entries.iter_mut() {
            if let (Cbor::Text(t), Cbor::Bytes(b)) = (k, v) {
                if t == "authData" {
                    (edit.take().unwrap())(b);
                }
            }
        }
    }
    let mut cred = cred.clone();
    cred.response.attestation_object = base64url::encode(&packed::cbor_bytes(&value));
    cred
}

/// Rewrites clientDataJSON (as JSON).
fn tamper_client_data(cred: &RegistrationResponse, edit: impl FnOnce(&mut Value)) -> RegistrationResponse {
    let mut cd: Value = serde_json::from_slice(&base64url::decode(&cred.response.client_data_json).unwrap()).unwrap();
    edit(&mut cd);
    let mut cred = cred.clone();
    cred.response.client_data_json = base64url::encode(&serde_json::to_vec(&cd).unwrap());
    cred
}

/// A `packed` self-attested ES256 credential from a fresh key: authenticator
/// data and clientDataJSON are covered by its signature.
fn packed(challenge: &str, origin: &str, rp_id: &str) -> RegistrationResponse {
    let key = p256::ecdsa::SigningKey::from_slice(&passbind_server::util::random_bytes::<32>()).unwrap();
    packed::packed_self_attested(challenge, origin, rp_id, &key, false)
}

/// A second tenant with a realm and an API token (optionally realm-scoped).
async fn other_tenant(s: &TestServer, realm_scoped: bool) -> (String, String, String) {
    use passbind_server::store::{ApiToken, Realm, Tenant};
    use passbind_server::util::{hash_secret, new_id, new_secret, now_micros};
    let store = &s.server.state.store;
    let now = now_micros();
    let (tenant, realm, token) = (new_id(), new_id(), new_secret());
    store.create_tenant(&Tenant { id: tenant.clone(), display_name: "Other".into(), create_time: now }).await.unwrap();
    store
        .create_realm(&Realm { id: realm.clone(), tenant_id: tenant.clone(), display_name: "Other realm".into(), create_time: now })
        .await
        .unwrap();
    store
        .insert_api_token(&ApiToken::new(hash_secret(&token), tenant.clone(), realm_scoped.then(|| realm.clone()), None, now))
        .await
        .unwrap();
    (tenant, realm, token)
}

async fn attack_01_replay_after_complete_new_ceremony(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link, invoke, cred) = prepared(&s, "a01").await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    refused(&s.invoke(&link, &link.token).await, 409, "JOB_COMPLETE");
}

async fn attack_02_complete_again_with_another_credential(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a02").await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    let other = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke)).await;
    refused(&s.bind(&link, &invoke.ceremony_id, &other).await, 409, "JOB_COMPLETE");
    // The original request replayed is the idempotent retry, not an attack.
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    assert_eq!(s.credentials(identity["id"].as_str().unwrap()).await.len(), 1);
}

async fn attack_03_expired_link(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a03").await;
    s.sql(&format!("UPDATE credential_binding_jobs SET expire_time = 0 WHERE id = '{}'", link.job_id)).await;
    refused(&s.invoke(&link, &link.token).await, 410, "LINK_EXPIRED");
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 410, "LINK_EXPIRED");
    assert_eq!(s.job(&link).await["state"], "EXPIRED");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_04_revoked_link(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a04").await;
    let r = s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await;
    assert_eq!((r.status, r.body["state"].as_str()), (200, Some("REVOKED")));
    refused(&s.invoke(&link, &link.token).await, 410, "JOB_REVOKED");
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 410, "JOB_REVOKED");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_05_token_of_another_job(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a05").await;
    let (_, other) = s.identity_with_link("a05-other").await;
    refused(&s.invoke(&link, &other.token).await, 400, "INVALID_LINK");
    let mut wrong = link.clone();
    wrong.token = other.token.clone();
    refused(&s.bind(&wrong, &invoke.ceremony_id, &cred).await, 400, "INVALID_LINK");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_06_unknown_job_or_missing_token(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link) = s.identity_with_link("a06").await;
    let mut unknown = link.clone();
    unknown.job_id = "0000000000000000".into();
    refused(&s.invoke(&unknown, &link.token).await, 400, "INVALID_LINK");
    refused(&s.invoke(&link, "").await, 400, "INVALID_LINK");
    refused(&s.bind_raw(&link, b"{}".to_vec()).await, 400, "INVALID_LINK");
    refused(&s.bind_raw(&link, b"{\"token\": 7}".to_vec()).await, 400, "INVALID_LINK");
}

async fn attack_07_token_guessing_is_rate_limited(db: Db) {
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

async fn attack_08_cross_tenant_admin_access(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a08").await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    let (other_tenant_id, other_realm, other_token) = other_tenant(&s, false).await;
    let id = identity["id"].as_str().unwrap();
    let credential_id = s.credentials(id).await[0]["id"].as_str().unwrap().to_owned();
    let rp = s.realm_path();
    let attempts = [
        (Method::GET, format!("{rp}/identities")),
        (Method::GET, format!("{rp}/identities/{id}")),
        (Method::PATCH, format!("{rp}/identities/{id}")),
        (Method::GET, format!("{rp}/authenticator-configs")),
        (Method::GET, format!("{rp}/authenticator-configs/{}", s.dev.authenticator_config_id)),
        (Method::DELETE, format!("{rp}/authenticator-configs/{}", s.dev.authenticator_config_id)),
        (Method::GET, format!("{rp}/identities/{id}/credential-binding-jobs")),
        (Method::POST, format!("{rp}/identities/{id}/credential-binding-jobs")),
        (Method::GET, link.job_path()),
        (Method::POST, format!("{}:revoke", link.job_path())),
        (Method::GET, format!("{rp}/identities/{id}/credentials")),
        (Method::GET, format!("{rp}/identities/{id}/credentials/{credential_id}")),
        (Method::POST, format!("{rp}/identities/{id}/credentials/{credential_id}:revoke")),
        // Its own realm's id under this tenant.
        (Method::GET, format!("/v1/tenants/{}/realms/{other_realm}/identities", s.dev.tenant_id)),
    ];
    for (method, path) in attempts {
        let body = matches!(method, Method::POST | Method::PATCH).then(|| b"{}".to_vec());
        let r = s.send(method.clone(), &s.url(&path), Some(&other_token), body).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"), "{method} {path}: {}", r.body);
    }
    // And the dev token on the other tenant's resources.
    let r = s.admin(Method::GET, &format!("/v1/tenants/{other_tenant_id}/realms/{other_realm}/identities"), None).await;
    refused(&r, 404, "not_found");
    // Nothing changed.
    assert_eq!(s.credentials(id).await[0]["state"], "ACTIVE");
}

async fn attack_09_realm_scoped_token_on_another_realm(db: Db) {
    let s = TestServer::start_on(db).await;
    let (tenant, realm, token) = other_tenant(&s, true).await;
    let now = passbind_server::util::now_micros();
    let second = passbind_server::util::new_id();
    s.server
        .state
        .store
        .create_realm(&passbind_server::store::Realm {
            id: second.clone(),
            tenant_id: tenant.clone(),
            display_name: "Second".into(),
            create_time: now,
        })
        .await
        .unwrap();
    let ok = s.send(Method::GET, &s.url(&format!("/v1/tenants/{tenant}/realms/{realm}/identities")), Some(&token), None).await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let r = s.send(Method::GET, &s.url(&format!("/v1/tenants/{tenant}/realms/{second}/identities")), Some(&token), None).await;
    refused(&r, 404, "not_found");
}

async fn attack_10_revoked_unknown_or_missing_admin_token(db: Db) {
    let s = TestServer::start_on(db).await;
    let path = s.url(&format!("{}/identities", s.realm_path()));
    refused(&s.send(Method::GET, &path, None, None).await, 401, "unauthenticated");
    refused(&s.send(Method::GET, &path, Some("not-a-token"), None).await, 401, "unauthenticated");
    let (tenant, realm, token) = other_tenant(&s, false).await;
    let theirs = s.url(&format!("/v1/tenants/{tenant}/realms/{realm}/identities"));
    assert_eq!(s.send(Method::GET, &theirs, Some(&token), None).await.status, 200);
    let store = &s.server.state.store;
    let record = store.api_token_by_hash(&passbind_server::util::hash_secret(&token)).await.unwrap().unwrap();
    assert!(store.revoke_api_token(&record.id, passbind_server::util::now_micros()).await.unwrap());
    refused(&s.send(Method::GET, &theirs, Some(&token), None).await, 401, "unauthenticated");
}

async fn attack_11_credential_from_another_origin(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a11").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = create_credential(&mut software_authenticator(), "http://localhost:1", &options(&invoke)).await;
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 403, "SECURITY");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_12_call_from_an_untrusted_page(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a12").await;
    let req = json!({"token": link.token, "ceremony_id": invoke.ceremony_id, "credential": cred});
    let r = s.http.post(link.bind_credential_url()).header("Origin", "https://evil.example").json(&req).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "SECURITY");
    let r = s
        .http
        .post(link.invoke_authenticator_url())
        .header("Origin", "https://evil.example")
        .json(&json!({"token": link.token}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_13_credential_for_another_rp_id(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a13").await;
    let invoke = s.invoke_ok(&link).await;
    let cred = packed(&invoke.public_key.challenge, &s.server.public_url, "evil.localhost");
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 403, "SECURITY");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_14_missing_user_verification_when_required(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a14").await;
    refused(&s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&cred, |d| d[32] &= !0x04)).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;

    // A config that only prefers UV accepts the same thing (the policy is the config's).
    let cfg = s
        .admin(
            Method::POST,
            &format!("{}/authenticator-configs", s.realm_path()),
            Some(json!({"authenticator_config": {"config": {"type": "hosted_web", "user_verification": "preferred"}}})),
        )
        .await;
    assert_eq!(cfg.status, 200, "{}", cfg.body);
    let (_, link) = s.create_job(identity["id"].as_str().unwrap(), cfg.body["id"].as_str().unwrap(), None).await;
    let invoke = s.invoke_ok(&link).await;
    assert_eq!(invoke.public_key.authenticator_selection.as_ref().unwrap().user_verification.as_deref(), Some("preferred"));
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke)).await;
    let r = s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&cred, |d| d[32] &= !0x04)).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn attack_15_missing_user_presence(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a15").await;
    refused(&s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&cred, |d| d[32] &= !0x01)).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_16_altered_client_data_json(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a16").await;
    let get = tamper_client_data(&cred, |cd| cd["type"] = json!("webauthn.get"));
    refused(&s.bind(&link, &invoke.ceremony_id, &get).await, 422, "ATTESTATION_REJECTED");
    // Under a packed signature, any change of clientDataJSON breaks it.
    let signed = packed(&invoke.public_key.challenge, &s.server.public_url, "localhost");
    let extra = tamper_client_data(&signed, |cd| cd["other_keys_can_be_added_here"] = json!("x"));
    refused(&s.bind(&link, &invoke.ceremony_id, &extra).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &signed).await.status, 200, "the untampered one binds");
}

async fn attack_17_altered_authenticator_data(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a17").await;
    let invoke = s.invoke_ok(&link).await;
    let signed = packed(&invoke.public_key.challenge, &s.server.public_url, "localhost");
    // The sign count (bytes 33..37) changed after signing.
    refused(&s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&signed, |d| d[36] ^= 0x80)).await, 422, "ATTESTATION_REJECTED");
    // The credential ID inside no longer matches rawId.
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke)).await;
    refused(&s.bind(&link, &invoke.ceremony_id, &tamper_auth_data(&cred, |d| d[55] ^= 0x01)).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_18_excluded_credential_on_a_new_job(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a18").await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    let (_, link2) = s.create_job(identity["id"].as_str().unwrap(), &s.dev.authenticator_config_id, None).await;
    let invoke2 = s.invoke_ok(&link2).await;
    assert_eq!(invoke2.public_key.exclude_credentials[0].id, cred.id, "the bound credential is excluded");
    // A client ignoring excludeCredentials sends the registered credential ID again.
    let raw = base64url::decode(&cred.id).unwrap();
    let none = {
        let mut c = create_credential(&mut software_authenticator(), &s.server.public_url, &options(&invoke2)).await;
        c = tamper_auth_data(&c, |d| {
            let id_len = u16::from_be_bytes([d[53], d[54]]) as usize;
            let key = d[55 + id_len..].to_vec();
            d.truncate(53);
            d.extend_from_slice(&(raw.len() as u16).to_be_bytes());
            d.extend_from_slice(&raw);
            d.extend_from_slice(&key);
        });
        c.id = cred.id.clone();
        c.raw_id = cred.id.clone();
        c
    };
    refused(&s.bind(&link2, &invoke2.ceremony_id, &none).await, 409, "ALREADY_REGISTERED");
    assert_eq!(s.credentials(identity["id"].as_str().unwrap()).await.len(), 1);
}

async fn attack_19_suspended_identity(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a19").await;
    let path = format!("{}/identities/{}", s.realm_path(), identity["id"].as_str().unwrap());
    assert_eq!(s.admin(Method::PATCH, &path, Some(json!({"identity": {"status": "suspended"}}))).await.status, 200);
    refused(&s.invoke(&link, &link.token).await, 422, "IDENTITY_SUSPENDED");
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 422, "IDENTITY_SUSPENDED");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_20_expired_ceremony(db: Db) {
    let s = TestServer::start_with(db, |c| c.ceremony_seconds = 1).await;
    let (identity, link, invoke, cred) = prepared(&s, "a20").await;
    assert_eq!(invoke.public_key.timeout, Some(1000), "the browser is told the same lifetime");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    refused(&s.bind(&link, &invoke.ceremony_id, &cred).await, 422, "NOT_ALLOWED");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_21_answer_to_another_ceremonys_challenge(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, old, cred) = prepared(&s, "a21").await;
    let newer = s.invoke_ok(&link).await;
    assert_ne!(old.public_key.challenge, newer.public_key.challenge);
    refused(&s.bind(&link, &newer.ceremony_id, &cred).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_22_ceremony_of_another_job(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a22").await;
    let (_, _, other_invoke, other_cred) = prepared(&s, "a22-other").await;
    refused(&s.bind(&link, &other_invoke.ceremony_id, &other_cred).await, 422, "NOT_ALLOWED");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_23_cross_origin_iframe(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a23").await;
    let framed = tamper_client_data(&cred, |cd| {
        cd["crossOrigin"] = json!(true);
        cd["topOrigin"] = json!("https://evil.example");
    });
    refused(&s.bind(&link, &invoke.ceremony_id, &framed).await, 403, "SECURITY");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_24_unoffered_algorithm_or_forged_signature(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("a24").await;
    let invoke = s.invoke_ok(&link).await;
    let signed = packed(&invoke.public_key.challenge, &s.server.public_url, "localhost");
    // Flip one bit of the signature.
    let bytes = base64url::decode(&signed.response.attestation_object).unwrap();
    let mut value: Cbor = ciborium::from_reader(bytes.as_slice()).unwrap();
    if let Cbor::Map(entries) = &mut value {
        for (k, v) in entries.iter_mut() {
            if matches!(k, Cbor::Text(t) if t == "attStmt") {
                if let Cbor::Map(stmt) = v {
                    for (k, v) in stmt.iter_mut() {
                        if let (Cbor::Text(t), Cbor::Bytes(sig)) = (k, v) {
                            if t == "sig" {
                                let n = sig.len() - 1;
                                sig[n] ^= 1;
                            }
                        }
                    }
                }
            }
        }
    }
    let mut forged = signed.clone();
    forged.response.attestation_object = base64url::encode(&packed::cbor_bytes(&value));
    refused(&s.bind(&link, &invoke.ceremony_id, &forged).await, 422, "ATTESTATION_REJECTED");
    // A key whose algorithm (ES384) was never offered.
    let es384 = tamper_auth_data(&signed, |d| {
        let id_len = u16::from_be_bytes([d[53], d[54]]) as usize;
        let key_at = 55 + id_len;
        let mut key: Cbor = ciborium::from_reader(&d[key_at..]).unwrap();
        if let Cbor::Map(entries) = &mut key {
            for (k, v) in entries.iter_mut() {
                if *k == Cbor::Integer(3.into()) {
                    *v = Cbor::Integer((-35).into());
                }
            }
        }
        d.truncate(key_at);
        d.extend_from_slice(&packed::cbor_bytes(&key));
    });
    refused(&s.bind(&link, &invoke.ceremony_id, &es384).await, 422, "ATTESTATION_REJECTED");
    nothing_bound(&s, &identity, &link).await;
}

async fn attack_25_oversized_body(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link) = s.identity_with_link("a25").await;
    let mut big = br#"{"token": ""#.to_vec();
    big.extend(std::iter::repeat_n(b'a', passbind_server::app::MAX_BODY_BYTES + 1));
    big.extend_from_slice(b"\"}");
    let r = s.bind_raw(&link, big.clone()).await;
    assert_eq!(r.status, 413, "{}", r.body);
    r.error();
    let r = s.send(Method::POST, &s.url(&format!("{}/identities", s.realm_path())), Some(&s.dev.api_token), Some(big)).await;
    assert_eq!(r.status, 413, "{}", r.body);
}

async fn attack_26_unknown_fields_and_wrong_types(db: Db) {
    let s = TestServer::start_on(db).await;
    let rp = s.realm_path();
    let identity = s.create_identity("a26").await;
    let id = identity["id"].as_str().unwrap();
    let cases = [
        (
            format!("{rp}/identities"),
            json!({"identity": {"display_name": "X", "traits": {"type": "traits_v0", "username": "x"}, "is_admin": true}}),
            "identity.is_admin",
        ),
        (
            format!("{rp}/identities"),
            json!({"identity": {"display_name": ["X"], "traits": {"type": "traits_v0", "username": "x"}}}),
            "identity.display_name",
        ),
        (
            format!("{rp}/authenticator-configs"),
            json!({"authenticator_config": {"config": {"type": "hosted_web", "trusted": true}}}),
            "authenticator_config.config.trusted",
        ),
        (
            format!("{rp}/authenticator-configs"),
            json!({"authenticator_config": {"config": {"type": "hosted_web", "user_verification": "sometimes"}}}),
            "authenticator_config.config.user_verification",
        ),
        (
            format!("{rp}/identities/{id}/credential-binding-jobs"),
            json!({"job": {"delivery_method": "RETURN", "authenticator_config_id": s.dev.authenticator_config_id, "expire_time": "2099-01-01T00:00:00Z"}}),
            "job.expire_time",
        ),
        (
            format!("{rp}/identities/{id}/credential-binding-jobs"),
            json!({"job": {"delivery_method": 1, "authenticator_config_id": s.dev.authenticator_config_id}}),
            "job.delivery_method",
        ),
    ];
    for (path, body, field) in cases {
        let r = s.admin(Method::POST, &path, Some(body.clone())).await;
        refused(&r, 400, "invalid_argument");
        assert_eq!(r.error().details[0].field.as_deref(), Some(field), "{body} → {}", r.body);
    }
    let r =
        s.admin(Method::PATCH, &format!("{rp}/identities/{id}"), Some(json!({"identity": {"status": "suspended", "role": "admin"}}))).await;
    refused(&r, 400, "invalid_argument");
    assert_eq!(r.error().details[0].field.as_deref(), Some("identity.role"));
    let r = s.admin(Method::PATCH, &format!("{rp}/identities/{id}"), Some(json!({"identity": {"status": "deleted"}}))).await;
    refused(&r, 400, "invalid_argument");
    assert_eq!(r.error().details[0].field.as_deref(), Some("identity.status"));
    assert_eq!(s.admin(Method::GET, &format!("{rp}/identities/{id}"), None).await.body["status"], "active");
}

async fn attack_27_revoke_a_completed_job(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a27").await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    refused(&s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await, 409, "JOB_COMPLETE");
    assert_eq!(s.job(&link).await["state"], "COMPLETE");
    assert_eq!(s.credentials(identity["id"].as_str().unwrap()).await[0]["state"], "ACTIVE");
}

async fn attack_28_cors_from_an_untrusted_origin(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link) = s.identity_with_link("a28").await;
    let r = s
        .http
        .request(Method::OPTIONS, link.bind_credential_url())
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert!(r.headers().get("access-control-allow-methods").is_none());
}

async fn attack_29_pages_carry_security_headers(db: Db) {
    let www = tempfile::tempdir().unwrap();
    for page in ["index.html", "bind.html"] {
        std::fs::write(www.path().join(page), "<!doctype html><title>passbind</title>").unwrap();
    }
    std::fs::write(www.path().join("style.css"), "body {}").unwrap();
    let dir = www.path().to_owned();
    let s = TestServer::start_with(db, |c| c.www_dir = dir).await;
    for path in ["/", "/bind", "/index.html", "/style.css"] {
        let r = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers();
        let csp = h.get("content-security-policy").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{path}: {csp:?}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }
    let r = s.admin(Method::GET, &format!("{}/identities", s.realm_path()), None).await;
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["cache-control"], "no-store");
}

/// The real binary at RUST_LOG=debug through a whole binding and its
/// refusals: no API token, link token or challenge appears on stderr.
async fn attack_30_secrets_never_reach_the_logs(db: Db) {
    use std::io::BufRead;
    let (database_url, _dir) = fresh_database(db).await;
    let log_dir = tempfile::tempdir().unwrap();
    let log_path = log_dir.path().join("stderr.log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_passbind-server"))
        .args(["--listen", "localhost:0", "--dev", "--database-url", &database_url])
        .env("RUST_LOG", "debug")
        .env_remove("PASSBIND_PUBLIC_URL")
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("passbind-server listening on ").unwrap().to_owned();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let dev: Value = http.get(format!("{url}/dev/bootstrap")).send().await.unwrap().json().await.unwrap();
    let api_token = dev["api_token"].as_str().unwrap().to_owned();
    let rp = format!("{url}/v1/tenants/{}/realms/{}", dev["tenant_id"].as_str().unwrap(), dev["realm_id"].as_str().unwrap());
    let identity: Value = http
        .post(format!("{rp}/identities"))
        .bearer_auth(&api_token)
        .json(&json!({"identity": {"display_name": "Log", "traits": {"type": "traits_v0", "username": "log"}}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job: Value = http
        .post(format!("{rp}/identities/{}/credential-binding-jobs", identity["id"].as_str().unwrap()))
        .bearer_auth(&api_token)
        .json(&json!({"job": {"delivery_method": "RETURN", "authenticator_config_id": dev["authenticator_config_id"]}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = BindingLink::parse(job["credential_binding_link"].as_str().unwrap()).unwrap();
    // The browser GET of the link carries the token in the query.
    let r = http.get(link.api_url()).send().await.unwrap();
    assert_eq!(r.status(), 302);
    let invoke: InvokeAuthenticatorResponse =
        http.post(link.invoke_authenticator_url()).json(&json!({"token": link.token})).send().await.unwrap().json().await.unwrap();
    let cred = create_credential(&mut software_authenticator(), &url, &options(&invoke)).await;
    let bad = tamper_auth_data(&cred, |d| d[32] &= !0x04);
    let req = |c: &RegistrationResponse| json!({"token": link.token, "ceremony_id": invoke.ceremony_id, "credential": c});
    assert_eq!(http.post(link.bind_credential_url()).json(&req(&bad)).send().await.unwrap().status(), 422);
    assert_eq!(http.post(link.bind_credential_url()).json(&req(&cred)).send().await.unwrap().status(), 200);
    let _ = http.get(format!("{rp}/identities")).bearer_auth("wrong-token-value-for-the-log-test").send().await.unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(log.contains("passkey bound"), "the log is written at all: {log}");
    for (what, secret) in [
        ("API token", api_token.as_str()),
        ("link token", link.token.as_str()),
        ("challenge", invoke.public_key.challenge.as_str()),
        ("wrong token", "wrong-token-value-for-the-log-test"),
    ] {
        assert!(!log.contains(secret), "the {what} is in the log");
    }
}

crate::on_both_databases!(
    attack_01_replay_after_complete_new_ceremony,
    attack_02_complete_again_with_another_credential,
    attack_03_expired_link,
    attack_04_revoked_link,
    attack_05_token_of_another_job,
    attack_06_unknown_job_or_missing_token,
    attack_07_token_guessing_is_rate_limited,
    attack_08_cross_tenant_admin_access,
    attack_09_realm_scoped_token_on_another_realm,
    attack_10_revoked_unknown_or_missing_admin_token,
    attack_11_credential_from_another_origin,
    attack_12_call_from_an_untrusted_page,
    attack_13_credential_for_another_rp_id,
    attack_14_missing_user_verification_when_required,
    attack_15_missing_user_presence,
    attack_16_altered_client_data_json,
    attack_17_altered_authenticator_data,
    attack_18_excluded_credential_on_a_new_job,
    attack_19_suspended_identity,
    attack_20_expired_ceremony,
    attack_21_answer_to_another_ceremonys_challenge,
    attack_22_ceremony_of_another_job,
    attack_23_cross_origin_iframe,
    attack_24_unoffered_algorithm_or_forged_signature,
    attack_25_oversized_body,
    attack_26_unknown_fields_and_wrong_types,
    attack_27_revoke_a_completed_job,
    attack_28_cors_from_an_untrusted_origin,
    attack_29_pages_carry_security_headers,
    attack_30_secrets_never_reach_the_logs,
);
