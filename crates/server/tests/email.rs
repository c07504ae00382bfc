//! EMAIL delivery against a real SMTP conversation on loopback (a small SMTP
//! sink in this file), the dev outbox, the browser GET of an emailed link
//! (302 to the bind page, or an HTML page when the link is unusable), and
//! `post_binding_redirect_uri` validation.

mod common;

use common::*;
use passbind_protocol::wire::BindCredentialResponse;
use passbind_protocol::BindingLink;
use passbind_server::config::SmtpTls;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

// ---------------------------------------------------------------------------
// A minimal SMTP server: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.

#[derive(Clone, Copy, PartialEq)]
enum Behaviour {
    Accept,
    /// `550` to every RCPT TO (mailbox unavailable): a permanent refusal.
    RefuseRecipient,
    /// `421` right after the greeting: the service is going away.
    Busy,
}

#[derive(Clone, Debug)]
struct Received {
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
}

struct Sink {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn smtp_sink(behaviour: Behaviour) -> Sink {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { return };
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read);
                if behaviour == Behaviour::Busy {
                    let _ = write.write_all(b"421 4.3.2 sink busy, try later\r\n").await;
                    return;
                }
                write.write_all(b"220 sink.test ESMTP test sink\r\n").await.unwrap();
                let (mut from, mut rcpt) = (String::new(), Vec::new());
                let mut line = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let cmd = line.trim_end().to_owned();
                    let upper = cmd.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
                    } else if upper.starts_with("HELO") {
                        b"250 sink.test\r\n"
                    } else if upper.starts_with("MAIL FROM:") {
                        from = address(&cmd[10..]);
                        rcpt.clear();
                        b"250 2.1.0 OK\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        if behaviour == Behaviour::RefuseRecipient {
                            b"550 5.1.1 mailbox unavailable\r\n"
                        } else {
                            rcpt.push(address(&cmd[8..]));
                            b"250 2.1.5 OK\r\n"
                        }
                    } else if upper == "DATA" {
                        write.write_all(b"354 end data with <CR><LF>.<CR><LF>\r\n").await.unwrap();
                        let mut data = String::new();
                        loop {
                            line.clear();
                            if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                                return;
                            }
                            if line == ".\r\n" || line == ".\n" {
                                break;
                            }
                            // Undo dot-stuffing.
                            data.push_str(line.strip_prefix('.').unwrap_or(&line));
                        }
                        store.lock().unwrap().push(Received { mail_from: from.clone(), rcpt_to: rcpt.clone(), data });
                        b"250 2.0.0 queued\r\n"
                    } else if upper == "QUIT" {
                        let _ = write.write_all(b"221 2.0.0 bye\r\n").await;
                        return;
                    } else if upper == "RSET" || upper == "NOOP" {
                        b"250 2.0.0 OK\r\n"
                    } else {
                        b"502 5.5.2 command not recognized\r\n"
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    Sink { port, received }
}

/// `<a@b> SIZE=…` → `a@b`.
fn address(arg: &str) -> String {
    let arg = arg.trim();
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg[start..].find('>').map_or(arg.len(), |i| start + i);
    arg[start..end].to_owned()
}

/// A port nothing listens on (bound, then released).
async fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

async fn server_with_smtp(port: u16) -> TestServer {
    TestServer::start_with(Db::Sqlite, |c| {
        c.smtp_host = Some("127.0.0.1".into());
        c.smtp_port = Some(port);
        c.smtp_tls = SmtpTls::None;
        c.smtp_timeout = 5;
        c.mail_from = Some("Acme Passkeys <passkeys@acme.test>".into());
    })
    .await
}

// ---------------------------------------------------------------------------
// Reading a MIME message (enough for what lettre writes).

fn decode_quoted_printable(s: &str) -> String {
    let s = s.replace("=\r\n", "").replace("=\n", "");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap()
}

