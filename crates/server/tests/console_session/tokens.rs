//! API tokens and realms through the admin API.

use crate::common::{Db, TestServer};
use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};

fn tokens_path(s: &TestServer) -> String {
    format!("/v1/tenants/{}/api-tokens", s.dev.tenant_id)
}

fn ids(list: &Value) -> Vec<String> {
    list["api_tokens"].as_array().unwrap().iter().map(|t| t["id"].as_str().unwrap().to_owned()).collect()
}

pub async fn api_tokens_are_listed_created_once_and_revoked(db: Db) {
    let s = TestServer::start_on(db).await;
    let list = s.admin(Method::GET, &tokens_path(&s), None).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(ids(&list.body).len(), 1, "the dev token");

    let created = create_token(&s, "  deploy bot  ", None).await;
    let secret = created["token"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 43, "256 random bits, base64url");
    assert_eq!(created["description"], "deploy bot");
    assert!(created["realm_id"].is_null() && created["last_use_time"].is_null());
    // It works, and it is never shown again.
    let r = s.send(Method::GET, &s.url(&format!("{}/identities", s.realm_path())), Some(&secret), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let list = s.admin(Method::GET, &tokens_path(&s), None).await;
    assert!(ids(&list.body).contains(&created["id"].as_str().unwrap().to_owned()));
    assert!(
        !list.body.to_string().contains(&secret) && list.body["api_tokens"].as_array().unwrap().iter().all(|t| t.get("token").is_none())
    );

    // Revoked: 204, it stops working, leaves the list; again → 404.
    let path = format!("{}/{}", tokens_path(&s), created["id"].as_str().unwrap());
    assert_eq!(s.admin(Method::DELETE, &path, None).await.status, 204);
    let r = s.send(Method::GET, &s.url(&format!("{}/identities", s.realm_path())), Some(&secret), None).await;
    assert_eq!(r.status, 401);
    assert_eq!(ids(&s.admin(Method::GET, &tokens_path(&s), None).await.body).len(), 1);
    assert_eq!(s.admin(Method::DELETE, &path, None).await.code(), "not_found");

    // Bad bodies name the field.
    for (body, field) in [
        (json!({"description": ""}), "description"),
        (json!({"description": "x", "realm_id": "nope"}), "realm_id"),
        (json!({"description": "x", "extra": 1}), "extra"),
        (json!({}), "description"),
    ] {
        let r = s.admin(Method::POST, &tokens_path(&s), Some(body.clone())).await;
        assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{body}: {}", r.body);
        assert_eq!(r.error().details[0].field.as_deref(), Some(field), "{body}");
    }
    // Another tenant's tokens are not there.
    let (other, _) = other_tenant(&s).await;
    assert_eq!(s.admin(Method::GET, &format!("/v1/tenants/{other}/api-tokens"), None).await.status, 404);
    let dev_token_id = ids(&s.admin(Method::GET, &tokens_path(&s), None).await.body)[0].clone();
    assert_eq!(s.admin(Method::DELETE, &format!("/v1/tenants/{other}/api-tokens/{dev_token_id}"), None).await.status, 404);
}

pub async fn a_realm_scoped_caller_is_confined_to_its_realm(db: Db) {
    let s = TestServer::start_on(db).await;
    let realm_b = passbind_server::util::new_id();
    second_realm_of(&s, &s.dev.tenant_id, &realm_b).await;
    let in_dev_realm = create_token(&s, "dev realm", Some(&s.dev.realm_id)).await;
    let scoped = create_token(&s, "realm b", Some(&realm_b)).await;
    assert_eq!(scoped["realm_id"], realm_b.as_str());
    let secret = scoped["token"].as_str().unwrap().to_owned();
    let as_scoped = |method: Method, path: String, body: Option<Value>| {
        let s = &s;
        let secret = secret.clone();
        async move { s.send(method, &s.url(&path), Some(&secret), body.map(|b| serde_json::to_vec(&b).unwrap())).await }
    };

    // It sees its realm's tokens only (itself), never the tenant-wide one nor another realm's.
    let list = as_scoped(Method::GET, tokens_path(&s), None).await;
    assert_eq!(ids(&list.body), vec![scoped["id"].as_str().unwrap().to_owned()]);
    // It may create a token of its realm, not a tenant-wide one nor one of another realm.
    let r = as_scoped(Method::POST, tokens_path(&s), Some(json!({"description": "b2", "realm_id": realm_b}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = as_scoped(Method::POST, tokens_path(&s), Some(json!({"description": "wide"}))).await;
    assert_eq!((r.status, r.code().as_str()), (403, "permission_denied"), "{}", r.body);
    let r = as_scoped(Method::POST, tokens_path(&s), Some(json!({"description": "dev", "realm_id": s.dev.realm_id}))).await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "as if the realm did not exist: {}", r.body);
    // It cannot revoke another realm's token or the tenant-wide one.
    let other = format!("{}/{}", tokens_path(&s), in_dev_realm["id"].as_str().unwrap());
    assert_eq!(as_scoped(Method::DELETE, other, None).await.status, 404);
    // Through a session, the same.
    let (_, cookie) = sign_in(&s, &secret).await;
    let r = change_as(&s, &cookie, Method::POST, &tokens_path(&s), Some(json!({"description": "wide"}))).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert_eq!(get_as(&s, &cookie, &tokens_path(&s)).await.body["api_tokens"].as_array().unwrap().len(), 2);
}

pub async fn last_use_time_is_recorded(db: Db) {
    let s = TestServer::start_on(db).await;
    let created = create_token(&s, "used", None).await;
    let find = |list: &Value| list["api_tokens"].as_array().unwrap().iter().find(|t| t["id"] == created["id"]).cloned().unwrap();
    let before = find(&s.admin(Method::GET, &tokens_path(&s), None).await.body);
    assert!(before["last_use_time"].is_null());
    let r = s.send(Method::GET, &s.url(&format!("{}/identities", s.realm_path())), created["token"].as_str(), None).await;
    assert_eq!(r.status, 200);
    let after = find(&s.admin(Method::GET, &tokens_path(&s), None).await.body);
    let used = after["last_use_time"].as_str().expect("set after a use").to_owned();
    assert!(used.as_str() >= created["create_time"].as_str().unwrap());
    // Within the minute, another use does not write again.
    s.send(Method::GET, &s.url(&format!("{}/identities", s.realm_path())), created["token"].as_str(), None).await;
    assert_eq!(find(&s.admin(Method::GET, &tokens_path(&s), None).await.body)["last_use_time"], used.as_str());
    // Signing in with it counts as a use too (an older time is moved on).
    s.sql(&format!("UPDATE api_tokens SET last_use_time = 1 WHERE id = '{}'", created["id"].as_str().unwrap())).await;
    sign_in(&s, created["token"].as_str().unwrap()).await;
    let again = find(&s.admin(Method::GET, &tokens_path(&s), None).await.body);
    assert!(again["last_use_time"].as_str().unwrap() >= used.as_str());
}

pub async fn realms_are_listed(db: Db) {
    let s = TestServer::start_on(db).await;
    let realm_b = passbind_server::util::new_id();
    second_realm_of(&s, &s.dev.tenant_id, &realm_b).await;
    let (other, _) = other_tenant(&s).await;
    let r = s.admin(Method::GET, &format!("/v1/tenants/{}/realms", s.dev.tenant_id), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let realms = r.body["realms"].as_array().unwrap();
    let listed: Vec<&str> = realms.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(listed, vec![s.dev.realm_id.as_str(), realm_b.as_str()], "by creation");
    assert_eq!(realms[0]["display_name"], "Dev realm");
    // A realm-scoped token sees its own realm only.
    let scoped = create_token(&s, "b", Some(&realm_b)).await;
    let r = s.send(Method::GET, &s.url(&format!("/v1/tenants/{}/realms", s.dev.tenant_id)), scoped["token"].as_str(), None).await;
    assert_eq!(r.body["realms"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["realms"][0]["id"], realm_b.as_str());
    // Another tenant: 404; no token: 401.
    assert_eq!(s.admin(Method::GET, &format!("/v1/tenants/{other}/realms"), None).await.status, 404);
    assert_eq!(s.send(Method::GET, &s.url(&format!("/v1/tenants/{other}/realms")), None, None).await.status, 401);
}
