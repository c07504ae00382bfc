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
    /// The tenant's realms, by (create_time, id).
    async fn list_realms(&self, tenant_id: &str) -> StoreResult<Vec<Realm>>;
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
    /// Records that the token authorized a call at `now`, unless it did less
    /// than `interval` microseconds before: a conditional UPDATE, so a busy
    /// token writes at most once per interval.
    async fn touch_api_token(&self, id: &str, now: i64, interval: i64) -> StoreResult<()>;
}

/// Console sessions (issue 11, part 1): an admin API token exchanged for a
/// cookie, stored by the cookie secret's hash.
#[async_trait]
pub trait SessionStore: Send + Sync {
    async fn create_session(&self, session: &ConsoleSession) -> StoreResult<()>;
    /// The session with this secret hash, when it is neither ended nor
    /// expired at `now` and its API token is unrevoked, with that token.
    async fn active_session(&self, secret_hash: &str, now: i64) -> StoreResult<Option<(ConsoleSession, ApiToken)>>;
    /// Signs a session out; false when it was unknown or already ended.
    async fn end_session(&self, id: &str, now: i64) -> StoreResult<bool>;
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
    /// Up to `limit` identities ordered by (create_time, id), after the given
    /// key; with `search`, only those whose username, email address or
    /// display name contains it (case-insensitive, `%` and `_` literal).
    async fn list_identities_page(
        &self,
        tenant_id: &str,
        realm_id: &str,
        search: Option<&str>,
        limit: i64,
        after: Option<(i64, String)>,
    ) -> StoreResult<Vec<Identity>>;
    /// How many identities `list_identities_page` lists with `search`.
    async fn count_identities(&self, tenant_id: &str, realm_id: &str, search: Option<&str>) -> StoreResult<i64>;
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

/// Email branding per realm (issue 11, part 2): one row per (tenant, realm).
#[async_trait]
pub trait BrandingStore: Send + Sync {
    /// The realm's branding, None when it was never set.
    async fn get_email_branding(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Option<crate::branding::StoredBranding>>;
    /// Replaces the realm's branding (all six fields) as of `now`.
    async fn put_email_branding(
        &self,
        tenant_id: &str,
        realm_id: &str,
        branding: &crate::branding::EmailBranding,
        now: i64,
    ) -> StoreResult<()>;
}

/// Webhooks per tenant (issue 11, part 3): the routes' side (create, list,
/// delete, the delivery log) and the dispatcher's (`crate::webhooks`).
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Stores a new webhook (its secret as is: signing needs it).
    async fn insert_webhook(&self, webhook: &super::webhook::Webhook) -> StoreResult<()>;
    /// The tenant's live (not deleted) webhooks, by (create_time, id).
    async fn list_webhooks(&self, tenant_id: &str) -> StoreResult<Vec<super::webhook::Webhook>>;
    /// A live webhook of the tenant.
    async fn get_webhook(&self, tenant_id: &str, id: &str) -> StoreResult<Option<super::webhook::Webhook>>;
    /// Marks a live webhook deleted (no more deliveries); false when there is none.
    async fn delete_webhook(&self, tenant_id: &str, id: &str, now: i64) -> StoreResult<bool>;
    /// Up to `limit` of the webhook's deliveries, newest first (by
    /// (create_time, id) descending), strictly before the given key.
    async fn list_deliveries(
        &self,
        webhook_id: &str,
        limit: i64,
        before: Option<(i64, String)>,
    ) -> StoreResult<Vec<super::webhook::WebhookDelivery>>;
    /// All of the webhook's deliveries (the log's `total_size`).
    async fn count_deliveries(&self, webhook_id: &str) -> StoreResult<i64>;

    /// Every tenant's live webhooks (the dispatcher's round).
    async fn live_webhooks(&self) -> StoreResult<Vec<super::webhook::Webhook>>;
    /// In one transaction: a PENDING delivery (due at `now`) for each of the
    /// tenant's events since the webhook's `cursor_time − overlap` (and not
    /// before the webhook was created) that has none yet, at most `limit`
    /// (oldest first); then the cursor moves to `now`, or to the last event
    /// taken when `limit` cut the batch short. Answers how many were added.
    async fn enqueue_deliveries(&self, webhook_id: &str, now: i64, overlap: i64, limit: i64) -> StoreResult<usize>;
    /// Atomically leases (until `lease_until`) up to `limit` of the live
    /// webhook's PENDING deliveries that are due and not leased at `now`
    /// (on PostgreSQL `FOR UPDATE SKIP LOCKED`: instances never claim the same row).
    async fn claim_deliveries(
        &self,
        webhook_id: &str,
        now: i64,
        lease_until: i64,
        limit: i64,
    ) -> StoreResult<Vec<super::webhook::ClaimedDelivery>>;
    /// Records an attempt's outcome and ends the lease; false (nothing
    /// written) when the lease `lease_until` is no longer the delivery's.
    async fn record_attempt(&self, delivery_id: &str, lease_until: i64, outcome: &super::webhook::AttemptOutcome) -> StoreResult<bool>;
}
