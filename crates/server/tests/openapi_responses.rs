//! Real answers against the documented schemas. Every suite's requests go
//! through the harness's client, which checks each answer against
//! `/openapi.json` (`common/schema.rs`); this suite runs one representative
//! session through every documented operation — successes and the 400, 401,
//! 404, 409, 410, 413, 422 and 429 errors — and then asserts that each
//! operation was answered and checked, and that the checker does refuse what
//! the document does not say.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Runs `check` and tells whether it refused (panicked).
fn refuses(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &str) -> bool {
    let body = body.as_bytes().to_vec();
    let (method, path, content_type) = (method.to_owned(), path.to_owned(), content_type.map(str::to_owned));
    std::panic::catch_unwind(move || schema::check(&method, &path, status, content_type.as_deref(), &body)).is_err()
}

#[test]
fn the_checker_refuses_what_the_document_does_not_say() {
    let identity = "/v1/tenants/t/realms/r/identities/i";
    let error = r#"{"code":"not_found","message":"identity not found","details":[]}"#;
    let good = r#"{"id":"i","realm_id":"r","tenant_id":"t","display_name":"Ada","create_time":"2022-07-11T21:10:33.383828Z",
        "update_time":"2022-07-11T21:10:33.383828Z","status":"active","traits":{"type":"traits_v0","username":"ada"}}"#;
    let json = Some("application/json");
    assert!(!refuses("GET", identity, 200, json, good));
    assert!(!refuses("GET", identity, 404, json, error));
    // A field the document does not name, a missing or mistyped one, an unknown error code.
    assert!(refuses("GET", identity, 200, json, &good.replace(r#""status""#, r#""secret":1,"status""#)));
    assert!(refuses("GET", identity, 200, json, &good.replace(r#""display_name":"Ada","#, "")));
    assert!(refuses("GET", identity, 200, json, &good.replace(r#""status":"active""#, r#""status":7"#)));
    assert!(refuses("GET", identity, 404, json, &error.replace("not_found", "NOPE")));
    // A value outside the documented enum; a time that is not RFC 3339 (formats are checked).
    assert!(refuses("GET", identity, 200, json, &good.replace(r#""status":"active""#, r#""status":"deleted""#)));
    assert!(refuses("GET", identity, 200, json, &good.replacen("2022-07-11T21:10:33.383828Z", "yesterday", 1)));
    // A status the operation does not document; a content type it does not; a body where none is documented.
    assert!(refuses("GET", identity, 409, json, error));
    assert!(refuses("GET", identity, 200, Some("text/html"), "<p>hi</p>"));
    assert!(refuses("OPTIONS", &format!("{identity}/credential-binding-jobs/j:bindCredential"), 204, json, "{}"));
    // `{id}:verb` is its own operation; an unknown verb or method may only be a 404/405 error.
    assert!(!refuses("POST", &format!("{identity}/credential-binding-jobs/j%3Arevoke"), 409, json, error));
    assert!(refuses("POST", &format!("{identity}/credential-binding-jobs/j:frobnicate"), 200, json, "{}"));
    assert!(!refuses("POST", &format!("{identity}/credential-binding-jobs/j:frobnicate"), 404, json, error));
}

async fn post(s: &TestServer, path: String, body: Value) -> Resp {
    s.admin(Method::POST, &path, Some(body)).await
}

async fn a_whole_session_answers_as_documented(db: Db) {
    // A low per-job limit so the 429 is quick to reach.
    let s = TestServer::start_with(db, |c| c.max_token_failures_per_job = 2).await;
    let realm = s.realm_path();

    // Authenticator configs: create (400 on a bad one), get, list in pages, delete (422 while used).
    let embedded = json!({"authenticator_config": {"config": {"type": "embedded", "invoke_url": "https://app.example.com/passkeys",
        "trusted_origins": ["https://app.example.com"], "authenticator_attachment": "platform", "attestation": "none"}}});
    let config = post(&s, format!("{realm}/authenticator-configs"), embedded).await;
    assert_eq!(config.status, 200, "{}", config.body);
    let config_id = config.body["id"].as_str().unwrap().to_owned();
    let bad = post(&s, format!("{realm}/authenticator-configs"), json!({"authenticator_config": {"config": {"type": "nope"}}})).await;
    assert_eq!((bad.status, bad.code().as_str()), (400, "invalid_argument"));
    assert_eq!(s.admin(Method::GET, &format!("{realm}/authenticator-configs/{config_id}"), None).await.status, 200);
    let first = s.admin(Method::GET, &format!("{realm}/authenticator-configs?page_size=1"), None).await;
    let token = first.body["next_page_token"].as_str().expect("a second page").to_owned();
    let second = s.admin(Method::GET, &format!("{realm}/authenticator-configs?page_size=1&page_token={token}"), None).await;
    assert_eq!((first.status, second.status, second.body["total_size"].as_u64()), (200, 200, Some(2)));

    // Identities: create (409 on a taken username), get, patch, list in pages; 401 and 404.
    let identity = s.create_identity("ada").await;
    let identity_id = identity["id"].as_str().unwrap().to_owned();
    let taken = post(
        &s,
        format!("{realm}/identities"),
        json!({"identity": {"display_name": "Other", "traits": {"type": "traits_v0", "username": "ADA"}}}),
    );
    assert_eq!(taken.await.code(), "already_exists");
    let other = s.create_identity("grace").await;
    let other_path = format!("{realm}/identities/{}", other["id"].as_str().unwrap());
    let patched = s.admin(Method::PATCH, &other_path, Some(json!({"identity": {"status": "suspended"}}))).await;
    assert_eq!(patched.body["status"], "suspended");
    let page = s.admin(Method::GET, &format!("{realm}/identities?page_size=1"), None).await;
    assert!(page.body["next_page_token"].is_string(), "{}", page.body);
    let page_token = page.body["next_page_token"].as_str().unwrap();
    assert_eq!(s.admin(Method::GET, &format!("{realm}/identities?page_token={page_token}"), None).await.status, 200);
    assert_eq!(s.admin(Method::GET, &format!("{realm}/identities?page_size=x"), None).await.status, 400);
    assert_eq!(s.admin(Method::GET, &format!("{realm}/identities/{identity_id}"), None).await.status, 200);
    assert_eq!(s.send(Method::GET, &s.url(&format!("{realm}/identities")), None, None).await.code(), "unauthenticated");
    assert_eq!(s.admin(Method::GET, &format!("{realm}/identities/0000000000000000"), None).await.code(), "not_found");
    let suspended = post(
        &s,
        format!("{realm}/identities/{}/credential-binding-jobs", other["id"].as_str().unwrap()),
        json!({"job": {"delivery_method": "RETURN", "authenticator_config_id": s.dev.authenticator_config_id}}),
    );
    assert_eq!(suspended.await.status, 422);

    // A RETURN job on the embedded config: the link opens (302), both preflights, invoke, bind.
    let (_, link) = s.create_job(&identity_id, &config_id, Some("https://app.example.com/done")).await;
    assert_eq!(s.http.get(link.api_url()).send().await.unwrap().status(), 302);
    for url in [link.invoke_authenticator_url(), link.bind_credential_url()] {
        let r = s.http.request(Method::OPTIONS, url).header("Origin", "https://app.example.com").send().await.unwrap();
        assert_eq!(r.status(), 204);
    }
    assert_eq!(s.invoke(&link, "wrong").await.code(), "INVALID_LINK");
    let invoke = s.invoke_ok(&link).await;
    let options = serde_json::to_value(&invoke.public_key).unwrap();
    let mut authenticator = software_authenticator();
    let credential = create_credential(&mut authenticator, "https://app.example.com", &options).await;
    let huge = vec![b' '; 70 * 1024];
    assert_eq!(s.bind_raw(&link, huge).await.status, 413);
    let stale = s.bind(&link, "not-a-ceremony", &credential).await;
    assert_eq!(stale.code(), "NOT_ALLOWED");
    let bound = s.bind(&link, &invoke.ceremony_id, &credential).await;
    assert_eq!(bound.status, 200, "{}", bound.body);
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &credential).await.status, 200, "a retry answers the same");
    assert_eq!(s.invoke(&link, &link.token).await.code(), "JOB_COMPLETE");
    let opened = s.http.get(link.api_url()).header("Accept", "text/html").send().await.unwrap();
    assert_eq!(opened.status(), 409);

    // Jobs: get, list, revoke (409 once COMPLETE; 200 on an open one, then 410 for its link).
    assert_eq!(s.admin(Method::GET, &link.job_path(), None).await.body["state"], "COMPLETE");
    let jobs = s.admin(Method::GET, &format!("{realm}/identities/{identity_id}/credential-binding-jobs?page_size=10"), None).await;
    assert_eq!(jobs.body["total_size"], 1);
    assert_eq!(s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await.code(), "JOB_COMPLETE");
    let (_, open) = s.create_job(&identity_id, &s.dev.authenticator_config_id, None).await;
    assert_eq!(s.admin(Method::POST, &format!("{}:revoke", open.job_path()), None).await.body["state"], "REVOKED");
    assert_eq!(s.invoke(&open, &open.token).await.code(), "JOB_REVOKED");
    assert_eq!(s.http.get(open.api_url()).header("Accept", "text/html").send().await.unwrap().status(), 410);
    assert_eq!(s.http.get(format!("{}?token=wrong", open.invoke_authenticator_url())).send().await.unwrap().status(), 400);
    assert_eq!(
        s.http.get(format!("{}?token=wrong", open.invoke_authenticator_url())).header("Accept", "text/html").send().await.unwrap().status(),
        404
    );
    // Wrong tokens on one job until the limit: 429.
    let (_, guessed) = s.create_job(&identity_id, &s.dev.authenticator_config_id, None).await;
    for _ in 0..2 {
        assert_eq!(s.invoke(&guessed, "guess").await.code(), "INVALID_LINK");
    }
    assert_eq!(s.invoke(&guessed, "guess").await.status, 429);

    // The config is in use: 422; a fresh one deletes.
    assert_eq!(s.admin(Method::DELETE, &format!("{realm}/authenticator-configs/{config_id}"), None).await.status, 422);
    let spare =
        post(&s, format!("{realm}/authenticator-configs"), json!({"authenticator_config": {"config": {"type": "hosted_web"}}})).await;
    let spare_path = format!("{realm}/authenticator-configs/{}", spare.body["id"].as_str().unwrap());
    assert_eq!(s.admin(Method::DELETE, &spare_path, None).await.body, json!({}));

    // Credentials: list in pages, get, revoke (twice is harmless).
    let credentials = s.admin(Method::GET, &format!("{realm}/identities/{identity_id}/credentials?page_size=1"), None).await;
    let credential_id = credentials.body["credentials"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("{realm}/identities/{identity_id}/credentials/{credential_id}");
    assert_eq!(s.admin(Method::GET, &path, None).await.body["state"], "ACTIVE");
    for _ in 0..2 {
        assert_eq!(s.admin(Method::POST, &format!("{path}:revoke"), None).await.body["state"], "REVOKED");
    }
    assert_eq!(s.admin(Method::POST, &format!("{path}:frobnicate"), None).await.status, 404);

    // An EMAIL job (to the dev outbox), the dev endpoints and the document itself.
    let email = post(
        &s,
        format!("{realm}/identities/{identity_id}/credential-binding-jobs"),
        json!({"job": {"delivery_method": "EMAIL", "authenticator_config_id": s.dev.authenticator_config_id}}),
    );
    assert_eq!(email.await.body["credential_binding_job"]["state"], "LINK_SENT");
    for path in ["/dev/bootstrap", "/dev/outbox", "/openapi.json"] {
        assert_eq!(s.http.get(s.url(path)).send().await.unwrap().status(), 200, "{path}");
    }

    let events = s.admin(Method::GET, &format!("{realm}/events?type=CredentialBindingJobChange&page_size=1"), None).await;
    assert_eq!(events.status, 200, "{}", events.body);

    console_session_and_tokens(&s).await;
    webhooks(&s).await;
    email_branding(&s, &realm).await;

    // Every documented operation was answered and checked, with these statuses at least.
    let checked = schema::checked();
    let ops: std::collections::BTreeSet<&str> = checked.iter().map(|(op, _)| op.as_str()).collect();
    let documented = schema::documented();
    for (op, _) in &documented {
        assert!(ops.contains(op.as_str()), "{op} was never answered in the session; checked: {checked:?}");
    }
    for status in [400, 401, 404, 409, 410, 413, 422, 429] {
        assert!(checked.iter().any(|(_, s)| *s == status), "no {status} was checked");
    }
    println!("checked {} of the {} documented (operation, status) pairs across {} operations", checked.len(), documented.len(), ops.len());
}

/// A tenant's webhooks (issue 11, part 3): each operation once (to a
/// loopback port where nothing listens; deleted at the end).
async fn webhooks(s: &TestServer) {
    let path = format!("/v1/tenants/{}/webhooks", s.dev.tenant_id);
    let created = s.admin(Method::POST, &path, Some(json!({"url": "http://127.0.0.1:9/hook", "description": "openapi"}))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    for path in [path.clone(), format!("{path}/{id}"), format!("{path}/{id}/deliveries")] {
        assert_eq!(s.admin(Method::GET, &path, None).await.status, 200, "{path}");
    }
    assert_eq!(s.admin(Method::DELETE, &format!("{path}/{id}"), None).await.status, 204);
}

/// A realm's email branding (issue 11, part 2): read, set, preview.
async fn email_branding(s: &TestServer, realm: &str) {
    let path = format!("{realm}/email-branding");
    assert_eq!(s.admin(Method::GET, &path, None).await.status, 200);
    let put = s.admin(Method::PUT, &path, Some(json!({"sender_name": "Example", "primary_color": "#0A5"}))).await;
    assert_eq!(put.status, 400, "a three-digit colour is refused: {}", put.body);
    let put = s.admin(Method::PUT, &path, Some(json!({"sender_name": "Example", "primary_color": "#0a5fcc"}))).await;
    assert_eq!(put.status, 200, "{}", put.body);
    let preview = s.admin(Method::GET, &format!("{path}/preview?format=json&subject=Hello"), None).await;
    assert_eq!(preview.body["subject"], "Hello", "{}", preview.body);
}

/// The console's sign-in, realms and API tokens (issue 11, part 1), in a session.
async fn console_session_and_tokens(s: &TestServer) {
    let tenant = format!("/v1/tenants/{}", s.dev.tenant_id);
    assert_eq!(s.admin(Method::GET, &format!("{tenant}/realms"), None).await.status, 200);
    assert_eq!(s.admin(Method::GET, &format!("{tenant}/api-tokens"), None).await.status, 200);
    let created = s.admin(Method::POST, &format!("{tenant}/api-tokens"), Some(json!({"description": "openapi"}))).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let token = created.body["token"].as_str().unwrap();
    let session =
        s.http.post(s.url("/v1/console/session")).header("x-passbind-csrf", "1").json(&json!({ "api_token": token })).send().await.unwrap();
    assert_eq!(session.status(), 200);
    let cookie = session.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_owned();
    let get = s.http.get(s.url("/v1/console/session")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(get.status(), 200);
    let refused = s.http.request(Method::DELETE, s.url("/v1/console/session")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(refused.status(), 403, "no CSRF header");
    let delete = s.http.request(Method::DELETE, s.url("/v1/console/session")).header("cookie", &cookie).header("x-passbind-csrf", "1");
    assert_eq!(delete.send().await.unwrap().status(), 204);
    let revoke = format!("{tenant}/api-tokens/{}", created.body["id"].as_str().unwrap());
    assert_eq!(s.admin(Method::DELETE, &revoke, None).await.status, 204);
}

crate::on_both_databases!(a_whole_session_answers_as_documented);
