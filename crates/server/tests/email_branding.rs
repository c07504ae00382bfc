//! Email branding per realm (issue 11, part 2): the API (`GET`/`PUT
//! …/email-branding`, the preview), its validation, and the branding applied
//! to a real enrollment email (over SMTP to the sink the email suite uses)
//! and to the hosted `/bind` page; on SQLite and on PostgreSQL.

mod common;
#[path = "email/mime.rs"]
mod mime;
#[path = "email/smtp_sink.rs"]
#[allow(dead_code)]
mod smtp_sink;

use common::*;
use mime::{find_link, header, parse_mail};
use passbind_server::config::SmtpTls;
use reqwest::Method;
use serde_json::{json, Value};
use smtp_sink::{smtp_sink, Behaviour};

fn branding_path(s: &TestServer) -> String {
    format!("{}/email-branding", s.realm_path())
}

async fn put(s: &TestServer, body: Value) -> Resp {
    s.admin(Method::PUT, &branding_path(s), Some(body)).await
}

/// A branding with every field set, and text that must be escaped.
fn full() -> Value {
    json!({
        "sender_name": "Acme & Co Passkeys",
        "subject": "Set up your <Acme> passkey",
        "logo_url": "https://cdn.acme.example/logo.png?v=1&s=\"2\"",
        "primary_color": "#0A7F3F",
        "support_url": "https://help.acme.example/passkeys",
        "footer_text": "<script>alert(1)</script> \"quoted\" & more\nAcme Inc., 1 Main St"
    })
}

const ESCAPED_FOOTER: &str = "&lt;script&gt;alert(1)&lt;/script&gt; &quot;quoted&quot; &amp; more<br>\nAcme Inc., 1 Main St";

