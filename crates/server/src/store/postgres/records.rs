//! The admin side on PostgreSQL, part two: identities, credential-binding
//! jobs and credentials.

use super::super::event::{Actor, Event, EventScope};
use super::super::model::*;
use super::super::search::like_pattern;
use super::super::traits::{CredentialStore, IdentityStore, JobStore};
use super::super::types::{CredentialState, JobState};
use super::super::{StoreError, StoreResult};
use super::{binding, events, is_unique_violation, rows, PgStore, SET_JOB_STATE_SQL};
use async_trait::async_trait;
use sqlx::Row;

#[async_trait]
impl IdentityStore for PgStore {
    async fn insert_identity(&self, i: &Identity) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO identities (id, tenant_id, realm_id, display_name, username, email_address, status, user_handle, create_time, update_time) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&i.id)
        .bind(&i.tenant_id)
        .bind(&i.realm_id)
        .bind(&i.display_name)
        .bind(&i.username)
        .bind(&i.email_address)
        .bind(i.status.as_str())
        .bind(&i.user_handle)
        .bind(i.create_time)
        .bind(i.update_time)
        .execute(&self.pool)
        .await
        .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict } else { e.into() })?;
        Ok(())
    }

    async fn get_identity(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<Option<Identity>> {
        let row = sqlx::query("SELECT * FROM identities WHERE id = $1 AND tenant_id = $2 AND realm_id = $3")
            .bind(id)
            .bind(tenant_id)
            .bind(realm_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::identity).transpose()?)
    }

    async fn update_identity(&self, i: &Identity) -> StoreResult<()> {
        sqlx::query("UPDATE identities SET display_name = $1, email_address = $2, status = $3, update_time = $4 WHERE id = $5")
            .bind(&i.display_name)
            .bind(&i.email_address)
            .bind(i.status.as_str())
            .bind(i.update_time)
            .bind(&i.id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn list_identities_page(
        &self,
        tenant_id: &str,
        realm_id: &str,
        search: Option<&str>,
        limit: i64,
        after: Option<(i64, String)>,
    ) -> StoreResult<Vec<Identity>> {
        let (t, id) = after.unwrap_or((i64::MIN, String::new()));
        // With a search, only identities whose username, email address or
        // display name contains it (`search::like_pattern`): ILIKE folds case.
        let rows = sqlx::query(
            "SELECT * FROM identities WHERE tenant_id = $1 AND realm_id = $2 \
             AND ($6::text IS NULL OR username ILIKE $6 ESCAPE '\\' OR email_address ILIKE $6 ESCAPE '\\' OR display_name ILIKE $6 ESCAPE '\\') \
             AND (create_time > $3 OR (create_time = $3 AND id > $4)) ORDER BY create_time, id LIMIT $5",
        )
            .bind(tenant_id)
            .bind(realm_id)
            .bind(t)
            .bind(id)
            .bind(limit)
            .bind(search.map(like_pattern))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::identity).collect::<Result<_, _>>()?)
    }

    async fn count_identities(&self, tenant_id: &str, realm_id: &str, search: Option<&str>) -> StoreResult<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM identities WHERE tenant_id = $1 AND realm_id = $2 \
             AND ($3::text IS NULL OR username ILIKE $3 ESCAPE '\\' OR email_address ILIKE $3 ESCAPE '\\' OR display_name ILIKE $3 ESCAPE '\\')",
        )
            .bind(tenant_id)
            .bind(realm_id)
            .bind(search.map(like_pattern))
            .fetch_one(&self.pool)
            .await?)
    }
}

#[async_trait]
impl JobStore for PgStore {
    async fn insert_job(&self, j: &Job, actor: &Actor) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO credential_binding_jobs (id, tenant_id, realm_id, identity_id, delivery_method, state, authenticator_config_id, \
             post_binding_redirect_uri, token_hash, expire_time, create_time, update_time) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&j.id)
        .bind(&j.tenant_id)
        .bind(&j.realm_id)
        .bind(&j.identity_id)
        .bind(j.delivery_method.as_str())
        .bind(j.state.as_str())
        .bind(&j.authenticator_config_id)
        .bind(&j.post_binding_redirect_uri)
        .bind(&j.token_hash)
        .bind(j.expire_time)
        .bind(j.create_time)
        .bind(j.update_time)
        .execute(&mut *tx)
        .await?;
        let scope = EventScope { tenant_id: j.tenant_id.clone(), realm_id: j.realm_id.clone(), identity_id: j.identity_id.clone() };
        events::record(&mut tx, &Event::job(&scope, &j.id, actor, j.create_time, None, j.state.as_str())).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn get_job(&self, tenant_id: &str, realm_id: &str, identity_id: &str, id: &str) -> StoreResult<Option<Job>> {
        binding::job(&self.pool, tenant_id, realm_id, identity_id, id).await
    }

    async fn list_jobs(&self, tenant_id: &str, realm_id: &str, identity_id: &str) -> StoreResult<Vec<Job>> {
        let rows = sqlx::query(
            "SELECT * FROM credential_binding_jobs WHERE tenant_id = $1 AND realm_id = $2 AND identity_id = $3 ORDER BY create_time, id",
        )
        .bind(tenant_id)
        .bind(realm_id)
        .bind(identity_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(rows::job).collect::<Result<_, _>>()?)
    }

    async fn set_job_state(&self, job_id: &str, state: JobState, now: i64, actor: &Actor) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let Some((before, scope)) = events::job_before(&mut tx, job_id).await? else { return Ok(false) };
        let done = sqlx::query(SET_JOB_STATE_SQL).bind(state.as_str()).bind(now).bind(job_id).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        events::record_job_change(&mut tx, job_id, &scope, actor, now, before, state).await?;
        tx.commit().await?;
        Ok(true)
    }
}

#[async_trait]
impl CredentialStore for PgStore {
    async fn get_credential(&self, id: &str) -> StoreResult<Option<Credential>> {
        binding::credential(&self.pool, id).await
    }

    async fn list_credentials(&self, identity_id: &str) -> StoreResult<Vec<Credential>> {
        binding::identity_credentials(&self.pool, identity_id).await
    }

    async fn set_credential_state(
        &self,
        identity_id: &str,
        id: &str,
        state: CredentialState,
        now: i64,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let row =
            sqlx::query("SELECT state, tenant_id, realm_id, identity_id FROM credentials WHERE id = $1 AND identity_id = $2 FOR UPDATE")
                .bind(id)
                .bind(identity_id)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(r) = row else { return Ok(false) };
        let before: CredentialState = r.try_get::<String, _>("state")?.parse()?;
        let scope =
            EventScope { tenant_id: r.try_get("tenant_id")?, realm_id: r.try_get("realm_id")?, identity_id: r.try_get("identity_id")? };
        sqlx::query("UPDATE credentials SET state = $1 WHERE id = $2 AND identity_id = $3")
            .bind(state.as_str())
            .bind(id)
            .bind(identity_id)
            .execute(&mut *tx)
            .await?;
        if before != state {
            events::record(&mut tx, &Event::credential(&scope, &id.into(), actor, now, Some(before.as_str()), state.as_str())).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
