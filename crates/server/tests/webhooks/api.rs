//! The webhook routes: the secret shown once, tenant-wide callers only,
//! URL and body validation, the delivery log's paging.

use crate::common::*;
use crate::helpers::*;
use reqwest::Method;
use serde_json::json;

pub(crate) async fn secrets_scopes_and_bad_urls(db: Db) {
    let s = server(db).await;
    let (_receiver, url) = Receiver::start(&[]).await;
    let (id, secret) = create_webhook(&s, &url).await;
    assert!(secret.starts_with("whsec_"));
    s.identity_with_link("quinn").await;
    settled(&s, &id, 1).await;
    // The secret is in the 201 only: never in a list, a get or the log.
    for path in [webhooks_path(&s), format!("{}/{id}", webhooks_path(&s)), format!("{}/{id}/deliveries", webhooks_path(&s))] {
        let r = s.admin(Method::GET, &path, None).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let text = r.body.to_string();
        assert!(!text.contains(&secret) && !text.contains("whsec_") && !text.contains("\"secret\""), "{path}: {text}");
    }
    let one = s.admin(Method::GET, &format!("{}/{id}", webhooks_path(&s)), None).await;
    assert_eq!((&one.body["url"], &one.body["description"]), (&json!(url), &json!("test receiver")));

    // A realm-scoped token: 403 on every operation; another tenant's: 404; none: 401.
    use passbind_server::store::{ApiToken, Tenant};
    use passbind_server::util::{hash_secret, now_micros};
    let state = &s.server.state;
    let realm_token =
        ApiToken::new(hash_secret("realm-token"), s.dev.tenant_id.clone().into(), Some(s.dev.realm_id.clone().into()), None, now_micros());
    state.api_tokens.insert_api_token(&realm_token).await.unwrap();
    state
        .tenants
        .create_tenant(&Tenant { id: "00000000000000aa".into(), display_name: "Other".into(), create_time: now_micros() })
        .await
        .unwrap();
    let other = ApiToken::new(hash_secret("other-token"), "00000000000000aa".into(), None, None, now_micros());
    state.api_tokens.insert_api_token(&other).await.unwrap();
    let body = serde_json::to_vec(&json!({"url": "https://example.com/hook"})).unwrap();
    let calls = [
        (Method::GET, webhooks_path(&s), None),
        (Method::POST, webhooks_path(&s), Some(body)),
        (Method::GET, format!("{}/{id}", webhooks_path(&s)), None),
        (Method::DELETE, format!("{}/{id}", webhooks_path(&s)), None),
        (Method::GET, format!("{}/{id}/deliveries", webhooks_path(&s)), None),
    ];
    for (method, path, body) in &calls {
        let r = s.send(method.clone(), &s.url(path), Some("realm-token"), body.clone()).await;
        assert_eq!((r.status, r.code().as_str()), (403, "permission_denied"), "{method} {path}: {}", r.body);
        let r = s.send(method.clone(), &s.url(path), Some("other-token"), body.clone()).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"), "{method} {path}: {}", r.body);
        let r = s.send(method.clone(), &s.url(path), None, body.clone()).await;
        assert_eq!(r.status, 401, "{method} {path}");
    }
    assert_eq!(s.admin(Method::GET, &format!("{}/{id}", webhooks_path(&s)), None).await.status, 200, "still there");

    let long = format!("https://example.com/{}", "a".repeat(2048));
    let bad_bodies = [
        (json!({"url": "http://example.com/hook"}), "url"),
        (json!({"url": "ftp://example.com/hook"}), "url"),
        (json!({"url": "/hook"}), "url"),
        (json!({"url": "https://user:pw@example.com/hook"}), "url"),
        (json!({"url": "https://example.com/hook#part"}), "url"),
        (json!({"url": long}), "url"),
        (json!({"url": 7}), "url"),
        (json!({}), "url"),
        (json!({"url": "https://example.com/hook", "description": "x".repeat(300)}), "description"),
        (json!({"url": "https://example.com/hook", "secret": "whsec_mine"}), "secret"),
    ];
    for (bad, field) in bad_bodies {
        let r = s.admin(Method::POST, &webhooks_path(&s), Some(bad.clone())).await;
        assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{bad}: {}", r.body);
        let details = r.error().details;
        assert!(
            details.iter().any(|d| d.field.as_deref().is_some_and(|f| f.contains(field)) || d.description.contains(field)),
            "{bad}: {}",
            r.body
        );
    }
    assert_eq!(s.admin(Method::GET, &webhooks_path(&s), None).await.body["total_size"], 1, "nothing created by refused calls");
    let r = s.admin(Method::GET, &format!("{}/0000000000000000/deliveries", webhooks_path(&s)), None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
}

pub(crate) async fn the_log_pages_newest_first(db: Db) {
    let s = server(db).await;
    let (_receiver, url) = Receiver::start(&[]).await;
    let (id, _) = create_webhook(&s, &url).await;
    for name in ["rita", "sara", "tina"] {
        s.identity_with_link(name).await;
    }
    let all = settled(&s, &id, 3).await;
    let (mut seen, mut token) = (Vec::new(), String::new());
    loop {
        let r = s.admin(Method::GET, &format!("{}/{id}/deliveries?page_size=2&page_token={token}", webhooks_path(&s)), None).await;
        assert_eq!((r.status, &r.body["total_size"]), (200, &json!(3)), "{}", r.body);
        seen.extend(r.body["deliveries"].as_array().unwrap().clone());
        match r.body["next_page_token"].as_str() {
            Some(t) => token = t.to_owned(),
            None => break,
        }
    }
    assert_eq!(seen, all);
    let r = s.admin(Method::GET, &format!("{}/{id}/deliveries?page_size=x", webhooks_path(&s)), None).await;
    assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"));
}
