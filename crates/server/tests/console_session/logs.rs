//! Neither the session cookie nor an API token reaches the log: every
//! event of this test binary (the service's own, tower-http's request
//! spans, sqlx's statements), at TRACE, is captured and searched.

use crate::common::{Db, TestServer};
use crate::helpers::*;
use reqwest::Method;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

struct Capture;

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOG.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber once for the binary.
fn capture() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let filter = tracing_subscriber::EnvFilter::new("passbind_server=trace,tower_http=trace,sqlx=trace");
        let subscriber = tracing_subscriber::fmt().with_env_filter(filter).with_writer(|| Capture).with_ansi(false).finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other subscriber in this binary");
    });
}

pub async fn neither_the_cookie_nor_the_token_is_logged(db: Db) {
    capture();
    let s = TestServer::start_on(db).await;
    let created = create_token(&s, "logged?", None).await;
    let token = created["token"].as_str().unwrap().to_owned();
    let (_, cookie) = sign_in(&s, &token).await;
    let secret = cookie.split_once('=').unwrap().1.to_owned();
    let path = format!("{}/identities", s.realm_path());
    assert_eq!(get_as(&s, &cookie, &path).await.status, 200);
    let body = Some(serde_json::json!({"identity": {"display_name": "Lou", "traits": {"type": "traits_v0", "username": "lou"}}}));
    assert_eq!(change_as(&s, &cookie, Method::POST, &path, body).await.status, 200);
    assert_eq!(change_as(&s, &cookie, Method::DELETE, "/v1/console/session", None).await.status, 204);

    let log = String::from_utf8_lossy(&LOG.lock().unwrap()).to_string();
    assert!(log.contains("/v1/console/session"), "the requests were logged at all");
    for needle in [&token, &secret, &s.dev.api_token] {
        assert!(!log.contains(needle.as_str()), "a secret in the log");
    }
    assert!(!log.to_ascii_lowercase().contains("passbind_session="), "no cookie header in the log");
}
