//! The PostgreSQL implementation of `Store`: the same statements as the
//! SQLite one (shared through `shared::store_backend!`), for
//! many stateless instances on one database. Ceremonies live in the database,
//! so any instance can finish what another started; the job row's lock
//! serialises concurrent completions.

use super::*;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions, PgRow};
use sqlx::Row;
use std::str::FromStr;
use std::time::Duration;

pub struct PgStore {
    pool: PgPool,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

impl PgStore {
    pub async fn open(url: &str) -> Result<Self, String> {
        let shown = redact_url(url);
        let options = PgConnectOptions::from_str(url).map_err(|e| format!("bad database URL {shown:?}: {e}"))?;
        let max = std::env::var("PASSBIND_DB_MAX_CONNECTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
        let pool = PgPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(15))
            .connect_with(options)
            .await
            .map_err(|e| format!("cannot connect to {shown:?}: {e}"))?;
        // sqlx takes an advisory lock: instances starting together migrate once.
        MIGRATOR.run(&pool).await.map_err(|e| format!("migrations failed: {e}"))?;
        Ok(PgStore { pool })
    }
}

super::shared::store_backend! {
    store: PgStore,
    row: PgRow,
    conn: PgConnection,
    mark_used: "UPDATE ceremonies SET used = TRUE WHERE id = $1 AND job_id = $2 AND used = FALSE",
    {
        async fn complete_binding(&self, c: &Credential, now: i64) -> StoreResult<()> {
            let mut tx = self.pool.begin().await?;
            complete_binding_on(&mut tx, c, now).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn start_ceremony(&self, c: &Ceremony, identity_id: &str, open_link: bool, now: i64) -> StoreResult<Vec<Credential>> {
            // One transaction, one commit; its first statement writes, so it takes the write lock up front.
            let mut tx = self.pool.begin().await?;
            let credentials = start_ceremony_on(&mut tx, c, identity_id, open_link, now).await?;
            tx.commit().await?;
            Ok(credentials)
        }

        async fn load_binding_context(&self, tenant_id: &str, realm_id: &str, identity_id: &str, job_id: &str) -> StoreResult<Option<BindingContext>> {
            self.load_binding_context_pooled(tenant_id, realm_id, identity_id, job_id).await
        }

        async fn get_ceremony(&self, job_id: &str, id: &str) -> StoreResult<Option<Ceremony>> {
            self.get_ceremony_pooled(job_id, id).await
        }
    }
}