/// Splits `headers\r\n\r\nbody`; header names lower-cased, folded lines joined.
fn split_headers(part: &str) -> (Vec<(String, String)>, String) {
    let part = part.replace("\r\n", "\n");
    let (head, body) = part.split_once("\n\n").unwrap_or((&part, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    (headers, body.to_owned())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

struct Mail {
    headers: Vec<(String, String)>,
    text: String,
    html: String,
}

fn parse_mail(raw: &str) -> Mail {
    let (headers, body) = split_headers(raw);
    let content_type = header(&headers, "content-type").expect("a Content-Type").to_owned();
    assert!(content_type.starts_with("multipart/alternative"), "{content_type}");
    let boundary = content_type.split("boundary=").nth(1).expect("a boundary").trim_matches('"').to_owned();
    let (mut text, mut html) = (None, None);
    for part in body.split(&format!("--{boundary}")).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let (h, b) = split_headers(part.trim_start_matches(['\r', '\n']));
        let decoded = match header(&h, "content-transfer-encoding").unwrap_or("7bit") {
            "quoted-printable" => decode_quoted_printable(&b),
            "7bit" | "8bit" => b.clone(),
            other => panic!("unexpected transfer encoding {other}"),
        };
        match header(&h, "content-type").unwrap_or("") {
            t if t.starts_with("text/plain") => text = Some(decoded),
            t if t.starts_with("text/html") => html = Some(decoded),
            t => panic!("unexpected part {t}"),
        }
    }
    Mail { headers, text: text.expect("a text/plain part"), html: html.expect("a text/html part") }
}

/// The first binding link in a text.
fn find_link(text: &str) -> String {
    let end = text.find(":invokeAuthenticator?token=").expect("the email holds a binding link");
    let start = text[..end].rfind("http").unwrap();
    let tail = &text[start..];
    let stop = tail.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(tail.len());
    tail[..stop].to_owned()
}

// ---------------------------------------------------------------------------

async fn create_email_job(s: &TestServer, identity_id: &str, config_id: &str, redirect: Option<&str>) -> Resp {
    let mut job = json!({"delivery_method": "EMAIL", "authenticator_config_id": config_id});
    if let Some(r) = redirect {
        job["post_binding_redirect_uri"] = json!(r);
    }
    s.admin(Method::POST, &format!("{}/identities/{identity_id}/credential-binding-jobs", s.realm_path()), Some(json!({ "job": job })))
        .await
}

async fn jobs_of(s: &TestServer, identity_id: &str) -> Vec<Value> {
    let r = s.admin(Method::GET, &format!("{}/identities/{identity_id}/credential-binding-jobs", s.realm_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["credential_binding_jobs"].as_array().unwrap().clone()
}

fn id(v: &Value) -> &str {
    v["id"].as_str().unwrap()
}

#[tokio::test]
async fn an_email_job_sends_text_and_html_over_smtp_with_a_link_that_binds() {
    let sink = smtp_sink(Behaviour::Accept).await;
    let s = server_with_smtp(sink.port).await;
    let identity = s.create_identity("ada").await;

    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, Some("https://app.example.com/welcome")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The seeds' answer: the job, LINK_SENT, and no link.
    assert_eq!(r.body.as_object().unwrap().keys().collect::<Vec<_>>(), ["credential_binding_job"]);
    let job = &r.body["credential_binding_job"];
    assert_eq!((job["delivery_method"].as_str(), job["state"].as_str()), (Some("EMAIL"), Some("LINK_SENT")));

    let messages = sink.messages();
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m.mail_from, "passkeys@acme.test");
    assert_eq!(m.rcpt_to, ["ada@example.com"]);
    let mail = parse_mail(&m.data);
    let to = header(&mail.headers, "to").unwrap();
    assert!(to.contains("ada display") && to.contains("<ada@example.com>"), "{to}");
    assert!(header(&mail.headers, "from").unwrap().contains("<passkeys@acme.test>"));
    assert_eq!(header(&mail.headers, "subject"), Some("Create your passkey for Dev realm"));
    assert!(header(&mail.headers, "message-id").unwrap().contains(id(job)));
    assert!(header(&mail.headers, "date").is_some());
    assert!(mail.text.contains("Hello ada display,"), "{}", mail.text);
    assert!(mail.html.contains("Hello ada display,"), "{}", mail.html);
    assert!(mail.text.contains("expires on ") && mail.text.contains(" UTC"), "{}", mail.text);

    // The same link in both parts; it names this job and works.
    let link_text = find_link(&mail.text);
    assert_eq!(find_link(&mail.html), link_text);
    let link = BindingLink::parse(&link_text).expect("the emailed link parses");
    assert_eq!(link.api_base, s.server.public_url);
    assert_eq!((link.identity_id.as_str(), link.job_id.as_str()), (id(&identity), id(job)));
    assert_eq!(link_text, link.api_url());

    let invoke = s.invoke_ok(&link).await;
    assert_eq!(s.job(&link).await["state"], "LINK_OPENED");
    let options = serde_json::to_value(&invoke.public_key).unwrap();
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    let r = s.bind(&link, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let bound: BindCredentialResponse = serde_json::from_value(r.body).unwrap();
    assert_eq!(bound.post_binding_redirect_uri.as_deref(), Some("https://app.example.com/welcome"));
    assert_eq!(s.job(&link).await["state"], "COMPLETE");
    assert_eq!(s.credentials(id(&identity)).await.len(), 1);
}

#[tokio::test]
async fn an_identity_without_an_email_address_is_422_and_nothing_is_written() {
    let sink = smtp_sink(Behaviour::Accept).await;
    let s = server_with_smtp(sink.port).await;
    let r = s
        .admin(
            Method::POST,
            &format!("{}/identities", s.realm_path()),
            Some(json!({"identity": {"display_name": "No Mail", "traits": {"type": "traits_v0", "username": "nomail"}}})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let identity = r.body;

    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!((r.status, r.code().as_str()), (422, "failed_precondition"), "{}", r.body);
    assert_eq!(r.error().details[0].field.as_deref(), Some("identity.traits.primary_email_address"));
    assert!(jobs_of(&s, id(&identity)).await.is_empty(), "no job is stored");
    assert!(sink.messages().is_empty());

    // RETURN still works for such an identity.
    s.create_job(id(&identity), &s.dev.authenticator_config_id, None).await;
}

#[tokio::test]
async fn smtp_down_stores_the_job_failed_to_send_and_answers_503() {
    let s = server_with_smtp(closed_port().await).await;
    let identity = s.create_identity("bob").await;
    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!((r.status, r.code().as_str()), (503, "unavailable"), "{}", r.body);
    let jobs = jobs_of(&s, id(&identity)).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!((jobs[0]["delivery_method"].as_str(), jobs[0]["state"].as_str()), (Some("EMAIL"), Some("FAILED_TO_SEND")));
    let details = r.error().details;
    assert!(details.iter().any(|d| d.description.contains(id(&jobs[0])) && d.description.contains("FAILED_TO_SEND")), "{details:?}");

    // A busy server (421 at the greeting) is also "try later".
    let busy = smtp_sink(Behaviour::Busy).await;
    let s = server_with_smtp(busy.port).await;
    let identity = s.create_identity("bea").await;
    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!((r.status, r.code().as_str()), (503, "unavailable"), "{}", r.body);
    assert_eq!(jobs_of(&s, id(&identity)).await[0]["state"], "FAILED_TO_SEND");
}

#[tokio::test]
async fn an_smtp_refusal_stores_the_job_failed_to_send_and_answers_502() {
    let sink = smtp_sink(Behaviour::RefuseRecipient).await;
    let s = server_with_smtp(sink.port).await;
    let identity = s.create_identity("carl").await;
    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!((r.status, r.code().as_str()), (502, "delivery_failed"), "{}", r.body);
    assert!(r.error().details[0].description.contains("550"), "{}", r.body);
    assert!(sink.messages().is_empty());
    let jobs = jobs_of(&s, id(&identity)).await;
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0]["state"], "FAILED_TO_SEND");
    // GET of the one job agrees with the list.
    let one = s
        .admin(Method::GET, &format!("{}/identities/{}/credential-binding-jobs/{}", s.realm_path(), id(&identity), id(&jobs[0])), None)
        .await;
    assert_eq!(one.body["state"], "FAILED_TO_SEND");
}

#[tokio::test]
async fn without_smtp_the_email_goes_to_the_outbox_and_dev_outbox_lists_it() {
    let s = TestServer::start().await;
    let identity = s.create_identity("dora").await;
    let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let job_id = r.body["credential_binding_job"]["id"].as_str().unwrap().to_owned();

    let files: Vec<_> = std::fs::read_dir(s.outbox_dir()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    let file = &files[0];
    assert_eq!(file.extension().unwrap(), "eml");
    assert!(file.file_name().unwrap().to_str().unwrap().contains(&job_id));
    let mail = parse_mail(&std::fs::read_to_string(file).unwrap());
    assert!(header(&mail.headers, "to").unwrap().contains("<dora@example.com>"));
    let link = find_link(&mail.text);
    assert_eq!(BindingLink::parse(&link).unwrap().job_id, job_id);

    let r = s.send(Method::GET, &s.url("/dev/outbox"), None, None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["smtp"], false);
    let m = &r.body["messages"][0];
    assert_eq!((m["to"].as_str(), m["link"].as_str()), (Some("dora@example.com"), Some(link.as_str())));
    assert_eq!(m["subject"], "Create your passkey for Dev realm");
}

async fn get_link(s: &TestServer, url: &str, accept: &str) -> reqwest::Response {
    s.http.get(url).header("Accept", accept).send().await.unwrap()
}

const BROWSER_ACCEPT: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

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

#[tokio::test]
async fn starttls_or_tls_against_a_plain_text_server_never_sends_in_clear() {
    for tls in [SmtpTls::Starttls, SmtpTls::Tls] {
        let sink = smtp_sink(Behaviour::Accept).await;
        let s = TestServer::start_with(Db::Sqlite, |c| {
            c.smtp_host = Some("localhost".into());
            c.smtp_port = Some(sink.port);
            c.smtp_tls = tls;
            c.smtp_timeout = 3;
        })
        .await;
        let identity = s.create_identity("tess").await;
        let r = create_email_job(&s, id(&identity), &s.dev.authenticator_config_id, None).await;
        assert_eq!((r.status, r.code().as_str()), (503, "unavailable"), "{tls:?}: {}", r.body);
        assert!(sink.messages().is_empty(), "{tls:?}: nothing may be sent without TLS");
        assert_eq!(jobs_of(&s, id(&identity)).await[0]["state"], "FAILED_TO_SEND");
    }
}
