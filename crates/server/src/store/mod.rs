//! Storage: one narrow interface (`Store`) with the operations the routes
//! need, so a PostgreSQL implementation can sit beside the SQLite one and
//! the routes never know which is in use.

mod postgres;
mod sqlite;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use async_trait::async_trait;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct Tenant {
    pub id: String,
    pub display_name: String,
    pub create_time: i64,
}

#[derive(Clone, Debug)]
pub struct Realm {
    pub id: String,
    pub tenant_id: String,
    pub display_name: String,
    pub create_time: i64,
}

#[derive(Clone, Debug)]
pub struct AuthenticatorConfig {
    pub id: String,
    pub tenant_id: String,
    pub realm_id: String,
    /// `hosted_web` or `embedded`.
    pub config_type: String,
    pub invoke_url: Option<String>,
    pub trusted_origins: Vec<String>,
    pub rp_id: Option<String>,
    pub create_time: i64,
    /// WebAuthn policy (None: the default). `platform` | `cross-platform`.
    pub authenticator_attachment: Option<String>,
    /// `required` (default) | `preferred` | `discouraged`.
    pub user_verification: Option<String>,
    /// Attestation conveyance: `none` (default) | `indirect` | `direct` | `enterprise`.
    pub attestation: Option<String>,
}

