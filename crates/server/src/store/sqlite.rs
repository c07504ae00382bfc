//! The SQLite implementation of `Store` (the embedded default).

use super::sqlite_direct::DirectSqlite;
use super::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{Row, SqliteConnection};
use std::str::FromStr;
use std::time::Duration;

pub struct SqliteStore {
    pool: SqlitePool,
    /// The binding path of a file database (None in memory, where a second
    /// connection would see another database): direct connections and a
    /// group-commit writer thread, see `sqlite_direct`.
    direct: Option<DirectSqlite>,
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self, String> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| format!("bad database URL {url:?}: {e}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        // sqlite://data/passbind.db?mode=rwc → data/passbind.db
        let file_path = (!in_memory).then(|| {
            let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
            path.split('?').next().unwrap_or(path).to_owned()
        });
        if let Some(path) = &file_path {
            // Create data/ first: SQLite creates only the file.
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
            }
        }
        // An in-memory database exists once per connection: keep exactly one.
        let max = if in_memory { 1 } else { 8 };
        let pool =
            SqlitePoolOptions::new().max_connections(max).connect_with(options).await.map_err(|e| format!("cannot open {url:?}: {e}"))?;
        MIGRATOR.run(&pool).await.map_err(|e| format!("migrations failed: {e}"))?;
        let direct = match file_path {
            Some(path) => Some(DirectSqlite::open(&path)?),
            None => None,
        };
        Ok(SqliteStore { pool, direct })
    }
}

super::shared::store_backend! {
    store: SqliteStore,
    row: SqliteRow,
    conn: SqliteConnection,
    {
        async fn complete_binding(&self, c: &Credential, now: i64) -> StoreResult<()> {
            if let Some(direct) = &self.direct {
                return direct.complete_binding(c, now).await;
            }
            let mut tx = self.pool.begin().await?;
            complete_binding_on(&mut tx, c, now).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn start_ceremony(&self, job_id: &str, identity_id: &str, open_link: bool, now: i64) -> StoreResult<Vec<Credential>> {
            if let Some(direct) = &self.direct {
                return direct.start_ceremony(job_id, identity_id, open_link, now).await;
            }
            let credentials = self.list_credentials(identity_id).await?;
            if open_link {
                self.set_job_state(job_id, "LINK_OPENED", now).await?;
            }
            Ok(credentials)
        }

        async fn load_binding_context(&self, tenant_id: &str, realm_id: &str, identity_id: &str, job_id: &str) -> StoreResult<Option<BindingContext>> {
            match &self.direct {
                Some(direct) => direct.load_binding_context(tenant_id, realm_id, identity_id, job_id),
                None => self.load_binding_context_pooled(tenant_id, realm_id, identity_id, job_id).await,
            }
        }
    }
}
