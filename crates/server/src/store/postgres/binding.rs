//! `BindingStore` on PostgreSQL: reads on the pool, the two binding writes
//! through the group-commit writer tasks (`mod.rs`).

use super::super::group_commit::BindingWrite;
use super::super::model::*;
use super::super::traits::BindingStore;
use super::super::StoreResult;
use super::{rows, PgStore};
use async_trait::async_trait;
use sqlx::PgPool;

pub(super) async fn identity_credentials(pool: &PgPool, identity_id: &str) -> StoreResult<Vec<Credential>> {
    let rows =
        sqlx::query("SELECT * FROM credentials WHERE identity_id = $1 ORDER BY create_time, id").bind(identity_id).fetch_all(pool).await?;
    Ok(rows.iter().map(rows::credential).collect::<Result<_, _>>()?)
}

pub(super) async fn credential(pool: &PgPool, id: &str) -> StoreResult<Option<Credential>> {
    let row = sqlx::query("SELECT * FROM credentials WHERE id = $1").bind(id).fetch_optional(pool).await?;
    Ok(row.as_ref().map(rows::credential).transpose()?)
}

pub(super) async fn job(pool: &PgPool, tenant_id: &str, realm_id: &str, identity_id: &str, id: &str) -> StoreResult<Option<Job>> {
    let row = sqlx::query("SELECT * FROM credential_binding_jobs WHERE id = $1 AND tenant_id = $2 AND realm_id = $3 AND identity_id = $4")
        .bind(id)
        .bind(tenant_id)
        .bind(realm_id)
        .bind(identity_id)
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(rows::job).transpose()?)
}

#[async_trait]
impl BindingStore for PgStore {
    async fn load_binding_context(
        &self,
        tenant_id: &str,
        realm_id: &str,
        identity_id: &str,
        job_id: &str,
    ) -> StoreResult<Option<BindingContext>> {
        let row = sqlx::query(rows::BINDING_CONTEXT_SQL)
            .bind(job_id)
            .bind(tenant_id)
            .bind(realm_id)
            .bind(identity_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::binding_context).transpose()?)
    }

    async fn start_ceremony(&self, job_id: &str, identity_id: &str, open_link: bool, now: i64) -> StoreResult<Vec<Credential>> {
        let credentials = identity_credentials(&self.pool, identity_id).await?;
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
        job(&self.pool, tenant_id, realm_id, identity_id, job_id).await
    }

    async fn bound_credential(&self, record_id: &str) -> StoreResult<Option<Credential>> {
        credential(&self.pool, record_id).await
    }

    async fn record_token_failure(&self, key: &str, now: i64, window: i64) -> StoreResult<i64> {
        // Windows that ended count for nothing: drop them, so the table stays small.
        sqlx::query("DELETE FROM token_failures WHERE window_start <= $1 AND key <> $2")
            .bind(now - window)
            .bind(key)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar(
            "INSERT INTO token_failures (key, window_start, count) VALUES ($1, $2, 1) \
             ON CONFLICT (key) DO UPDATE SET \
             count = CASE WHEN token_failures.window_start <= $3 THEN 1 ELSE token_failures.count + 1 END, \
             window_start = CASE WHEN token_failures.window_start <= $3 THEN $2 ELSE token_failures.window_start END \
             RETURNING count",
        )
        .bind(key)
        .bind(now)
        .bind(now - window)
        .fetch_one(&self.pool)
        .await?)
    }

    async fn token_failure_count(&self, key: &str, now: i64, window: i64) -> StoreResult<i64> {
        let count: Option<i64> = sqlx::query_scalar("SELECT count FROM token_failures WHERE key = $1 AND window_start > $2")
            .bind(key)
            .bind(now - window)
            .fetch_optional(&self.pool)
            .await?;
        Ok(count.unwrap_or(0))
    }
}
