//! The store's capabilities, one small trait each, so a route depends on the
//! narrow interface it uses (`AppState` holds one `Arc<dyn …>` per trait).
//! Each backend (`sqlite`, `postgres`) implements all of them.

use super::event::{Actor, Event, EventFilter};
use super::model::*;
use super::types::{CredentialState, JobState};
use super::StoreResult;
use async_trait::async_trait;

/// The browser calls (`:invokeAuthenticator`, `:bindCredential`, the link's
/// GET): the hot path, group-committed writes.
#[async_trait]
pub trait BindingStore: Send + Sync {
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

    /// The link was opened in a browser: the job `LINK_OPENED` if still open.
    async fn open_link(&self, job_id: &str, now: i64) -> StoreResult<()>;

    /// In one transaction: sets the credential's job COMPLETE (with the
    /// ceremony and record that completed it) and stores the credential.
    /// Nothing is written when any step fails.
    async fn complete_binding(&self, credential: &Credential, now: i64) -> StoreResult<()>;

    /// The job as it is now (after `complete_binding` found it closed).
    async fn reload_job(&self, tenant_id: &str, realm_id: &str, identity_id: &str, job_id: &str) -> StoreResult<Option<Job>>;

    /// The credential record that completed a job (to answer a retry).
    async fn bound_credential(&self, record_id: &str) -> StoreResult<Option<Credential>>;

    /// Counts one failed token attempt for `key` in a fixed window of
    /// `window` microseconds; returns the count in the current window.
    async fn record_token_failure(&self, key: &str, now: i64, window: i64) -> StoreResult<i64>;

    /// Failed attempts for `key` in its current window.
    async fn token_failure_count(&self, key: &str, now: i64, window: i64) -> StoreResult<i64>;
}

/// Tenants and their realms (the CLI creates them; admin auth reads realms).
#[async_trait]
pub trait TenantStore: Send + Sync {
    async fn create_tenant(&self, tenant: &Tenant) -> StoreResult<()>;
    async fn create_realm(&self, realm: &Realm) -> StoreResult<()>;
    async fn get_tenant(&self, id: &str) -> StoreResult<Option<Tenant>>;
    async fn get_realm(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Option<Realm>>;
}

/// Admin API tokens (stored as hashes).
#[async_trait]
pub trait ApiTokenStore: Send + Sync {
    /// `Conflict` when the hash is already stored.
    async fn insert_api_token(&self, token: &ApiToken) -> StoreResult<()>;
    /// The unrevoked token with this hash.
    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>>;
    /// Revokes a token by id; false when there is no such unrevoked token.
    async fn revoke_api_token(&self, id: &str, now: i64) -> StoreResult<bool>;
    async fn list_api_tokens(&self, tenant_id: &str) -> StoreResult<Vec<ApiToken>>;
}

#[async_trait]
pub trait AuthenticatorConfigStore: Send + Sync {
    async fn insert_authenticator_config(&self, config: &AuthenticatorConfig) -> StoreResult<()>;
    async fn get_authenticator_config(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<Option<AuthenticatorConfig>>;
    async fn list_authenticator_configs(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Vec<AuthenticatorConfig>>;
    /// Deletes a config; `Conflict` while jobs refer to it, false when absent.
    async fn delete_authenticator_config(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<bool>;
}

#[async_trait]
pub trait IdentityStore: Send + Sync {
    /// `Conflict` when the username is taken in the realm.
    async fn insert_identity(&self, identity: &Identity) -> StoreResult<()>;
    async fn get_identity(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<Option<Identity>>;
    /// Saves display name, email and status (username and handle never change).
    async fn update_identity(&self, identity: &Identity) -> StoreResult<()>;
    /// Up to `limit` identities ordered by (create_time, id), after the given key.
    async fn list_identities_page(
        &self,
        tenant_id: &str,
        realm_id: &str,
        limit: i64,
        after: Option<(i64, String)>,
    ) -> StoreResult<Vec<Identity>>;
    async fn count_identities(&self, tenant_id: &str, realm_id: &str) -> StoreResult<i64>;
}

/// Credential-binding jobs on the admin side (the browser side is `BindingStore`).
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Stores a new job and its creation event (by `actor`), in one transaction.
    async fn insert_job(&self, job: &Job, actor: &Actor) -> StoreResult<()>;
    async fn get_job(&self, tenant_id: &str, realm_id: &str, identity_id: &str, id: &str) -> StoreResult<Option<Job>>;
    async fn list_jobs(&self, tenant_id: &str, realm_id: &str, identity_id: &str) -> StoreResult<Vec<Job>>;
    /// Moves an open job to `state` and records the change (by `actor`), in
    /// one transaction; false (and no event) when it was already terminal.
    async fn set_job_state(&self, job_id: &str, state: JobState, now: i64, actor: &Actor) -> StoreResult<bool>;
}

/// Stored passkeys on the admin side.
#[async_trait]
pub trait CredentialStore: Send + Sync {
    async fn get_credential(&self, id: &str) -> StoreResult<Option<Credential>>;
    async fn list_credentials(&self, identity_id: &str) -> StoreResult<Vec<Credential>>;
    /// Sets a credential's state and records the change (by `actor`; none
    /// when it already was in `state`), in one transaction; false when the
    /// identity has no such credential.
    async fn set_credential_state(&self, identity_id: &str, id: &str, state: CredentialState, now: i64, actor: &Actor)
        -> StoreResult<bool>;
}

/// The audit log, read side (the writes above record their events).
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Up to `limit` of the realm's events matching `filter`, newest first
    /// (by (create_time, id) descending), strictly before the given key.
    async fn list_events(
        &self,
        tenant_id: &str,
        realm_id: &str,
        filter: &EventFilter,
        limit: i64,
        before: Option<(i64, String)>,
    ) -> StoreResult<Vec<Event>>;
    async fn count_events(&self, tenant_id: &str, realm_id: &str, filter: &EventFilter) -> StoreResult<i64>;
}

/// What start-up needs once: the deployment's secrets and `--dev`'s fixtures.
#[async_trait]
pub trait SetupStore: Send + Sync {
    /// The deployment's secret called `name`: the stored one, or else
    /// `candidate`, stored now (the first instance to start wins; all share it).
    async fn service_key(&self, name: &str, candidate: &[u8], now: i64) -> StoreResult<Vec<u8>>;
    async fn dev_bootstrap(&self) -> StoreResult<Option<DevBootstrap>>;
    /// Saves the dev fixtures unless some are saved already; returns the saved ones.
    async fn save_dev_bootstrap(&self, dev: &DevBootstrap) -> StoreResult<DevBootstrap>;
}
