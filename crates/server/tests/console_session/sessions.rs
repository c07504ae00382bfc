//! The session cookie: how it is set, what it reaches, when it stops
//! working, the CSRF rule, and the actor it leaves in the audit log.

use crate::common::{Db, TestServer};
use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

const SESSION: &str = "/v1/console/session";

pub async fn sign_in_sets_a_strict_http_only_cookie_and_never_answers_the_token(db: Db) {
    let s = TestServer::start_on(db).await;
    let (r, cookie) = sign_in(&s, &s.dev.api_token).await;
    let header = set_cookie(&r);
    assert!(header.starts_with("passbind_session="), "{header}");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(header.split("; ").any(|p| p == part), "{part} in {header}");
    }
    assert!(!header.contains("Secure"), "no Secure on a loopback http URL: {header}");
    let secret = cookie.split_once('=').unwrap().1;
    assert_eq!(secret.len(), 43, "256 random bits, base64url");
    assert_ne!(secret, s.dev.api_token);
    assert_eq!(r.body["tenant_id"], s.dev.tenant_id.as_str());
    assert!(r.body["realm_id"].is_null(), "the dev token is tenant-wide");
    assert!(!r.body.to_string().contains(&s.dev.api_token), "the token is never answered");

    let me = get_as(&s, &cookie, SESSION).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body, r.body);
    // The session is used like a token: the admin API answers it.
    let identities = get_as(&s, &cookie, &format!("{}/identities", s.realm_path())).await;
    assert_eq!(identities.status, 200, "{}", identities.body);

    // A wrong token: 401, and no cookie.
    let bad = call(&s, Method::POST, SESSION, &[("x-passbind-csrf", "1")], Some(json!({"api_token": "nope"}))).await;
    assert_eq!((bad.status, bad.code().as_str()), (401, "unauthenticated"));
    assert!(bad.headers.get("set-cookie").is_none());
    // The document names the cookie as a second scheme on the admin operations.
    let doc: serde_json::Value = s.http.get(s.url("/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(doc["components"]["securitySchemes"]["console_session"]["in"], "cookie");
    let security = &doc["paths"]["/v1/tenants/{tenant_id}/realms/{realm_id}/identities"]["post"]["security"];
    assert_eq!(security, &json!([{"bearer": []}, {"console_session": []}]));
    // Signing in again ends the session the request came with.
    let (_, second) = call_sign_in_with_cookie(&s, &cookie).await;
    assert_eq!(get_as(&s, &cookie, SESSION).await.status, 401);
    assert_eq!(get_as(&s, &second, SESSION).await.status, 200);
}

async fn call_sign_in_with_cookie(s: &TestServer, cookie: &str) -> (u16, String) {
    let r =
        call(s, Method::POST, SESSION, &[("x-passbind-csrf", "1"), ("cookie", cookie)], Some(json!({"api_token": s.dev.api_token}))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    (r.status, cookie_pair(&set_cookie(&r)))
}

pub async fn behind_https_the_cookie_is_host_prefixed_and_secure(db: Db) {
    let s = TestServer::start_with(db, |c| c.public_url = Some("https://localhost".into())).await;
    // The public URL names a proxy's https; the test talks to the listener itself.
    let base = format!("http://{}", s.server.local_addr);
    let body = Some(json!({ "api_token": s.dev.api_token }));
    let r = call_at(&s, &base, Method::POST, SESSION, &[("x-passbind-csrf", "1"), ("origin", "https://localhost")], body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let header = set_cookie(&r);
    assert!(header.starts_with("__Host-passbind_session="), "{header}");
    for part in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(header.split("; ").any(|p| p == part), "{part} in {header}");
    }
    assert!(!header.contains("Domain"), "host-only: {header}");
    let cookie = cookie_pair(&header);
    assert_eq!(call_at(&s, &base, Method::GET, SESSION, &[("cookie", &cookie)], None).await.status, 200);
    // The plain name is not read behind https.
    let plain = cookie.replace("__Host-", "");
    assert_eq!(call_at(&s, &base, Method::GET, SESSION, &[("cookie", &plain)], None).await.status, 401);
    // Another origin than the https one is refused.
    let body = Some(json!({ "api_token": s.dev.api_token }));
    let r = call_at(&s, &base, Method::POST, SESSION, &[("x-passbind-csrf", "1"), ("origin", "http://localhost")], body).await;
    assert_eq!((r.status, r.code().as_str()), (403, "permission_denied"));
}

pub async fn a_session_reaches_exactly_what_its_token_reaches(db: Db) {
    let s = TestServer::start_on(db).await;
    let (other_tenant, other_tenant_realm) = other_tenant(&s).await;
    let realm_b = passbind_server::util::new_id();
    second_realm_of(&s, &s.dev.tenant_id, &realm_b).await;

    // Tenant-wide: both realms of the dev tenant, nothing of the other tenant (404, as if absent).
    let (_, cookie) = sign_in(&s, &s.dev.api_token).await;
    let dev_b = format!("/v1/tenants/{}/realms/{realm_b}/identities", s.dev.tenant_id);
    assert_eq!(get_as(&s, &cookie, &dev_b).await.status, 200);
    let foreign = format!("/v1/tenants/{other_tenant}/realms/{other_tenant_realm}/identities");
    let r = get_as(&s, &cookie, &foreign).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    assert_eq!(get_as(&s, &cookie, &format!("/v1/tenants/{other_tenant}/realms")).await.status, 404);

    // Realm-scoped: its realm only.
    let scoped = create_token(&s, "realm b", Some(&realm_b)).await;
    let (r, cookie) = sign_in(&s, scoped["token"].as_str().unwrap()).await;
    assert_eq!(r.body["realm_id"], realm_b.as_str());
    assert_eq!(r.body["description"], "realm b");
    assert_eq!(get_as(&s, &cookie, &dev_b).await.status, 200);
    let r = get_as(&s, &cookie, &format!("{}/identities", s.realm_path())).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    let r = change_as(&s, &cookie, Method::POST, &format!("{}/identities", s.realm_path()), Some(identity("zed"))).await;
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(get_as(&s, &cookie, &foreign).await.status, 404);
}

fn identity(username: &str) -> serde_json::Value {
    json!({"identity": {"display_name": username, "traits": {"type": "traits_v0", "username": username}}})
}

pub async fn forged_expired_revoked_and_signed_out_sessions_are_unauthenticated(db: Db) {
    let s = TestServer::start_on(db).await;
    let list = format!("{}/identities", s.realm_path());
    for cookie in ["", "passbind_session=forged", "passbind_session=", "other=1"] {
        let r = get_as(&s, cookie, &list).await;
        assert_eq!((r.status, r.code().as_str()), (401, "unauthenticated"), "{cookie:?}");
    }
    // A session's own secret under another token's name is nothing either.
    let forged = format!("passbind_session={}", s.dev.api_token);
    assert_eq!(get_as(&s, &forged, &list).await.status, 401);

    // Expired.
    let (session, cookie) = sign_in(&s, &s.dev.api_token).await;
    s.sql(&format!("UPDATE console_sessions SET expire_time = 1 WHERE id = '{}'", session.body["session_id"].as_str().unwrap())).await;
    assert_eq!(get_as(&s, &cookie, &list).await.status, 401);
    assert_eq!(get_as(&s, &cookie, SESSION).await.status, 401);

    // Its token revoked (through the API): the session dies with it.
    let token = create_token(&s, "revoked soon", None).await;
    let (_, cookie) = sign_in(&s, token["token"].as_str().unwrap()).await;
    assert_eq!(get_as(&s, &cookie, &list).await.status, 200);
    let path = format!("/v1/tenants/{}/api-tokens/{}", s.dev.tenant_id, token["id"].as_str().unwrap());
    assert_eq!(s.admin(Method::DELETE, &path, None).await.status, 204);
    assert_eq!(get_as(&s, &cookie, &list).await.status, 401);
    assert_eq!(get_as(&s, &cookie, SESSION).await.status, 401);

    // Signed out: 204, the cookie cleared, the session gone.
    let (_, cookie) = sign_in(&s, &s.dev.api_token).await;
    let r = change_as(&s, &cookie, Method::DELETE, SESSION, None).await;
    assert_eq!(r.status, 204, "{}", r.body);
    let cleared = set_cookie(&r);
    assert!(cleared.starts_with("passbind_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(get_as(&s, &cookie, &list).await.status, 401);
    assert_eq!(change_as(&s, &cookie, Method::DELETE, SESSION, None).await.status, 401);
}

pub async fn changes_through_a_session_follow_the_csrf_rule(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, cookie) = sign_in(&s, &s.dev.api_token).await;
    let path = format!("{}/identities", s.realm_path());
    let origin = s.server.state.public_origin.clone();

    let r = call(&s, Method::POST, &path, &[("cookie", &cookie)], Some(identity("ann"))).await;
    assert_eq!((r.status, r.code().as_str()), (403, "permission_denied"), "{}", r.body);
    assert!(r.error().message.contains("X-Passbind-CSRF"), "{}", r.body);
    let headers = [("cookie", cookie.as_str()), ("x-passbind-csrf", "1"), ("origin", "https://evil.example")];
    let r = call(&s, Method::POST, &path, &headers, Some(identity("ann"))).await;
    assert_eq!((r.status, r.code().as_str()), (403, "permission_denied"), "{}", r.body);
    assert!(r.error().message.contains("origin"), "{}", r.body);
    // Nothing was created by the refused attempts.
    assert_eq!(get_as(&s, &cookie, &path).await.body["total_size"], 0);
    let r =
        call(&s, Method::POST, &path, &[("cookie", &cookie), ("x-passbind-csrf", "1"), ("origin", &origin)], Some(identity("ann"))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Without Origin (not every browser sends it on same-origin requests), the header suffices.
    let r = call(&s, Method::POST, &path, &[("cookie", &cookie), ("x-passbind-csrf", "1")], Some(identity("bob"))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Sign-in and sign-out need the header too.
    let r = call(&s, Method::POST, SESSION, &[], Some(json!({"api_token": s.dev.api_token}))).await;
    assert_eq!((r.status, r.code().as_str()), (403, "permission_denied"));
    let r = call(
        &s,
        Method::POST,
        SESSION,
        &[("x-passbind-csrf", "1"), ("origin", "https://evil.example")],
        Some(json!({"api_token": s.dev.api_token})),
    )
    .await;
    assert_eq!(r.status, 403);
    assert_eq!(call(&s, Method::DELETE, SESSION, &[("cookie", &cookie)], None).await.status, 403);
    assert_eq!(get_as(&s, &cookie, SESSION).await.status, 200, "a refused sign-out leaves the session");

    // Bearer requests are unaffected, even from another origin without the header.
    let bearer = format!("Bearer {}", s.dev.api_token);
    let r = call(&s, Method::POST, &path, &[("authorization", &bearer), ("origin", "https://evil.example")], Some(identity("cy"))).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Bearer wins over the cookie: a bad token with a good cookie is 401.
    let r = call(&s, Method::GET, &path, &[("authorization", "Bearer wrong"), ("cookie", &cookie)], None).await;
    assert_eq!(r.status, 401);
}

pub async fn a_change_through_a_session_is_recorded_with_the_session_as_actor(db: Db) {
    let s = TestServer::start_on(db).await;
    let (_, link) = s.identity_with_link("dora").await;
    let (session, cookie) = sign_in(&s, &s.dev.api_token).await;
    let r = change_as(&s, &cookie, Method::POST, &format!("{}:revoke", link.job_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let events = get_as(&s, &cookie, &format!("{}/events?job_id={}", s.realm_path(), link.job_id)).await;
    assert_eq!(events.status, 200, "{}", events.body);
    let newest = &events.body["events"][0];
    assert_eq!(newest["state_after"], "REVOKED");
    assert_eq!(newest["actor"], json!({"type": "CONSOLE_SESSION", "id": session.body["session_id"]}));
    assert_eq!(events.body["events"][1]["actor"]["type"], "API_TOKEN", "the job was created with the Bearer token");
    let all = events.body.to_string();
    assert!(!all.contains(&s.dev.api_token) && !all.contains(cookie.split_once('=').unwrap().1));
}