/// An admin API token (the secret itself is never stored, only its hash).
#[derive(Clone, Debug)]
pub struct ApiToken {
    pub id: String,
    pub token_hash: String,
    pub tenant_id: String,
    /// When set, the token only reaches this realm.
    pub realm_id: Option<String>,
    pub description: Option<String>,
    pub create_time: i64,
    pub revoke_time: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Identity {
    pub id: String,
    pub tenant_id: String,
    pub realm_id: String,
    pub display_name: String,
    pub username: String,
    pub email_address: Option<String>,
    /// `active` or `suspended`.
    pub status: String,
    /// WebAuthn user handle: random, so it carries no personal data.
    pub user_handle: Vec<u8>,
    pub create_time: i64,
    pub update_time: i64,
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: String,
    pub tenant_id: String,
    pub realm_id: String,
    pub identity_id: String,
    pub delivery_method: String,
    pub state: String,
    pub authenticator_config_id: String,
    pub post_binding_redirect_uri: Option<String>,
    pub token_hash: String,
    pub expire_time: i64,
    pub create_time: i64,
    pub update_time: i64,
    pub completed_ceremony_id: Option<String>,
    pub credential_record_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Ceremony {
    pub id: String,
    pub job_id: String,
    pub challenge: Vec<u8>,
    pub rp_id: String,
    pub expire_time: i64,
    pub used: bool,
    pub create_time: i64,
}

#[derive(Clone, Debug)]
pub struct Credential {
    pub id: String,
    pub tenant_id: String,
    pub realm_id: String,
    pub identity_id: String,
    pub job_id: String,
    pub ceremony_id: String,
    pub credential_id: Vec<u8>,
    pub public_key: Vec<u8>,
    pub alg: i64,
    pub sign_count: i64,
    pub aaguid: Vec<u8>,
    pub attestation_format: String,
    pub transports: Vec<String>,
    pub attachment: Option<String>,
    pub backup_eligible: bool,
    pub backed_up: bool,
    /// `ACTIVE` or `REVOKED`.
    pub state: String,
    pub create_time: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DevBootstrap {
    pub tenant_id: String,
    pub realm_id: String,
    pub authenticator_config_id: String,
    pub api_token: String,
}

#[derive(Debug)]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. a username taken in the realm).
    Conflict,
    /// The job is no longer open (completed, revoked or expired meanwhile).
    JobNotOpen,
    /// The ceremony was already used.
    CeremonyUsed,
    /// The credential ID is already registered.
    CredentialExists,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Db(e)
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Conflict => f.write_str("conflict"),
            StoreError::JobNotOpen => f.write_str("job not open"),
            StoreError::CeremonyUsed => f.write_str("ceremony already used"),
            StoreError::CredentialExists => f.write_str("credential already registered"),
            StoreError::Db(e) => write!(f, "database: {e}"),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Job states that no longer accept the link.
pub const TERMINAL_JOB_STATES: [&str; 4] = ["COMPLETE", "EXPIRED", "REVOKED", "FAILED_TO_SEND"];

#[async_trait]
pub trait Store: Send + Sync {
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    async fn create_realm(&self, realm: &Realm) -> StoreResult<()>;
    async fn create_api_token(&self, token_hash: &str, tenant_id: &str, now: i64) -> StoreResult<()>;
    /// The tenant an API token (by hash) belongs to.
    async fn tenant_for_token(&self, token_hash: &str) -> StoreResult<Option<String>>;
    async fn get_tenant(&self, id: &str) -> StoreResult<Option<Tenant>>;
    async fn get_realm(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Option<Realm>>;

    async fn insert_authenticator_config(&self, config: &AuthenticatorConfig) -> StoreResult<()>;
    async fn get_authenticator_config(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<Option<AuthenticatorConfig>>;
    async fn list_authenticator_configs(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Vec<AuthenticatorConfig>>;
    /// Deletes a config; `Conflict` while jobs refer to it, false when absent.
    async fn delete_authenticator_config(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<bool>;

    /// `Conflict` when the username is taken in the realm.
    async fn insert_identity(&self, identity: &Identity) -> StoreResult<()>;
    async fn get_identity(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<Option<Identity>>;
    async fn list_identities(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Vec<Identity>>;
    /// Saves display name, email and status (username and handle never change).
    async fn update_identity(&self, identity: &Identity) -> StoreResult<()>;

    async fn insert_job(&self, job: &Job) -> StoreResult<()>;
    async fn get_job(&self, tenant_id: &str, realm_id: &str, identity_id: &str, id: &str) -> StoreResult<Option<Job>>;
    async fn list_jobs(&self, tenant_id: &str, realm_id: &str, identity_id: &str) -> StoreResult<Vec<Job>>;
    /// Moves an open job to `state`; false when it was already terminal.
    async fn set_job_state(&self, job_id: &str, state: &str, now: i64) -> StoreResult<bool>;

    async fn insert_ceremony(&self, ceremony: &Ceremony) -> StoreResult<()>;
    async fn get_ceremony(&self, job_id: &str, id: &str) -> StoreResult<Option<Ceremony>>;

    async fn get_credential(&self, id: &str) -> StoreResult<Option<Credential>>;
    async fn list_credentials(&self, identity_id: &str) -> StoreResult<Vec<Credential>>;
    /// Sets a credential's state; false when the identity has no such credential.
    async fn set_credential_state(&self, identity_id: &str, id: &str, state: &str) -> StoreResult<bool>;
    /// In one transaction: marks the ceremony used, stores the credential and
    /// sets its job COMPLETE. Nothing is written when any step fails.
    async fn complete_binding(&self, credential: &Credential, now: i64) -> StoreResult<()>;

    // --- Issue 4 (additive) ---
    async fn insert_api_token(&self, token: &ApiToken) -> StoreResult<()>;
    /// The unrevoked token with this hash.
    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>>;
    /// Revokes a token by id; false when there is no such unrevoked token.
    async fn revoke_api_token(&self, id: &str, now: i64) -> StoreResult<bool>;
    async fn list_api_tokens(&self, tenant_id: &str) -> StoreResult<Vec<ApiToken>>;
    /// Up to `limit` identities ordered by (create_time, id), after the given key.
    async fn list_identities_page(&self, tenant_id: &str, realm_id: &str, limit: i64, after: Option<(i64, String)>) -> StoreResult<Vec<Identity>>;
    async fn count_identities(&self, tenant_id: &str, realm_id: &str) -> StoreResult<i64>;
    /// Counts one failed token attempt for `key` in a fixed window of
    /// `window` microseconds; returns the count in the current window.
    async fn record_token_failure(&self, key: &str, now: i64, window: i64) -> StoreResult<i64>;
    /// Failed attempts for `key` in its current window.
    async fn token_failure_count(&self, key: &str, now: i64, window: i64) -> StoreResult<i64>;

    async fn dev_bootstrap(&self) -> StoreResult<Option<DevBootstrap>>;
    /// Saves the dev fixtures unless some are saved already; returns the saved ones.
    async fn save_dev_bootstrap(&self, dev: &DevBootstrap) -> StoreResult<DevBootstrap>;
}

pub type DynStore = Arc<dyn Store>;

/// Opens the store a database URL names and runs its migrations.
pub async fn open(database_url: &str) -> Result<DynStore, String> {
    if database_url.starts_with("sqlite:") {
        let store = SqliteStore::open(database_url).await?;
        Ok(Arc::new(store))
    } else if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        let store = PgStore::open(database_url).await?;
        Ok(Arc::new(store))
    } else {
        Err(format!("unsupported database URL {:?}: use sqlite://… or postgres://…", redact_url(database_url)))
    }
}

/// A database URL without its password, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => url.split('@').next_back().unwrap_or_default().to_owned(),
    }
}
