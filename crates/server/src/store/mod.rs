//! Storage: one narrow interface (`Store`) with the operations the routes
//! need, so a PostgreSQL implementation can sit beside the SQLite one and
//! the routes never know which is in use.

mod group_commit;
mod postgres;
mod shared;
mod sqlite;
mod sqlite_direct;

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

impl ApiToken {
    /// A new, unrevoked token record for the secret whose hash is `token_hash`.
    pub fn new(token_hash: String, tenant_id: String, realm_id: Option<String>, description: Option<String>, now: i64) -> Self {
        ApiToken { id: crate::util::new_id(), token_hash, tenant_id, realm_id, description, create_time: now, revoke_time: None }
    }
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

/// Everything a browser call needs about a job, loaded by its path in one query.
#[derive(Clone, Debug)]
pub struct BindingContext {
    pub tenant: Tenant,
    pub realm: Realm,
    pub identity: Identity,
    pub job: Job,
    pub config: AuthenticatorConfig,
}

/// The job named by (tenant, realm, identity, job) = ($2, $3, $4, $1) joined
/// with its tenant, realm, identity and authenticator config (the same
/// statement on SQLite and PostgreSQL; see `binding_context_from_row!`).
pub(crate) const BINDING_CONTEXT_SQL: &str = "SELECT j.id, j.tenant_id, j.realm_id, j.identity_id, j.delivery_method, j.state, \
     j.authenticator_config_id, j.post_binding_redirect_uri, j.token_hash, j.expire_time, j.create_time, j.update_time, \
     j.completed_ceremony_id, j.credential_record_id, \
     t.display_name AS t_display_name, t.create_time AS t_create_time, \
     r.display_name AS r_display_name, r.create_time AS r_create_time, \
     i.display_name AS i_display_name, i.username AS i_username, i.email_address AS i_email_address, i.status AS i_status, \
     i.user_handle AS i_user_handle, i.create_time AS i_create_time, i.update_time AS i_update_time, \
     c.config_type AS c_config_type, c.invoke_url AS c_invoke_url, c.trusted_origins AS c_trusted_origins, c.rp_id AS c_rp_id, \
     c.create_time AS c_create_time, c.authenticator_attachment AS c_authenticator_attachment, \
     c.user_verification AS c_user_verification, c.attestation AS c_attestation \
     FROM credential_binding_jobs j \
     JOIN tenants t ON t.id = j.tenant_id \
     JOIN realms r ON r.id = j.realm_id AND r.tenant_id = j.tenant_id \
     JOIN identities i ON i.id = j.identity_id AND i.tenant_id = j.tenant_id AND i.realm_id = j.realm_id \
     JOIN authenticator_configs c ON c.id = j.authenticator_config_id AND c.tenant_id = j.tenant_id AND c.realm_id = j.realm_id \
     WHERE j.id = $1 AND j.tenant_id = $2 AND j.realm_id = $3 AND j.identity_id = $4";

/// A `BindingContext` from a row of `BINDING_CONTEXT_SQL` (a macro: the
/// row types of the two backends differ; `job_from_row` is the calling
/// module's, from `shared::store_backend!`).
macro_rules! binding_context_from_row {
    ($r:expr) => {{
        let r = $r;
        let job = job_from_row(r)?;
        BindingContext {
            tenant: Tenant {
                id: job.tenant_id.clone(),
                display_name: r.try_get("t_display_name")?,
                create_time: r.try_get("t_create_time")?,
            },
            realm: Realm {
                id: job.realm_id.clone(),
                tenant_id: job.tenant_id.clone(),
                display_name: r.try_get("r_display_name")?,
                create_time: r.try_get("r_create_time")?,
            },
            identity: Identity {
                id: job.identity_id.clone(),
                tenant_id: job.tenant_id.clone(),
                realm_id: job.realm_id.clone(),
                display_name: r.try_get("i_display_name")?,
                username: r.try_get("i_username")?,
                email_address: r.try_get("i_email_address")?,
                status: r.try_get("i_status")?,
                user_handle: r.try_get("i_user_handle")?,
                create_time: r.try_get("i_create_time")?,
                update_time: r.try_get("i_update_time")?,
            },
            config: AuthenticatorConfig {
                id: job.authenticator_config_id.clone(),
                tenant_id: job.tenant_id.clone(),
                realm_id: job.realm_id.clone(),
                config_type: r.try_get("c_config_type")?,
                invoke_url: r.try_get("c_invoke_url")?,
                trusted_origins: $crate::store::shared::json_list(&r.try_get::<String, _>("c_trusted_origins")?),
                rp_id: r.try_get("c_rp_id")?,
                create_time: r.try_get("c_create_time")?,
                authenticator_attachment: r.try_get("c_authenticator_attachment")?,
                user_verification: r.try_get("c_user_verification")?,
                attestation: r.try_get("c_attestation")?,
            },
            job,
        }
    }};
}
pub(crate) use binding_context_from_row;

#[derive(Debug)]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. a username taken in the realm).
    Conflict,
    /// The job is no longer open (completed, revoked or expired meanwhile).
    JobNotOpen,
    /// The credential ID is already registered.
    CredentialExists,
    Db(sqlx::Error),
    /// An error of the direct SQLite connections (`sqlite_direct`).
    Sqlite(rusqlite::Error),
    /// A write that could not be done or committed, with the reason.
    Failed(String),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
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
            StoreError::CredentialExists => f.write_str("credential already registered"),
            StoreError::Db(e) => write!(f, "database: {e}"),
            StoreError::Sqlite(e) => write!(f, "database: {e}"),
            StoreError::Failed(message) => write!(f, "database: {message}"),
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
    /// Saves display name, email and status (username and handle never change).
    async fn update_identity(&self, identity: &Identity) -> StoreResult<()>;

