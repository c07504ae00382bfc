//! The service's shared state: what every handler may read, built once at
//! start-up (`startup.rs`) and cloned into each request. A clone is one
//! `Arc`: axum clones the state for every request, and cloning each field
//! (a dozen `Arc`s and strings) showed in the binding path's profile.

use crate::ceremony::CeremonyKey;
use crate::mail::DynMailer;
use crate::store::{
    ApiTokenStore, AuthenticatorConfigStore, BindingStore, CredentialStore, DevBootstrap, EventStore, IdentityStore, JobStore, TenantStore,
};
use lettre::message::Mailbox;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState(Arc<AppStateData>);

impl AppState {
    pub fn new(data: AppStateData) -> Self {
        AppState(Arc::new(data))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppStateData;
    fn deref(&self) -> &AppStateData {
        &self.0
    }
}

pub struct AppStateData {
    // The store, one narrow interface per capability (all the same database):
    // each route module reaches only the ones it uses.
    /// The browser calls (`routes/binding/`).
    pub binding: Arc<dyn BindingStore>,
    /// Realms (admin auth) and tenants (passkey views).
    pub tenants: Arc<dyn TenantStore>,
    /// Admin API tokens (admin auth).
    pub api_tokens: Arc<dyn ApiTokenStore>,
    pub configs: Arc<dyn AuthenticatorConfigStore>,
    pub identities: Arc<dyn IdentityStore>,
    pub jobs: Arc<dyn JobStore>,
    pub credentials: Arc<dyn CredentialStore>,
    /// The audit log (read side; the writes above record their events).
    pub events: Arc<dyn EventStore>,
    /// Webhooks per tenant and their delivery log (the dispatcher sends them: `crate::webhooks`).
    pub webhooks: Arc<dyn crate::store::WebhookStore>,
    /// Email branding per realm (the enrollment email, the /bind page).
    pub branding: Arc<dyn crate::store::BrandingStore>,
    /// Console sessions (the admin console's sign-in).
    pub sessions: Arc<dyn crate::store::SessionStore>,
    /// Lifetime of a new console session (microseconds; `--console-session-hours`).
    pub console_session_lifetime: i64,
    /// Base of links, no trailing `/` (may carry a path prefix that a proxy strips).
    pub public_url: String,
    /// `scheme://host[:port]` of `public_url`: the hosted page's origin.
    pub public_origin: String,
    /// Host of `public_url`: the RP ID of hosted_web passkeys.
    pub public_host: String,
    /// The dev fixtures, with --dev only.
    pub dev: Option<Arc<DevBootstrap>>,
    /// Delivers EMAIL jobs' enrollment emails (SMTP, or the dev outbox).
    pub mailer: DynMailer,
    /// The sender of enrollment emails (`--mail-from`).
    pub mail_from: Mailbox,
    /// Lifetime of new credential-binding jobs (microseconds).
    pub job_lifetime: i64,
    /// Failed link-token attempts allowed per job / per client address in a window.
    pub max_token_failures_per_job: i64,
    pub max_token_failures_per_client: i64,
    /// Seals and opens WebAuthn ceremonies (one key per database).
    pub ceremony_key: Arc<CeremonyKey>,
    /// Lifetime of a ceremony (microseconds).
    pub ceremony_lifetime: i64,
    /// The FIDO metadata BLOB in use (`--mds-blob`), refreshed in the background: `metadata.current()`.
    pub metadata: Arc<crate::metadata::MetadataSource>,
}
