//! Console sessions on PostgreSQL (`SessionStore`).

use super::super::model::ConsoleSession;
use super::super::traits::SessionStore;
use super::super::{ApiToken, StoreResult};
use super::{rows, PgStore};
use async_trait::async_trait;
use sqlx::postgres::PgRow;
use sqlx::Row;

/// The session's columns (aliased apart from its token's `t.*`).
fn session(r: &PgRow) -> Result<ConsoleSession, sqlx::Error> {
    Ok(ConsoleSession {
        id: r.try_get("s_id")?,
        secret_hash: r.try_get("secret_hash")?,
        api_token_id: r.try_get("api_token_id")?,
        tenant_id: r.try_get("s_tenant_id")?,
        realm_id: r.try_get("s_realm_id")?,
        create_time: r.try_get("s_create_time")?,
        expire_time: r.try_get("expire_time")?,
        end_time: r.try_get("end_time")?,
    })
}

#[async_trait]
impl SessionStore for PgStore {
    async fn create_session(&self, s: &ConsoleSession) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO console_sessions (id, secret_hash, api_token_id, tenant_id, realm_id, create_time, expire_time, end_time) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&s.id)
        .bind(&s.secret_hash)
        .bind(&s.api_token_id)
        .bind(&s.tenant_id)
        .bind(&s.realm_id)
        .bind(s.create_time)
        .bind(s.expire_time)
        .bind(s.end_time)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn active_session(&self, secret_hash: &str, now: i64) -> StoreResult<Option<(ConsoleSession, ApiToken)>> {
        let row = sqlx::query(
            "SELECT s.id AS s_id, s.secret_hash, s.api_token_id, s.tenant_id AS s_tenant_id, s.realm_id AS s_realm_id, \
             s.create_time AS s_create_time, s.expire_time, s.end_time, t.* \
             FROM console_sessions s JOIN api_tokens t ON t.id = s.api_token_id \
             WHERE s.secret_hash = $1 AND s.end_time IS NULL AND s.expire_time > $2 AND t.revoke_time IS NULL",
        )
        .bind(secret_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(|r| Ok::<_, sqlx::Error>((session(r)?, rows::api_token(r)?))).transpose()?)
    }

    async fn end_session(&self, id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE console_sessions SET end_time = $1 WHERE id = $2 AND end_time IS NULL")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
