//! Test harness: the real server in-process on a random port with a temp
//! SQLite file, real HTTP (reqwest, every answer checked against the OpenAPI
//! document: `http.rs`, `schema.rs`), and 1Password's passkey-rs as the
//! software authenticator.
#![allow(dead_code)]

pub mod attest;
pub mod http;
pub mod mds;
pub mod packed;
pub mod pg;
pub mod schema;

use passbind_protocol::wire::{BindCredentialRequest, InvokeAuthenticatorResponse, RegistrationResponse};
use passbind_protocol::{BindingLink, ErrorBody};
use passbind_server::store::DevBootstrap;
use passbind_server::{start, Config, RunningServer};
use passkey_authenticator::{Authenticator, MemoryStore, UiHint, UserCheck, UserValidationMethod};
use passkey_client::{Client, DefaultClientData};
use passkey_types::{ctap2, webauthn};
use serde_json::{json, Value};

/// The database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// Runs each listed `async fn name(db: Db)` once on SQLite and once on
/// PostgreSQL: `sqlite::name` and `postgres::name`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() { super::$name($crate::common::Db::Sqlite).await })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)] async fn $name() {
                if $crate::common::pg::admin_url().is_some() { super::$name($crate::common::Db::Postgres).await }
            })*
        }
    };
}

/// A database URL for a fresh, empty database; the temp dir keeps SQLite's file.
pub async fn fresh_database(db: Db) -> (String, Option<tempfile::TempDir>) {
    match db {
        Db::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            (format!("sqlite://{}", dir.path().join("passbind.db").display()), Some(dir))
        }
        Db::Postgres => {
            let admin = pg::admin_url().expect("PostgreSQL is available");
            (pg::fresh_database(&admin).await, None)
        }
    }
}

pub struct TestServer {
    pub server: RunningServer,
    pub dev: DevBootstrap,
    pub http: http::CheckedHttp,
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
}

pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    /// The error body, checked to be the protocol's `{code, message, details}`.
    pub fn error(&self) -> ErrorBody {
        serde_json::from_value(self.body.clone()).unwrap_or_else(|e| panic!("not an error body ({e}): {}", self.body))
    }

    pub fn code(&self) -> String {
        self.error().code.as_str().to_owned()
    }
}

impl TestServer {
    pub async fn start() -> Self {
        Self::start_on(Db::Sqlite).await
    }

    /// A --dev server on a fresh database.
    pub async fn start_on(db: Db) -> Self {
        Self::start_with(db, |_| {}).await
    }

    /// A --dev server on a fresh database, with the config adjusted first.
    pub async fn start_with(db: Db, adjust: impl FnOnce(&mut Config)) -> Self {
        let (database_url, dir) = fresh_database(db).await;
        Self::start_at(database_url, dir, adjust).await
    }

    /// A --dev server on the given database (possibly shared with others).
    pub async fn start_at(database_url: String, dir: Option<tempfile::TempDir>, adjust: impl FnOnce(&mut Config)) -> Self {
        let mut config = Config::for_tests(database_url.clone());
        config.dev = true;
        // Every server gets a temp dir of its own for the dev outbox.
        let dir = Some(dir.unwrap_or_else(|| tempfile::tempdir().unwrap()));
        config.outbox_dir = dir.as_ref().unwrap().path().join("outbox");
        adjust(&mut config);
        let server = start(config).await.expect("server starts");
        let dev = (*server.state.dev.clone().unwrap()).clone();
        let http = http::CheckedHttp::new();
        TestServer { server, dev, http, database_url, _dir: dir }
    }

