//! What the webhook tests share: the receiver, a server with tiny poll and
//! backoff settings, the API calls, and the signature check.

use crate::common::*;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use passbind_protocol::BindingLink;
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One request the receiver got.
#[derive(Clone)]
pub(crate) struct Received {
    pub(crate) headers: HeaderMap,
    pub(crate) body: Bytes,
}

/// A webhook receiver on loopback: records every request and answers the
/// scripted statuses in turn, then 200 (or, when `hangs`, never answers).
#[derive(Clone, Default)]
pub(crate) struct Receiver {
    got: Arc<Mutex<Vec<Received>>>,
    script: Arc<Mutex<VecDeque<u16>>>,
    hangs: bool,
}

impl Receiver {
    pub(crate) async fn start(script: &[u16]) -> (Receiver, String) {
        Self::serve(Receiver { script: Arc::new(Mutex::new(script.iter().copied().collect())), ..Default::default() }).await
    }

    /// A receiver that takes every request and never answers.
    pub(crate) async fn hanging() -> (Receiver, String) {
        Self::serve(Receiver { hangs: true, ..Default::default() }).await
    }

    async fn serve(receiver: Receiver) -> (Receiver, String) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://127.0.0.1:{}/hook?source=passbind", listener.local_addr().unwrap().port());
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (receiver, url)
    }

    pub(crate) fn got(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }
}

pub(crate) async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    r.got.lock().unwrap().push(Received { headers, body });
    if r.hangs {
        std::future::pending::<()>().await;
    }
    let status = r.script.lock().unwrap().pop_front().unwrap_or(200);
    StatusCode::from_u16(status).unwrap()
}

/// Tiny poll and backoff: a retry schedule of milliseconds.
pub(crate) async fn server(db: Db) -> TestServer {
    TestServer::start_with(db, |c| {
        c.webhook_poll_ms = 20;
        c.webhook_retry_base_ms = 4;
    })
    .await
}

pub(crate) fn webhooks_path(s: &TestServer) -> String {
    format!("/v1/tenants/{}/webhooks", s.dev.tenant_id)
}

/// Creates a webhook to `url`; answers (its ID, its secret).
pub(crate) async fn create_webhook(s: &TestServer, url: &str) -> (String, String) {
    let r = s.admin(Method::POST, &webhooks_path(s), Some(json!({"url": url, "description": "test receiver"}))).await;
    assert_eq!(r.status, 201, "{}", r.body);
    (r.body["id"].as_str().unwrap().to_owned(), r.body["secret"].as_str().unwrap().to_owned())
}

pub(crate) async fn deliveries(s: &TestServer, webhook_id: &str) -> Value {
    let r = s.admin(Method::GET, &format!("{}/{webhook_id}/deliveries", webhooks_path(s)), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Waits (up to 30 s) until `check` holds.
pub(crate) async fn eventually<F: Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting until {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Until every delivery of the webhook is out of PENDING and there are `n`.
pub(crate) async fn settled(s: &TestServer, webhook_id: &str, n: usize) -> Vec<Value> {
    eventually("the deliveries settle", || async {
        let list = deliveries(s, webhook_id).await;
        let all = list["deliveries"].as_array().unwrap();
        all.len() == n && all.iter().all(|d| d["state"] != "PENDING")
    })
    .await;
    deliveries(s, webhook_id).await["deliveries"].as_array().unwrap().clone()
}

/// The realm's events, as the events API shows them.
pub(crate) async fn events(s: &TestServer) -> Vec<Value> {
    let r = s.admin(Method::GET, &format!("{}/events", s.realm_path()), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["events"].as_array().unwrap().clone()
}

/// Checks a request's signature with the spec's crate and by hand; answers its payload.
pub(crate) fn verified(secret: &str, r: &Received) -> Value {
    standardwebhooks::Webhook::new(secret).unwrap().verify(&r.body, &r.headers).expect("the standardwebhooks crate accepts the signature");
    let header = |name: &str| r.headers.get(name).unwrap().to_str().unwrap().to_owned();
    let key = base64::engine::general_purpose::STANDARD.decode(secret.strip_prefix("whsec_").unwrap()).unwrap();
    assert_eq!(key.len(), 24);
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
    mac.update(format!("{}.{}.", header("webhook-id"), header("webhook-timestamp")).as_bytes());
    mac.update(&r.body);
    let expected = format!("v1,{}", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()));
    assert_eq!(header("webhook-signature"), expected);
    assert_eq!(header("content-type"), "application/json");
    let age = passbind_server::util::now_micros() / 1_000_000 - header("webhook-timestamp").parse::<i64>().unwrap();
    assert!((0..60).contains(&age), "webhook-timestamp is the time of sending: {age} s ago");
    let payload: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(payload["data"]["id"].as_str().unwrap(), header("webhook-id"), "webhook-id is the event's ID");
    payload
}

/// Opens the link, makes a passkey and binds it; returns the bound passkey.
pub(crate) async fn bind(s: &TestServer, link: &BindingLink) -> Value {
    let invoke = s.invoke_ok(link).await;
    let options = serde_json::to_value(&invoke.public_key).unwrap();
    let cred = create_credential(&mut software_authenticator(), &s.server.public_url, &options).await;
    let r = s.bind(link, &invoke.ceremony_id, &cred).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["passkey"].clone()
}
