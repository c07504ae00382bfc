//! Attacks 08–10: the admin API across tenants, realms and revoked tokens.

use crate::common::*;
use crate::helpers::*;
use reqwest::Method;

pub(crate) async fn attack_08_cross_tenant_admin_access(db: Db) {
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

pub(crate) async fn attack_09_realm_scoped_token_on_another_realm(db: Db) {
    let s = TestServer::start_on(db).await;
    let (tenant, realm, token) = other_tenant(&s, true).await;
    let now = passbind_server::util::now_micros();
    let second = passbind_server::util::new_id();
    s.server
        .state
        .tenants
        .create_realm(&passbind_server::store::Realm {
            id: second.clone().into(),
            tenant_id: tenant.clone().into(),
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

pub(crate) async fn attack_10_revoked_unknown_or_missing_admin_token(db: Db) {
    let s = TestServer::start_on(db).await;
    let path = s.url(&format!("{}/identities", s.realm_path()));
    refused(&s.send(Method::GET, &path, None, None).await, 401, "unauthenticated");
    refused(&s.send(Method::GET, &path, Some("not-a-token"), None).await, 401, "unauthenticated");
    let (tenant, realm, token) = other_tenant(&s, false).await;
    let theirs = s.url(&format!("/v1/tenants/{tenant}/realms/{realm}/identities"));
    assert_eq!(s.send(Method::GET, &theirs, Some(&token), None).await.status, 200);
    let tokens = &s.server.state.api_tokens;
    let record = tokens.api_token_by_hash(&passbind_server::util::hash_secret(&token)).await.unwrap().unwrap();
    assert!(tokens.revoke_api_token(&record.id, passbind_server::util::now_micros()).await.unwrap());
    refused(&s.send(Method::GET, &theirs, Some(&token), None).await, 401, "unauthenticated");
}