    async fn insert_job(&self, job: &Job) -> StoreResult<()>;
    async fn get_job(&self, tenant_id: &str, realm_id: &str, identity_id: &str, id: &str) -> StoreResult<Option<Job>>;
    async fn list_jobs(&self, tenant_id: &str, realm_id: &str, identity_id: &str) -> StoreResult<Vec<Job>>;
    /// Moves an open job to `state`; false when it was already terminal.
    async fn set_job_state(&self, job_id: &str, state: &str, now: i64) -> StoreResult<bool>;

    async fn get_credential(&self, id: &str) -> StoreResult<Option<Credential>>;
    async fn list_credentials(&self, identity_id: &str) -> StoreResult<Vec<Credential>>;
    /// Sets a credential's state; false when the identity has no such credential.
    async fn set_credential_state(&self, identity_id: &str, id: &str, state: &str) -> StoreResult<bool>;
    /// In one transaction: sets the credential's job COMPLETE (with the
    /// ceremony and record that completed it) and stores the credential.
    /// Nothing is written when any step fails.
    async fn complete_binding(&self, credential: &Credential, now: i64) -> StoreResult<()>;

    /// The job a browser link names with its tenant, realm, identity and
    /// authenticator config, in one query; None when any of them is missing.
    async fn load_binding_context(
        &self,
        tenant_id: &str,
        realm_id: &str,
        identity_id: &str,
        job_id: &str,
    ) -> StoreResult<Option<BindingContext>>;

    /// A ceremony starts (`:invokeAuthenticator`): moves the job
    /// `LINK_OPENED` when `open_link` (only while it is not terminal) and
    /// returns the identity's credentials, read just before (they only feed
    /// `excludeCredentials`, a hint).
    async fn start_ceremony(&self, job_id: &str, identity_id: &str, open_link: bool, now: i64) -> StoreResult<Vec<Credential>>;

    /// The deployment's secret called `name`: the stored one, or else
    /// `candidate`, stored now (the first instance to start wins; all share it).
    async fn service_key(&self, name: &str, candidate: &[u8], now: i64) -> StoreResult<Vec<u8>>;

    async fn insert_api_token(&self, token: &ApiToken) -> StoreResult<()>;
    /// The unrevoked token with this hash.
    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>>;
    /// Revokes a token by id; false when there is no such unrevoked token.
    async fn revoke_api_token(&self, id: &str, now: i64) -> StoreResult<bool>;
    async fn list_api_tokens(&self, tenant_id: &str) -> StoreResult<Vec<ApiToken>>;
    /// Up to `limit` identities ordered by (create_time, id), after the given key.
    async fn list_identities_page(
        &self,
        tenant_id: &str,
        realm_id: &str,
        limit: i64,
        after: Option<(i64, String)>,
    ) -> StoreResult<Vec<Identity>>;
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
