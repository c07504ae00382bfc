//! The emailed link in a browser (the bind page, or a readable page when it
//! cannot be used) and `post_binding_redirect_uri` validation.

use crate::common::*;
use crate::helpers::*;
use passbind_protocol::BindingLink;
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn a_browser_opening_the_link_is_sent_to_the_bind_page_and_the_job_is_opened() {
    let s = TestServer::start().await;
    // hosted_web: the service's own /bind.
    let (_, link) = s.identity_with_link("erin").await;
    let r = get_link(&s, &link.api_url(), BROWSER_ACCEPT).await;
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{}/bind?api_base_url=", s.server.public_url)), "{location}");
    for p in ["tenant_id=", "realm_id=", "identity_id=", "job_id=", "token="] {
        assert!(location.contains(p), "{location}");
    }
    assert_eq!(BindingLink::parse(&location).unwrap(), link);
    assert_eq!(r.headers()["cache-control"], "no-store");
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    assert_eq!(s.job(&link).await["state"], "LINK_OPENED");
    // Opening it again redirects again (and the job stays LINK_OPENED).
    assert_eq!(get_link(&s, &link.api_url(), BROWSER_ACCEPT).await.status(), 302);

    // embedded: the application's invoke_url + /bind.
    let cfg = s
        .admin(
            Method::POST,
            &format!("{}/authenticator-configs", s.realm_path()),
            Some(json!({"authenticator_config": {"config": {"type": "embedded", "invoke_url": "https://app.example.com/passkeys", "trusted_origins": ["https://app.example.com"]}}})),
        )
        .await;
    let identity = s.create_identity("fred").await;
    let r = create_email_job(&s, id(&identity), id(&cfg.body), Some("https://app.example.com/home")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let emailed = s.send(Method::GET, &s.url("/dev/outbox"), None, None).await.body["messages"][0]["link"].as_str().unwrap().to_owned();
    let r = get_link(&s, &emailed, BROWSER_ACCEPT).await;
    assert_eq!(r.status(), 302);
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with("https://app.example.com/passkeys/bind?api_base_url="), "{location}");
    let link = BindingLink::parse(&location).unwrap();
    assert_eq!(link, BindingLink::parse(&emailed).unwrap());
    assert_eq!(s.job(&link).await["state"], "LINK_OPENED");
}

#[tokio::test]
async fn an_unusable_link_gets_a_readable_page_and_no_redirect() {
    let s = TestServer::start().await;

    async fn expect_page(s: &TestServer, url: &str, status: u16, title: &str, code: &str) {
        let r = get_link(s, url, BROWSER_ACCEPT).await;
        assert_eq!(r.status().as_u16(), status, "{code}");
        assert!(r.headers().get("location").is_none(), "{code}: no redirect");
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{code}");
        let body = r.text().await.unwrap();
        assert!(body.contains(title) && body.contains(code), "{code}: {body}");
        // API clients get the JSON error instead.
        let r = get_link(s, url, "application/json").await;
        assert!(r.headers().get("location").is_none());
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["code"], code);
    }

    // Unknown token.
    let (_, link) = s.identity_with_link("gus").await;
    let forged = BindingLink { token: "forged".into(), ..link.clone() };
    expect_page(&s, &forged.api_url(), 404, "This link is not valid", "INVALID_LINK").await;
    assert_eq!(s.job(&link).await["state"], "LINK_SENT", "a forged token opens nothing");

    // Expired.
    s.sql(&format!("UPDATE credential_binding_jobs SET expire_time = 0 WHERE id = '{}'", link.job_id)).await;
    expect_page(&s, &link.api_url(), 410, "This link has expired", "LINK_EXPIRED").await;

    // Revoked.
    let (_, link) = s.identity_with_link("hal").await;
    assert_eq!(s.admin(Method::POST, &format!("{}:revoke", link.job_path()), None).await.status, 200);
    expect_page(&s, &link.api_url(), 410, "This link was cancelled", "JOB_REVOKED").await;

    // Completed.
    let (_, link) = s.identity_with_link("ida").await;
    let invoke = s.invoke_ok(&link).await;
    let options = serde_json::to_value(&invoke.public_key).unwrap();
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    assert_eq!(s.bind(&link, &invoke.ceremony_id, &cred).await.status, 200);
    expect_page(&s, &link.api_url(), 409, "This link was already used", "JOB_COMPLETE").await;

    // Suspended identity.
    let (identity, link) = s.identity_with_link("jon").await;
    let path = format!("{}/identities/{}", s.realm_path(), id(&identity));
    s.admin(Method::PATCH, &path, Some(json!({"identity": {"status": "suspended"}}))).await;
    expect_page(&s, &link.api_url(), 403, "This account is suspended", "IDENTITY_SUSPENDED").await;
}

#[tokio::test]
async fn post_binding_redirect_uri_must_be_an_absolute_http_s_url() {
    let s = TestServer::start().await;
    let identity = s.create_identity("kim").await;
    for bad in [
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "/relative/path",
        "ftp://example.com/x",
        "http://example.com/plain-http-off-loopback",
        "https://user:secret@example.com/",
        "not a url",
    ] {
        for method in ["RETURN", "EMAIL"] {
            let r = s
                .admin(
                    Method::POST,
                    &format!("{}/identities/{}/credential-binding-jobs", s.realm_path(), id(&identity)),
                    Some(json!({"job": {"delivery_method": method, "authenticator_config_id": s.dev.authenticator_config_id, "post_binding_redirect_uri": bad}})),
                )
                .await;
            assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{bad}");
            assert_eq!(r.error().details[0].field.as_deref(), Some("job.post_binding_redirect_uri"), "{bad}");
        }
    }
    assert!(jobs_of(&s, id(&identity)).await.is_empty());
    assert!(!s.outbox_dir().exists(), "no email for a refused job");

    for good in ["https://app.example.com/done?step=2#top", "http://localhost:3000/done", "http://127.0.0.1/done"] {
        let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, Some(good)).await;
        assert_eq!(r.status, 200, "{good}: {}", r.body);
        assert_eq!(r.body["credential_binding_job"]["post_binding_redirect_uri"], good);
        let job_id = r.body["credential_binding_job"]["id"].as_str().unwrap();
        let got =
            s.admin(Method::GET, &format!("{}/identities/{}/credential-binding-jobs/{job_id}", s.realm_path(), id(&identity)), None).await;
        assert_eq!(got.body["post_binding_redirect_uri"], good);
    }
}
