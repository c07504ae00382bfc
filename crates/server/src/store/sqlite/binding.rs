//! `BindingStore` on SQLite: reads on the calling thread, the two binding
//! writes through the group-commit writer (`writer.rs`).

use super::super::group_commit::BindingWrite;
use super::super::model::*;
use super::super::traits::BindingStore;
use super::super::StoreResult;
use super::{rows, SqliteStore};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension};

pub(super) const JOB_SQL: &str =
    "SELECT * FROM credential_binding_jobs WHERE id = ?1 AND tenant_id = ?2 AND realm_id = ?3 AND identity_id = ?4";
pub(super) const CREDENTIAL_SQL: &str = "SELECT * FROM credentials WHERE id = ?1";
pub(super) const IDENTITY_CREDENTIALS_SQL: &str = "SELECT * FROM credentials WHERE identity_id = ?1 ORDER BY create_time, id";

pub(super) fn identity_credentials(conn: &Connection, identity_id: &str) -> StoreResult<Vec<Credential>> {
    let mut stmt = conn.prepare_cached(IDENTITY_CREDENTIALS_SQL)?;
    let credentials = stmt.query_map([identity_id], rows::credential)?.collect::<Result<_, _>>()?;
    Ok(credentials)
}

pub(super) fn credential(conn: &Connection, id: &str) -> StoreResult<Option<Credential>> {
    Ok(conn.prepare_cached(CREDENTIAL_SQL)?.query_row([id], rows::credential).optional()?)
}

pub(super) fn job(conn: &Connection, tenant_id: &str, realm_id: &str, identity_id: &str, id: &str) -> StoreResult<Option<Job>> {
    Ok(conn.prepare_cached(JOB_SQL)?.query_row((id, tenant_id, realm_id, identity_id), rows::job).optional()?)
}

#[async_trait]
impl BindingStore for SqliteStore {
    async fn load_binding_context(
        &self,
        tenant_id: &str,
        realm_id: &str,
        identity_id: &str,
        job_id: &str,
    ) -> StoreResult<Option<BindingContext>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(rows::BINDING_CONTEXT_SQL)?;
            Ok(stmt.query_row((job_id, tenant_id, realm_id, identity_id), rows::binding_context).optional()?)
        })
    }

    /// The identity's passkeys are read by a reader first: the single writer
    /// (which every binding waits for) then only writes.
    async fn start_ceremony(&self, job_id: &str, identity_id: &str, open_link: bool, now: i64) -> StoreResult<Vec<Credential>> {
        let credentials = self.read(|conn| identity_credentials(conn, identity_id))?;
        if open_link {
            self.write(BindingWrite::OpenLink { job_id: job_id.to_owned() }, now).await?;
        }
        Ok(credentials)
    }

    async fn open_link(&self, job_id: &str, now: i64) -> StoreResult<()> {
        self.write(BindingWrite::OpenLink { job_id: job_id.to_owned() }, now).await
    }

    async fn complete_binding(&self, c: &Credential, now: i64) -> StoreResult<()> {
        self.write(BindingWrite::CompleteBinding { credential: Box::new(c.clone()) }, now).await
    }

    async fn reload_job(&self, tenant_id: &str, realm_id: &str, identity_id: &str, job_id: &str) -> StoreResult<Option<Job>> {
        self.read(|conn| job(conn, tenant_id, realm_id, identity_id, job_id))
    }

    async fn bound_credential(&self, record_id: &str) -> StoreResult<Option<Credential>> {
        self.read(|conn| credential(conn, record_id))
    }

    async fn record_token_failure(&self, key: &str, now: i64, window: i64) -> StoreResult<i64> {
        let key = key.to_owned();
        self.on_admin_thread(move |conn| {
            // Windows that ended count for nothing: drop them, so the table stays small.
            conn.prepare_cached("DELETE FROM token_failures WHERE window_start <= ?1 AND key <> ?2")?.execute((now - window, &key))?;
            let count = conn
                .prepare_cached(
                    "INSERT INTO token_failures (key, window_start, count) VALUES (?1, ?2, 1) \
                     ON CONFLICT (key) DO UPDATE SET \
                     count = CASE WHEN token_failures.window_start <= ?3 THEN 1 ELSE token_failures.count + 1 END, \
                     window_start = CASE WHEN token_failures.window_start <= ?3 THEN ?2 ELSE token_failures.window_start END \
                     RETURNING count",
                )?
                .query_row((&key, now, now - window), |r| r.get(0))?;
            Ok(count)
        })
        .await
    }

    async fn token_failure_count(&self, key: &str, now: i64, window: i64) -> StoreResult<i64> {
        self.read(|conn| {
            let count = conn
                .prepare_cached("SELECT count FROM token_failures WHERE key = ?1 AND window_start > ?2")?
                .query_row((key, now - window), |r| r.get::<_, i64>(0))
                .optional()?;
            Ok(count.unwrap_or(0))
        })
    }
}
