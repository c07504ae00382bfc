//! Storage, split by capability (`traits.rs`): the binding hot path
//! (`BindingStore`) and the admin side (tenants, API tokens, authenticator
//! configs, identities, jobs, credentials, start-up secrets), each a small
//! trait that routes see through `AppState`.
//!
//! One driver per database, each backend in plain functions with its own
//! SQL and row mapping:
//! - `sqlite/`: rusqlite only (reads on the calling thread or a blocking
//!   thread, binding writes group-committed by one writer thread);
//! - `postgres/`: sqlx only (binding writes group-committed by writer tasks).
//!
//! The two write much the same statements: that repetition is the price of
//! each backend reading as ordinary code (no shared SQL macros), and the
//! integration suite runs every test on both. Driver types never leave
//! `store/`: their errors become `StoreError::Database`.

mod error;
mod event;
mod group_commit;
mod ids;
mod model;
mod policy;
mod postgres;
mod search;
mod sqlite;
mod traits;
mod types;
mod webhook;

pub use error::{StoreError, StoreResult};
pub use event::*;
pub use ids::*;
pub use model::*;
pub use policy::{Aaguid, AttestationPolicy, NotAnAaguid, MAX_AAGUIDS};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;
/// Debug builds only: faults for the tests of the SQLite writer's supervision.
#[cfg(debug_assertions)]
pub use sqlite::{inject_writer_fault, WriterFault};
pub use traits::*;
pub use types::*;
pub use webhook::*;

use std::sync::Arc;

/// One open database, seen through each capability (all the same backend).
#[derive(Clone)]
pub struct Stores {
    pub binding: Arc<dyn BindingStore>,
    pub tenants: Arc<dyn TenantStore>,
    pub api_tokens: Arc<dyn ApiTokenStore>,
    pub configs: Arc<dyn AuthenticatorConfigStore>,
    pub identities: Arc<dyn IdentityStore>,
    pub jobs: Arc<dyn JobStore>,
    pub credentials: Arc<dyn CredentialStore>,
    pub events: Arc<dyn EventStore>,
    pub webhooks: Arc<dyn WebhookStore>,
    pub setup: Arc<dyn SetupStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub branding: Arc<dyn BrandingStore>,
}

impl Stores {
    fn of<B>(backend: B) -> Self
    where
        B: BindingStore
            + TenantStore
            + ApiTokenStore
            + AuthenticatorConfigStore
            + IdentityStore
            + JobStore
            + CredentialStore
            + EventStore
            + WebhookStore
            + SetupStore
            + SessionStore
            + BrandingStore
            + 'static,
    {
        let b = Arc::new(backend);
        Stores {
            binding: b.clone(),
            tenants: b.clone(),
            api_tokens: b.clone(),
            configs: b.clone(),
            identities: b.clone(),
            jobs: b.clone(),
            credentials: b.clone(),
            events: b.clone(),
            webhooks: b.clone(),
            setup: b.clone(),
            sessions: b.clone(),
            branding: b,
        }
    }
}

/// Opens the store a database URL names and runs its migrations.
pub async fn open(database_url: &str) -> Result<Stores, String> {
    if database_url.starts_with("sqlite:") {
        Ok(Stores::of(SqliteStore::open(database_url).await?))
    } else if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
        Ok(Stores::of(PgStore::open(database_url).await?))
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
