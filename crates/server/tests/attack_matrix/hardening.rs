//! Attacks 25–30: oversized and malformed bodies, revoking a completed job,
//! CORS, the pages' security headers, and secrets in the logs.

use crate::common::*;
use crate::helpers::*;
use passbind_protocol::wire::{InvokeAuthenticatorResponse, RegistrationResponse};
use passbind_protocol::BindingLink;
use reqwest::Method;
use serde_json::{json, Value};

pub(crate) async fn attack_25_oversized_body(db: Db) {
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

pub(crate) async fn attack_26_unknown_fields_and_wrong_types(db: Db) {
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

pub(crate) async fn attack_27_revoke_a_completed_job(db: Db) {
    let s = TestServer::start_on(db).await;
    let (identity, link, invoke, cred) = prepared(&s, "a27").await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    refused(&s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await, 409, "JOB_COMPLETE");
    assert_eq!(s.job(&link).await["state"], "COMPLETE");
    assert_eq!(s.credentials(identity["id"].as_str().unwrap()).await[0]["state"], "ACTIVE");
}

pub(crate) async fn attack_28_cors_from_an_untrusted_origin(db: Db) {
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

pub(crate) async fn attack_29_pages_carry_security_headers(db: Db) {
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
pub(crate) async fn attack_30_secrets_never_reach_the_logs(db: Db) {
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
