//! The admin API beyond the seeds: pagination, case-insensitive usernames,
//! the WebAuthn policy of a config, credential records (JWK, RFC 7638
//! thumbprint), per-service job expiry, revocation rules.

mod common;

use common::*;
use passbind_protocol::base64url;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

async fn identities_are_paginated(db: Db) {
    let s = TestServer::start_on(db).await;
    let mut made = Vec::new();
    for i in 0..7 {
        made.push(s.create_identity(&format!("user{i}")).await["id"].as_str().unwrap().to_owned());
    }
    let path = format!("{}/identities", s.realm_path());
    let mut seen = Vec::new();
    let mut token = String::new();
    let mut pages = 0;
    loop {
        let r = s.admin(Method::GET, &format!("{path}?page_size=3&page_token={token}"), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["total_size"], 7);
        let items = r.body["identities"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        pages += 1;
        match r.body.get("next_page_token").and_then(Value::as_str) {
            Some(next) => token = next.to_owned(),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, made, "every identity once, in creation order");
    // Defaults and bad parameters.
    let all = s.admin(Method::GET, &path, None).await;
    assert_eq!(all.body["identities"].as_array().unwrap().len(), 7);
    assert!(all.body.get("next_page_token").is_none());
    for (query, field) in [
        ("page_size=x", "page_size"),
        ("page_size=-1", "page_size"),
        ("page_token=%%%", "page_token"),
        ("page_token=bm9wZQ", "page_token"),
        ("color=red", "color"),
    ] {
        let r = s.admin(Method::GET, &format!("{path}?{query}"), None).await;
        assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{query}");
        assert_eq!(r.error().details[0].field.as_deref(), Some(field), "{query}");
    }
}

/// Pages through a list with `page_size`; returns every id in order.
async fn all_pages(s: &TestServer, path: &str, name: &str, size: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut token = String::new();
    loop {
        let r = s.admin(Method::GET, &format!("{path}?page_size={size}&page_token={token}"), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let items = r.body[name].as_array().unwrap();
        assert!(items.len() <= size);
        ids.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_owned()));
        match r.body.get("next_page_token").and_then(Value::as_str) {
            Some(next) => token = next.to_owned(),
            None => return ids,
        }
    }
}

async fn configs_jobs_and_credentials_are_paginated_too(db: Db) {
    let s = TestServer::start_on(db).await;
    let configs = format!("{}/authenticator-configs", s.realm_path());
    for _ in 0..4 {
        s.admin(Method::POST, &configs, Some(json!({"authenticator_config": {"config": {"type": "hosted_web"}}}))).await;
    }
    let everything = s.admin(Method::GET, &configs, None).await.body;
    assert_eq!(everything["total_size"], 5);
    let ids: Vec<String> =
        everything["authenticator_configs"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(all_pages(&s, &configs, "authenticator_configs", 2).await, ids);

    let identity = s.create_identity("pages").await;
    let identity_id = identity["id"].as_str().unwrap();
    let mut jobs = Vec::new();
    for _ in 0..3 {
        jobs.push(s.create_job(identity_id, &s.dev.authenticator_config_id, None).await.0["id"].as_str().unwrap().to_owned());
    }
    let path = format!("{}/identities/{identity_id}/credential-binding-jobs", s.realm_path());
    assert_eq!(all_pages(&s, &path, "credential_binding_jobs", 2).await, jobs);
    let path = format!("{}/identities/{identity_id}/credentials", s.realm_path());
    assert!(all_pages(&s, &path, "credentials", 1).await.is_empty());
    let r = s.admin(Method::GET, &format!("{path}?page_token=zz"), None).await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"));
}

async fn usernames_are_unique_per_realm_ignoring_case(db: Db) {
    let s = TestServer::start_on(db).await;
    s.create_identity("Alice").await;
    for dup in ["alice", "ALICE", "Alice"] {
        let r = s
            .admin(
                Method::POST,
                &format!("{}/identities", s.realm_path()),
                Some(json!({"identity": {"display_name": "A", "traits": {"type": "traits_v0", "username": dup}}})),
            )
            .await;
        assert_eq!((r.status, r.code().as_str()), (409, "already_exists"), "{dup}");
        assert_eq!(r.error().details[0].field.as_deref(), Some("identity.traits.username"));
    }
}

async fn identity_status_is_validated_and_round_trips(db: Db) {
    let s = TestServer::start_on(db).await;
    let identity = s.create_identity("stat").await;
    assert_eq!(identity["status"], "active");
    let path = format!("{}/identities/{}", s.realm_path(), identity["id"].as_str().unwrap());
    let r = s.admin(Method::PATCH, &path, Some(json!({"identity": {"status": "suspended"}}))).await;
    assert_eq!(r.body["status"], "suspended");
    assert_eq!(s.admin(Method::GET, &path, None).await.body["status"], "suspended");
    // A suspended identity gets no new job either.
    let r = s
        .admin(
            Method::POST,
            &format!("{path}/credential-binding-jobs"),
            Some(json!({"job": {"delivery_method": "RETURN", "authenticator_config_id": s.dev.authenticator_config_id}})),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (422, "failed_precondition"));
}

async fn configs_carry_a_webauthn_policy(db: Db) {
    let s = TestServer::start_on(db).await;
    let path = format!("{}/authenticator-configs", s.realm_path());
    let body = json!({"authenticator_config": {"config": {
        "type": "embedded", "invoke_url": "https://app.localhost/passkeys", "trusted_origins": ["https://www.app.localhost"],
        "rp_id": "app.localhost", "authenticator_attachment": "platform", "user_verification": "preferred", "attestation": "direct"
    }}});
    let r = s.admin(Method::POST, &path, Some(body)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let config = &r.body["config"];
    assert_eq!(config["rp_id"], "app.localhost");
    assert_eq!(config["authenticator_attachment"], "platform");
    assert_eq!(config["user_verification"], "preferred");
    assert_eq!(config["attestation"], "direct");
    let id = r.body["id"].as_str().unwrap();
    let got = s.admin(Method::GET, &format!("{path}/{id}"), None).await;
    assert_eq!(got.body, r.body);
    let listed = s.admin(Method::GET, &path, None).await;
    assert!(listed.body["authenticator_configs"].as_array().unwrap().contains(&r.body));

    let identity = s.create_identity("pol").await;
    let (_, link) = s.create_job(identity["id"].as_str().unwrap(), id, None).await;
    let invoke = s.invoke_ok(&link).await;
    let sel = invoke.public_key.authenticator_selection.unwrap();
    assert_eq!(sel.authenticator_attachment.as_deref(), Some("platform"));
    assert_eq!(sel.user_verification.as_deref(), Some("preferred"));
    assert_eq!(invoke.public_key.attestation.as_deref(), Some("direct"));
    assert_eq!(invoke.public_key.rp.id.as_deref(), Some("app.localhost"));

    // The defaults: UV required, no attachment, attestation none.
    let (_, link) = s.create_job(identity["id"].as_str().unwrap(), &s.dev.authenticator_config_id, None).await;
    let invoke = s.invoke_ok(&link).await;
    let sel = invoke.public_key.authenticator_selection.unwrap();
    assert_eq!((sel.authenticator_attachment, sel.user_verification.as_deref()), (None, Some("required")));
    assert_eq!(invoke.public_key.attestation.as_deref(), Some("none"));

    // hosted_web may widen its RP ID only to the service's host or a parent domain of it.
    let r =
        s.admin(Method::POST, &path, Some(json!({"authenticator_config": {"config": {"type": "hosted_web", "rp_id": "localhost"}}}))).await;
    assert_eq!((r.status, r.body["config"]["rp_id"].as_str()), (200, Some("localhost")), "{}", r.body);
    let r = s
        .admin(Method::POST, &path, Some(json!({"authenticator_config": {"config": {"type": "hosted_web", "rp_id": "example.com"}}})))
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"));
    assert_eq!(r.error().details[0].field.as_deref(), Some("authenticator_config.config.rp_id"));
    let r = s
        .admin(
            Method::POST,
            &path,
            Some(json!({"authenticator_config": {"config": {"type": "hosted_web", "invoke_url": "https://x.example"}}})),
        )
        .await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"));

    // Delete, then it is gone.
    let unused = s
        .admin(Method::POST, &path, Some(json!({"authenticator_config": {"config": {"type": "hosted_web", "attestation": "none"}}})))
        .await;
    let unused_id = unused.body["id"].as_str().unwrap();
    assert_eq!(s.admin(Method::DELETE, &format!("{path}/{unused_id}"), None).await.body, json!({}));
    assert_eq!(s.admin(Method::GET, &format!("{path}/{unused_id}"), None).await.status, 404);
}

/// RFC 7638 thumbprint of a JWK, computed here independently.
fn thumbprint(jwk: &Value) -> String {
    let members: &[&str] = match jwk["kty"].as_str().unwrap() {
        "EC" => &["crv", "kty", "x", "y"],
        "OKP" => &["crv", "kty", "x"],
        _ => &["e", "kty", "n"],
    };
    let canonical = format!("{{{}}}", members.iter().map(|m| format!("\"{m}\":{}", jwk[*m])).collect::<Vec<_>>().join(","));
    base64url::encode(&Sha256::digest(canonical.as_bytes()))
}

async fn credentials_report_their_key_as_jwk_with_thumbprint(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link) = s.identity_with_link("jwk").await;
    let identity_id = identity["id"].as_str().unwrap();
    let invoke = s.invoke_ok(&link).await;
    let cred =
        create_credential(&mut software_authenticator(), &s.server.public_url, &serde_json::to_value(&invoke.public_key).unwrap()).await;
    let bound = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(bound.status, 200);
    let listed = s.credentials(identity_id).await;
    let c = &listed[0];
    for field in [
        "id",
        "identity_id",
        "state",
        "create_time",
        "public_key_jwk",
        "jwk_thumbprint",
        "aaguid",
        "transports",
        "backup_eligible",
        "backed_up",
        "attestation_format",
        "credential_id",
        "authenticator",
    ] {
        assert!(c.get(field).is_some(), "{field} in {c}");
    }
    assert_eq!(c["identity_id"], identity_id);
    assert_eq!(c["state"], "ACTIVE");
    assert_eq!(c["attestation_format"], "none");
    assert_eq!(c["aaguid"], "00000000-0000-0000-0000-000000000000");
    assert_eq!(c["alg"], -8);
    let jwk: Value = serde_json::from_str(c["public_key_jwk"].as_str().unwrap()).unwrap();
    assert_eq!((jwk["kty"].as_str(), jwk["crv"].as_str(), jwk["alg"].as_str()), (Some("OKP"), Some("Ed25519"), Some("EdDSA")));
    // The JWK's x is the key the authenticator reported (SPKI's last 32 bytes for Ed25519).
    let spki = base64url::decode(cred.response.public_key.as_ref().unwrap()).unwrap();
    assert_eq!(base64url::decode(jwk["x"].as_str().unwrap()).unwrap(), spki[spki.len() - 32..]);
    assert_eq!(c["jwk_thumbprint"].as_str().unwrap(), thumbprint(&jwk));
    // The SDK's passkey fields are all still there, unchanged.
    let pk = &bound.body["passkey"];
    for (k, v) in pk.as_object().unwrap() {
        assert_eq!(&c[k], v, "{k}");
    }

    // GET one, then revoke it (twice is harmless); another identity's path is 404.
    let one_path = format!("{}/identities/{identity_id}/credentials/{}", s.realm_path(), c["id"].as_str().unwrap());
    let one = s.admin(Method::GET, &one_path, None).await;
    assert_eq!(&one.body, c);
    for _ in 0..2 {
        let r = s.admin(Method::POST, &format!("{one_path}:revoke"), None).await;
        assert_eq!((r.status, r.body["state"].as_str()), (200, Some("REVOKED")), "{}", r.body);
    }
    let other = s.create_identity("jwk-other").await;
    let wrong = format!("{}/identities/{}/credentials/{}", s.realm_path(), other["id"].as_str().unwrap(), c["id"].as_str().unwrap());
    assert_eq!(s.admin(Method::GET, &wrong, None).await.status, 404);
    assert_eq!(s.admin(Method::POST, &format!("{wrong}:revoke"), None).await.status, 404);
    assert_eq!(s.admin(Method::GET, &format!("{one_path}:frobnicate"), None).await.status, 404);
}

/// Whole seconds since the epoch of a `2022-07-11T21:10:33.383828Z` time.
fn seconds(v: &Value) -> i64 {
    let s = v.as_str().unwrap();
    let n = |r: std::ops::Range<usize>| s[r].parse::<i64>().unwrap();
    let (y, m, d) = (n(0..4), n(5..7), n(8..10));
    // Days from civil (Howard Hinnant).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
    days * 86400 + n(11..13) * 3600 + n(14..16) * 60 + n(17..19)
}

async fn job_expiry_is_configurable_and_expired_jobs_report_expired(db: Db) {
    let s = TestServer::start_with(db, |c| c.job_expiry_seconds = 3600).await;
    let identity = s.create_identity("exp").await;
    let (job, link) = s.create_job(identity["id"].as_str().unwrap(), &s.dev.authenticator_config_id, None).await;
    assert_eq!(seconds(&job["expire_time"]) - seconds(&job["create_time"]), 3600);
    s.sql(&format!("UPDATE credential_binding_jobs SET expire_time = 1 WHERE id = '{}'", link.job_id)).await;
    assert_eq!(s.job(&link).await["state"], "EXPIRED");
    let listed = s
        .admin(Method::GET, &format!("{}/identities/{}/credential-binding-jobs", s.realm_path(), identity["id"].as_str().unwrap()), None)
        .await;
    assert_eq!(listed.body["credential_binding_jobs"][0]["state"], "EXPIRED");
    // Revoking an expired job is refused; revoking a revoked one answers it again.
    let r = s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await;
    assert_eq!((r.status, r.code().as_str()), (422, "failed_precondition"));
    let (_, link2) = s.create_job(identity["id"].as_str().unwrap(), &s.dev.authenticator_config_id, None).await;
    for _ in 0..2 {
        let r = s.admin(Method::POST, &format!("{}:revoke", link2.job_path()), None).await;
        assert_eq!((r.status, r.body["state"].as_str()), (200, Some("REVOKED")));
    }
    // The default is 7 days.
    let d = TestServer::start_on(db).await;
    let identity = d.create_identity("exp7").await;
    let (job, _) = d.create_job(identity["id"].as_str().unwrap(), &d.dev.authenticator_config_id, None).await;
    assert_eq!(seconds(&job["expire_time"]) - seconds(&job["create_time"]), 7 * 24 * 3600);
}

crate::on_both_databases!(
    identities_are_paginated,
    configs_jobs_and_credentials_are_paginated_too,
    usernames_are_unique_per_realm_ignoring_case,
    identity_status_is_validated_and_round_trips,
    configs_carry_a_webauthn_policy,
    credentials_report_their_key_as_jwk_with_thumbprint,
    job_expiry_is_configurable_and_expired_jobs_report_expired,
);