async fn defaults_then_put_then_get(db: Db) {
    let s = TestServer::start_on(db).await;
    let r = s.admin(Method::GET, &branding_path(&s), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let fields = ["sender_name", "subject", "logo_url", "primary_color", "support_url", "footer_text", "update_time"];
    assert!(fields.iter().all(|f| r.body[f].is_null()), "all unset: {}", r.body);

    let r = put(&s, full()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["primary_color"], "#0a7f3f", "stored lower-case");
    assert_eq!(r.body["logo_url"], "https://cdn.acme.example/logo.png?v=1&s=%222%22", "kept as the URL parser writes it");
    assert!(r.body["update_time"].is_string());
    let got = s.admin(Method::GET, &branding_path(&s), None).await;
    assert_eq!(got.body, r.body);

    // Null, absent and "" unset; the rest is replaced.
    let r = put(&s, json!({"sender_name": "Acme", "subject": null, "logo_url": ""})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["sender_name"], "Acme");
    assert!(["subject", "logo_url", "primary_color", "support_url", "footer_text"].iter().all(|f| r.body[f].is_null()), "{}", r.body);
    assert_eq!(s.admin(Method::GET, &branding_path(&s), None).await.body, r.body);
}

async fn each_refusal_names_its_field(db: Db) {
    let s = TestServer::start_on(db).await;
    put(&s, json!({"sender_name": "Kept"})).await;
    let long = |n: usize| "x".repeat(n);
    let cases = [
        ("sender_name", json!(long(65))),
        ("sender_name", json!("Acme\r\nBcc: victim@example.com")),
        ("sender_name", json!("Evil <evil@example.com>")),
        ("sender_name", json!("\"quoted\"")),
        ("subject", json!(long(121))),
        ("subject", json!("Hello\nBcc: x@example.com")),
        ("logo_url", json!("http://cdn.example.com/logo.png")),
        ("logo_url", json!("javascript:alert(1)")),
        ("logo_url", json!("https://user:pw@cdn.example.com/logo.png")),
        ("logo_url", json!(format!("https://cdn.example.com/{}", long(2048)))),
        ("support_url", json!("/help")),
        ("support_url", json!("https://help.example.com/\nx")),
        ("primary_color", json!("red")),
        ("primary_color", json!("#12345")),
        ("footer_text", json!(long(501))),
        ("footer_text", json!("tab\there")),
    ];
    for (field, value) in cases {
        let r = put(&s, json!({ field: value })).await;
        assert_eq!((r.status, r.code().as_str()), (400, "invalid_argument"), "{field} {value}: {}", r.body);
        assert_eq!(r.error().details[0].field.as_deref(), Some(field), "{}", r.body);
        // The same rules for a preview's overrides.
        let query = url::form_urlencoded::Serializer::new(String::new()).append_pair(field, value.as_str().unwrap()).finish();
        let r = s.admin(Method::GET, &format!("{}/preview?{query}", branding_path(&s)), None).await;
        assert_eq!((r.status, r.error().details[0].field.as_deref()), (400, Some(field)), "{}", r.body);
    }
    let r = put(&s, json!({"colour": "#000000"})).await;
    assert_eq!(r.status, 400, "unknown fields are refused: {}", r.body);
    let r = s.admin(Method::GET, &format!("{}/preview?format=pdf", branding_path(&s)), None).await;
    assert_eq!((r.status, r.error().details[0].field.as_deref()), (400, Some("format")));
    // Nothing refused was saved.
    assert_eq!(s.admin(Method::GET, &branding_path(&s), None).await.body["sender_name"], "Kept");
}

async fn another_tenants_token_sees_not_found(db: Db) {
    let s = TestServer::start_on(db).await;
    use passbind_server::store::{ApiToken, Realm, Tenant};
    use passbind_server::util::{hash_secret, now_micros};
    let (state, now) = (&s.server.state, now_micros());
    state.tenants.create_tenant(&Tenant { id: "00000000000000aa".into(), display_name: "Other".into(), create_time: now }).await.unwrap();
    let realm =
        Realm { id: "00000000000000bb".into(), tenant_id: "00000000000000aa".into(), display_name: "Other".into(), create_time: now };
    state.tenants.create_realm(&realm).await.unwrap();
    let token = ApiToken::new(hash_secret("other-token"), "00000000000000aa".into(), None, None, now);
    state.api_tokens.insert_api_token(&token).await.unwrap();

    let url = s.url(&branding_path(&s));
    for (method, body) in [(Method::GET, None), (Method::PUT, Some(b"{}".to_vec()))] {
        let r = s.send(method, &url, Some("other-token"), body).await;
        assert_eq!((r.status, r.code().as_str()), (404, "not_found"), "{}", r.body);
    }
    let r = s.send(Method::GET, &format!("{url}/preview"), Some("other-token"), None).await;
    assert_eq!((r.status, r.code().as_str()), (404, "not_found"));
    let r = s.send(Method::GET, &url, None, None).await;
    assert_eq!(r.status, 401);
}

async fn preview_as_json_and_as_an_escaped_html_document(db: Db) {
    let s = TestServer::start_on(db).await;
    assert_eq!(put(&s, full()).await.status, 200);
    let r = s.admin(Method::GET, &format!("{}/preview?format=json", branding_path(&s)), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let from = r.body["from"].as_str().unwrap();
    assert!(from.contains("Acme & Co Passkeys") && from.ends_with(">"), "{from}");
    assert_eq!(r.body["subject"], "Set up your <Acme> passkey");
    let (text, html) = (r.body["text"].as_str().unwrap(), r.body["html"].as_str().unwrap());
    assert!(text.contains("https://help.acme.example/passkeys") && text.contains("Acme Inc., 1 Main St"), "{text}");
    assert!(html.contains(ESCAPED_FOOTER), "{html}");
    assert!(text.contains("token=preview-not-a-real-token"), "a sample link: {text}");

    // Overrides win for the preview only; "" unsets.
    let r = s.admin(Method::GET, &format!("{}/preview?subject=Preview%20only&logo_url=", branding_path(&s)), None).await;
    assert_eq!(r.body["subject"], "Preview only");
    assert!(!r.body["html"].as_str().unwrap().contains("<img"), "{}", r.body["html"]);
    assert_eq!(s.admin(Method::GET, &branding_path(&s), None).await.body["subject"], "Set up your <Acme> passkey");

    // format=html: the HTML part itself, with its own strict CSP, frameable by the service's own pages.
    let url = s.url(&format!("{}/preview?format=html&footer_text=%3Cb%3E%22x%22%26y", branding_path(&s)));
    let r = s.http.get(&url).bearer_auth(&s.dev.api_token).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let headers = r.headers().clone();
    assert!(headers["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(
        headers["content-security-policy"],
        "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; frame-ancestors 'self'"
    );
    assert!(headers.get("x-frame-options").is_none(), "the console frames it");
    let body = r.text().await.unwrap();
    assert!(body.starts_with("<!doctype html>"), "{body}");
    assert!(body.contains("&lt;b&gt;&quot;x&quot;&amp;y") && !body.contains("<b>"), "{body}");
    assert!(body.contains("src=\"https://cdn.acme.example/logo.png?v=1&amp;s=%222%22\""), "{body}");
}

/// A header with its RFC 2047 `=?utf-8?b?…?=` words decoded (lettre encodes display names so).
fn decode_words(header: &str) -> String {
    use base64::Engine;
    let mut out = String::new();
    let mut rest = header;
    while let Some(start) = rest.find("=?utf-8?b?") {
        out.push_str(&rest[..start]);
        let word = &rest[start + 10..];
        let end = word.find("?=").expect("an encoded word ends");
        let bytes = base64::engine::general_purpose::STANDARD.decode(&word[..end]).expect("base64");
        out.push_str(&String::from_utf8(bytes).unwrap());
        rest = &word[end + 2..];
    }
    out.push_str(rest);
    out
}

/// A --dev server on `db` that sends over SMTP to `port`.
async fn server_with_smtp(db: Db, port: u16) -> TestServer {
    TestServer::start_with(db, |c| {
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = Some(port);
        c.smtp_tls = SmtpTls::None;
        c.smtp_timeout = 5;
        c.mail_from = Some("Passbind <passkeys@acme.test>".into());
    })
    .await
}

async fn an_email_job_is_sent_in_the_branding(db: Db) {
    let sink = smtp_sink(Behaviour::Accept).await;
    let s = server_with_smtp(db, sink.port).await;
    assert_eq!(put(&s, full()).await.status, 200);
    let identity = s.create_identity("bea").await;
    let job = json!({"job": {"delivery_method": "EMAIL", "authenticator_config_id": s.dev.authenticator_config_id}});
    let path = format!("{}/identities/{}/credential-binding-jobs", s.realm_path(), identity["id"].as_str().unwrap());
    let r = s.admin(Method::POST, &path, Some(job)).await;
    assert_eq!(r.status, 200, "{}", r.body);

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].mail_from, "passkeys@acme.test", "the address stays --mail-from's");
    let mail = parse_mail(&messages[0].data);
    let from = decode_words(header(&mail.headers, "from").unwrap());
    assert!(from.contains("Acme & Co Passkeys") && from.contains("<passkeys@acme.test>"), "{from}");
    assert_eq!(header(&mail.headers, "subject"), Some("Set up your <Acme> passkey"));
    assert!(mail.html.contains("<img src=\"https://cdn.acme.example/logo.png?v=1&amp;s=%222%22\" alt=\"Acme &amp; Co Passkeys\""));
    assert!(mail.html.contains("background: #0a7f3f;"), "{}", mail.html);
    assert!(mail.html.contains("href=\"https://help.acme.example/passkeys\""), "{}", mail.html);
    assert!(mail.html.contains(ESCAPED_FOOTER), "{}", mail.html);
    assert!(!mail.html.contains("<script>"), "{}", mail.html);
    assert!(mail.text.contains("Need help? https://help.acme.example/passkeys"), "{}", mail.text);
    assert!(mail.text.contains("<script>alert(1)</script> \"quoted\" & more\nAcme Inc., 1 Main St"), "{}", mail.text);
    // The link still works the same.
    assert_eq!(find_link(&mail.html), find_link(&mail.text));
}

async fn the_bind_page_shows_the_realms_branding_escaped(db: Db) {
    // The repository's own page (tests run in crates/server).
    let www = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www");
    let s = TestServer::start_with(db, |c| c.www_dir = www).await;
    let page = |query: String| {
        let s = &s;
        async move {
            let r = s.http.get(s.url(&format!("/bind{query}"))).send().await.unwrap();
            assert_eq!(r.status(), 200);
            let csp = r.headers()["content-security-policy"].to_str().unwrap().to_owned();
            assert_eq!(r.headers()["x-frame-options"], "DENY");
            (csp, r.text().await.unwrap())
        }
    };
    let (plain_csp, plain) = page(String::new()).await;
    assert!(plain.contains("<h1>Create your passkey</h1>") && !plain.contains("brand-"), "{plain}");

    assert_eq!(put(&s, full()).await.status, 200);
    let (_, link) = s.identity_with_link("cleo").await;
    let bind_url = link.redirect_url(&s.server.public_url);
    let query = bind_url.split_once("/bind").unwrap().1.to_owned();
    let (csp, html) = page(query.clone()).await;
    assert!(html
        .contains("<img class=\"brand-logo\" src=\"https://cdn.acme.example/logo.png?v=1&amp;s=%222%22\" alt=\"Acme &amp; Co Passkeys\">"));
    assert!(html.contains("href=\"https://help.acme.example/passkeys\""), "{html}");
    assert!(html.contains(ESCAPED_FOOTER), "{html}");
    assert!(!html.contains("<script>alert"), "{html}");
    assert!(!html.contains(&link.token), "the token is never echoed");
    let css_href = format!("bind/branding.css?tenant_id={}&amp;realm_id={}", s.dev.tenant_id, s.dev.realm_id);
    assert!(html.contains(&css_href), "{html}");
    // The CSP stays the page's, with the logo's origin (only) allowed for images.
    assert_eq!(csp, plain_csp.replace("img-src 'self' data:", "img-src 'self' data: https://cdn.acme.example"));
    assert!(csp.contains("style-src 'self';") && csp.contains("script-src 'self' 'wasm-unsafe-eval';"), "{csp}");

    let css_url = s.url(&format!("/bind/branding.css?tenant_id={}&realm_id={}", s.dev.tenant_id, s.dev.realm_id));
    let r = s.http.get(&css_url).send().await.unwrap();
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(r.text().await.unwrap().contains("--brand: #0a7f3f;"));

    // An unknown realm, or only part of the link: the plain page.
    for q in ["?tenant_id=nope&realm_id=nope", &format!("?tenant_id={}", s.dev.tenant_id), "?tenant_id=%3Cx&realm_id=%22"] {
        let (csp, html) = page(q.to_owned()).await;
        assert_eq!((csp, html), (plain_csp.clone(), plain.clone()), "{q}");
    }
    let r = s.http.get(s.url("/bind/branding.css?tenant_id=nope&realm_id=nope")).send().await.unwrap();
    assert!(!r.text().await.unwrap().contains("--brand"));
}

crate::on_both_databases!(
    defaults_then_put_then_get,
    each_refusal_names_its_field,
    another_tenants_token_sees_not_found,
    preview_as_json_and_as_an_escaped_html_document,
    an_email_job_is_sent_in_the_branding,
    the_bind_page_shows_the_realms_branding_escaped
);
