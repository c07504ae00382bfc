//! The clients: each makes an identity and a RETURN job through the admin
//! API, then binds a passkey made by the software authenticator
//! (invokeAuthenticator, bindCredential), again and again. Every request is
//! retried while the server is down; a `:bindCredential` is retried with the
//! same body until the service answers it (which the service must answer
//! the same way again), and only a 200 counts as acknowledged.

use crate::common::{create_credential, software_authenticator};
use passbind_protocol::wire::{BindCredentialRequest, Passkey};
use passbind_protocol::BindingLink;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What every client shares.
pub struct Ctx {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
    pub realm_path: String,
    pub config_id: String,
    /// Set when the kills are over: no new binding starts.
    pub stop: AtomicBool,
    /// Bindings acknowledged so far (the killer waits for progress).
    pub acked: AtomicUsize,
    /// 5xx answers seen (retried): the service must not answer them.
    pub server_errors: Mutex<Vec<String>>,
    /// Refusals of a request that should have succeeded.
    pub refusals: Mutex<Vec<String>>,
}

/// A binding the service acknowledged (200 from `:bindCredential`).
#[derive(Clone, Debug)]
pub struct Ack {
    pub identity_id: String,
    pub link: BindingLink,
    pub passkey: Passkey,
}

/// After `stop`, a request still unanswered is given up after this long.
const GIVE_UP: Duration = Duration::from_secs(90);

enum Answer {
    Status(u16, Value),
    GaveUp,
}

impl Ctx {
    /// Sends until the service answers (not 5xx); retries connection errors and 5xx.
    async fn until_answered(&self, what: &str, request: impl Fn() -> reqwest::RequestBuilder) -> Answer {
        let started = Instant::now();
        loop {
            if self.stop.load(Ordering::Relaxed) && started.elapsed() > GIVE_UP {
                return Answer::GaveUp;
            }
            // An error (refused, cut off) means the server is down or was killed mid-request: try again.
            if let Ok(res) = request().timeout(Duration::from_secs(30)).send().await {
                let status = res.status().as_u16();
                let body = res.bytes().await.ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or(Value::Null);
                if status < 500 {
                    return Answer::Status(status, body);
                }
                self.server_errors.lock().unwrap().push(format!("{what}: {status} {body}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// POSTs an admin call; `body(n)` is the body of the n-th try (a retried create may leave an orphan behind).
    async fn admin_post(&self, path: &str, body: impl Fn(usize) -> Value) -> Option<Value> {
        let url = format!("{}{}{path}", self.base, self.realm_path);
        let tries = AtomicUsize::new(0);
        let request = || self.http.post(&url).bearer_auth(&self.token).json(&body(tries.fetch_add(1, Ordering::Relaxed)));
        match self.until_answered(path, request).await {
            Answer::Status(200 | 201, body) => Some(body),
            Answer::Status(status, body) => {
                self.refusals.lock().unwrap().push(format!("POST {path}: {status} {body}"));
                None
            }
            Answer::GaveUp => None,
        }
    }

    /// A fresh identity (a new username on each try: a lost answer's identity may exist) and a RETURN job.
    async fn new_link(&self, name: &str) -> Option<(String, BindingLink)> {
        let identity = |n: usize| {
            let name = format!("{name}-{n}");
            json!({"identity": {"display_name": name, "traits": {"type": "traits_v0", "username": name, "primary_email_address": format!("{name}@example.com")}}})
        };
        let identity_id = self.admin_post("/identities", identity).await?["id"].as_str()?.to_owned();
        let job = |_| json!({"job": {"delivery_method": "RETURN", "authenticator_config_id": self.config_id}});
        let job = self.admin_post(&format!("/identities/{identity_id}/credential-binding-jobs"), job).await?;
        Some((identity_id, BindingLink::parse(job["credential_binding_link"].as_str()?).ok()?))
    }

    /// One binding; its acknowledgement, if the service gave one.
    async fn bind_once(&self, name: &str) -> Option<Ack> {
        let (identity_id, link) = self.new_link(name).await?;
        let invoke = json!({"token": link.token});
        let invoked = match self.until_answered("invoke", || self.http.post(link.invoke_authenticator_url()).json(&invoke)).await {
            Answer::Status(200, body) => body,
            Answer::Status(status, body) => {
                self.refusals.lock().unwrap().push(format!("invokeAuthenticator: {status} {body}"));
                return None;
            }
            Answer::GaveUp => return None,
        };
        let credential = create_credential(&mut software_authenticator(), &self.base, &invoked["public_key"]).await;
        let ceremony_id = invoked["ceremony_id"].as_str()?.to_owned();
        let body = BindCredentialRequest { token: link.token.clone(), ceremony_id, credential };
        match self.until_answered("bind", || self.http.post(link.bind_credential_url()).json(&body)).await {
            Answer::Status(200, body) => {
                let passkey: Passkey = serde_json::from_value(body["passkey"].clone()).expect("a passkey in the 200");
                self.acked.fetch_add(1, Ordering::Relaxed);
                Some(Ack { identity_id, link, passkey })
            }
            Answer::Status(status, body) => {
                self.refusals.lock().unwrap().push(format!("bindCredential: {status} {body}"));
                None
            }
            Answer::GaveUp => None,
        }
    }
}

/// One client's loop until `stop`; its acknowledged bindings.
pub async fn run(ctx: Arc<Ctx>, client: usize, run_tag: String) -> Vec<Ack> {
    let mut acks = Vec::new();
    let mut n = 0;
    while !ctx.stop.load(Ordering::Relaxed) {
        n += 1;
        if let Some(ack) = ctx.bind_once(&format!("crash-{run_tag}-{client}-{n}")).await {
            acks.push(ack);
        }
    }
    acks
}
