//! Console sessions on SQLite (`SessionStore`). Every call runs on an admin
//! thread, as admin authentication's token lookups do.

use super::super::model::ConsoleSession;
use super::super::traits::SessionStore;
use super::super::{ApiToken, StoreResult};
use super::{rows, SqliteStore};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, Row};

/// The session's columns (aliased apart from its token's `t.*`).
fn session(r: &Row<'_>) -> rusqlite::Result<ConsoleSession> {
    Ok(ConsoleSession {
        id: r.get("s_id")?,
        secret_hash: r.get("secret_hash")?,
        api_token_id: r.get("api_token_id")?,
        tenant_id: r.get("s_tenant_id")?,
        realm_id: r.get("s_realm_id")?,
        create_time: r.get("s_create_time")?,
        expire_time: r.get("expire_time")?,
        end_time: r.get("end_time")?,
    })
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn create_session(&self, s: &ConsoleSession) -> StoreResult<()> {
        let s = s.clone();
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO console_sessions (id, secret_hash, api_token_id, tenant_id, realm_id, create_time, expire_time, end_time) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                (&s.id, &s.secret_hash, &s.api_token_id, &s.tenant_id, &s.realm_id, s.create_time, s.expire_time, s.end_time),
            )?;
            Ok(())
        })
        .await
    }

    async fn active_session(&self, secret_hash: &str, now: i64) -> StoreResult<Option<(ConsoleSession, ApiToken)>> {
        let hash = secret_hash.to_owned();
        self.on_admin_thread(move |conn| {
            let sql = "SELECT s.id AS s_id, s.secret_hash, s.api_token_id, s.tenant_id AS s_tenant_id, s.realm_id AS s_realm_id, \
                       s.create_time AS s_create_time, s.expire_time, s.end_time, t.* \
                       FROM console_sessions s JOIN api_tokens t ON t.id = s.api_token_id \
                       WHERE s.secret_hash = ?1 AND s.end_time IS NULL AND s.expire_time > ?2 AND t.revoke_time IS NULL";
            let found = conn.prepare_cached(sql)?.query_row((&hash, now), |r| Ok((session(r)?, rows::api_token(r)?))).optional()?;
            Ok(found)
        })
        .await
    }

    async fn end_session(&self, id: &str, now: i64) -> StoreResult<bool> {
        let id = id.to_owned();
        self.on_admin_thread(move |conn| {
            let done = conn.execute("UPDATE console_sessions SET end_time = ?1 WHERE id = ?2 AND end_time IS NULL", (now, &id))?;
            Ok(done == 1)
        })
        .await
    }
}