    pub fn outbox_dir(&self) -> std::path::PathBuf {
        self._dir.as_ref().expect("a temp dir").path().join("outbox")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.server.public_url, path)
    }

    pub fn realm_path(&self) -> String {
        format!("/v1/tenants/{}/realms/{}", self.dev.tenant_id, self.dev.realm_id)
    }

    pub async fn send(&self, method: reqwest::Method, url: &str, token: Option<&str>, body: Option<Vec<u8>>) -> Resp {
        let mut req = self.http.request(method, url);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| panic!("status {status}: body is not JSON: {:?}", String::from_utf8_lossy(&bytes)))
        };
        Resp { status, headers, body }
    }

    /// Admin call with the dev tenant's token.
    pub async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Resp {
        let token = self.dev.api_token.clone();
        self.send(method, &self.url(path), Some(&token), body.map(|b| serde_json::to_vec(&b).unwrap())).await
    }

    pub async fn create_identity(&self, username: &str) -> Value {
        let r = self
            .admin(
                reqwest::Method::POST,
                &format!("{}/identities", self.realm_path()),
                Some(json!({"identity": {"display_name": format!("{username} display"), "traits": {"type": "traits_v0", "username": username, "primary_email_address": format!("{username}@example.com")}}})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    }

    /// A RETURN job on `config_id`; returns (job, parsed link).
    pub async fn create_job(&self, identity_id: &str, config_id: &str, redirect: Option<&str>) -> (Value, BindingLink) {
        let mut job = json!({"delivery_method": "RETURN", "authenticator_config_id": config_id});
        if let Some(r) = redirect {
            job["post_binding_redirect_uri"] = json!(r);
        }
        let r = self
            .admin(
                reqwest::Method::POST,
                &format!("{}/identities/{identity_id}/credential-binding-jobs", self.realm_path()),
                Some(json!({ "job": job })),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let link = BindingLink::parse(r.body["credential_binding_link"].as_str().unwrap()).expect("the link parses");
        (r.body["credential_binding_job"].clone(), link)
    }

    /// An identity with a RETURN job on the dev hosted_web config.
    pub async fn identity_with_link(&self, username: &str) -> (Value, BindingLink) {
        let identity = self.create_identity(username).await;
        let (_, link) = self.create_job(identity["id"].as_str().unwrap(), &self.dev.authenticator_config_id.clone(), None).await;
        (identity, link)
    }

    pub async fn invoke(&self, link: &BindingLink, token: &str) -> Resp {
        let body = serde_json::to_vec(&json!({ "token": token })).unwrap();
        self.send(reqwest::Method::POST, &link.invoke_authenticator_url(), None, Some(body)).await
    }

    pub async fn invoke_ok(&self, link: &BindingLink) -> InvokeAuthenticatorResponse {
        let r = self.invoke(link, &link.token).await;
        assert_eq!(r.status, 200, "{}", r.body);
        serde_json::from_value(r.body).unwrap()
    }

    pub async fn bind_raw(&self, link: &BindingLink, body: Vec<u8>) -> Resp {
        self.send(reqwest::Method::POST, &link.bind_credential_url(), None, Some(body)).await
    }

    pub async fn bind(&self, link: &BindingLink, ceremony_id: &str, credential: &RegistrationResponse) -> Resp {
        let req = BindCredentialRequest { token: link.token.clone(), ceremony_id: ceremony_id.to_owned(), credential: credential.clone() };
        self.bind_raw(link, serde_json::to_vec(&req).unwrap()).await
    }

    pub async fn credentials(&self, identity_id: &str) -> Vec<Value> {
        let r = self.admin(reqwest::Method::GET, &format!("{}/identities/{identity_id}/credentials", self.realm_path()), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["total_size"].as_u64().unwrap() as usize, r.body["credentials"].as_array().unwrap().len());
        r.body["credentials"].as_array().unwrap().clone()
    }

    pub async fn job(&self, link: &BindingLink) -> Value {
        let r = self.admin(reqwest::Method::GET, &link.job_path(), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    }

    /// Direct SQL on the server's database, for states the API cannot reach
    /// quickly (expiry, suspension).
    pub async fn sql(&self, statement: &str) {
        if let Some(path) = self.database_url.strip_prefix("sqlite://") {
            // The server's own driver for SQLite (it waits for the server's writer like its admin calls do).
            let conn = rusqlite::Connection::open(path).unwrap();
            conn.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            conn.execute_batch(statement).unwrap();
        } else {
            let statement = sqlx::AssertSqlSafe(statement.to_owned());
            let pool = sqlx::PgPool::connect(&self.database_url).await.unwrap();
            sqlx::query(statement).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

/// A user who is always present and verified.
pub struct VerifiedUser;

#[async_trait::async_trait]
impl UserValidationMethod for VerifiedUser {
    type PasskeyItem = passkey_types::Passkey;

    async fn check_user<'a>(
        &self,
        _hint: UiHint<'a, Self::PasskeyItem>,
        presence: bool,
        verification: bool,
    ) -> Result<UserCheck, ctap2::Ctap2Error> {
        Ok(UserCheck { presence, verification })
    }

    fn is_presence_enabled(&self) -> bool {
        true
    }

    fn is_verification_enabled(&self) -> Option<bool> {
        Some(true)
    }
}

pub type SoftClient = Client<MemoryStore, VerifiedUser, passkey_crypto::AvailableBackend, public_suffix::PublicSuffixList, ()>;

pub fn software_authenticator() -> SoftClient {
    let auth = Authenticator::new(ctap2::Aaguid::new_empty(), MemoryStore::new(), VerifiedUser, passkey_crypto::AvailableBackend);
    Client::new(auth).allows_insecure_localhost(true)
}

/// Runs `navigator.credentials.create` on the software authenticator from
/// `origin` with the service's options (as JSON, the way a browser gets them).
pub async fn create_credential(client: &mut SoftClient, origin: &str, options: &Value) -> RegistrationResponse {
    let public_key: webauthn::PublicKeyCredentialCreationOptions =
        serde_json::from_value(options.clone()).expect("passkey-rs reads the options");
    let origin = url::Url::parse(origin).unwrap();
    let created = client
        .register(&origin, webauthn::CredentialCreationOptions { public_key }, DefaultClientData)
        .await
        .expect("the authenticator creates a credential");
    serde_json::from_value(serde_json::to_value(&created).unwrap()).expect("a RegistrationResponseJSON")
}
