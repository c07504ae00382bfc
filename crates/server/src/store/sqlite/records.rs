//! The admin side on SQLite, part two: identities, credential-binding jobs
//! and credentials. Every call runs on an admin thread
//! (`SqliteStore::on_admin_thread`); the arguments are copied in.

use super::super::event::{Actor, Event, EventScope};
use super::super::model::*;
use super::super::search::like_pattern;
use super::super::traits::{CredentialStore, IdentityStore, JobStore};
use super::super::types::{CredentialState, JobState};
use super::super::{StoreError, StoreResult};
use super::{binding, events, is_unique_violation, rows, writer, SqliteStore};
use async_trait::async_trait;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};

#[async_trait]
impl IdentityStore for SqliteStore {
    async fn insert_identity(&self, i: &Identity) -> StoreResult<()> {
        let i = i.clone();
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO identities (id, tenant_id, realm_id, display_name, username, email_address, status, user_handle, \
                 create_time, update_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                rusqlite::params![
                    &i.id,
                    &i.tenant_id,
                    &i.realm_id,
                    &i.display_name,
                    &i.username,
                    &i.email_address,
                    i.status.as_str(),
                    &i.user_handle,
                    i.create_time,
                    i.update_time,
                ],
            )
            .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict } else { e.into() })?;
            Ok(())
        })
        .await
    }

    async fn get_identity(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<Option<Identity>> {
        let (t, r, id) = (tenant_id.to_owned(), realm_id.to_owned(), id.to_owned());
        self.on_admin_thread(move |conn| {
            let sql = "SELECT * FROM identities WHERE id = ?1 AND tenant_id = ?2 AND realm_id = ?3";
            Ok(conn.prepare_cached(sql)?.query_row((&id, &t, &r), rows::identity).optional()?)
        })
        .await
    }

    async fn update_identity(&self, i: &Identity) -> StoreResult<()> {
        let i = i.clone();
        self.on_admin_thread(move |conn| {
            conn.execute(
                "UPDATE identities SET display_name = ?1, email_address = ?2, status = ?3, update_time = ?4 WHERE id = ?5",
                (&i.display_name, &i.email_address, i.status.as_str(), i.update_time, &i.id),
            )?;
            Ok(())
        })
        .await
    }

    async fn list_identities_page(
        &self,
        tenant_id: &str,
        realm_id: &str,
        search: Option<&str>,
        limit: i64,
        after: Option<(i64, String)>,
    ) -> StoreResult<Vec<Identity>> {
        let (t, r, pattern) = (tenant_id.to_owned(), realm_id.to_owned(), search.map(like_pattern));
        let (time, id) = after.unwrap_or((i64::MIN, String::new()));
        self.on_admin_thread(move |conn| {
            // With a search, only identities whose username, email address or
            // display name contains it (`search::like_pattern`). SQLite's LIKE
            // ignores the case of ASCII letters only.
            let sql = "SELECT * FROM identities WHERE tenant_id = ?1 AND realm_id = ?2 \
                       AND (?6 IS NULL OR username LIKE ?6 ESCAPE '\\' OR email_address LIKE ?6 ESCAPE '\\' OR display_name LIKE ?6 ESCAPE '\\') \
                       AND (create_time > ?3 OR (create_time = ?3 AND id > ?4)) ORDER BY create_time, id LIMIT ?5";
            let mut stmt = conn.prepare_cached(sql)?;
            let identities = stmt.query_map((&t, &r, time, &id, limit, &pattern), rows::identity)?.collect::<Result<_, _>>()?;
            Ok(identities)
        })
        .await
    }

    async fn count_identities(&self, tenant_id: &str, realm_id: &str, search: Option<&str>) -> StoreResult<i64> {
        let (t, r, pattern) = (tenant_id.to_owned(), realm_id.to_owned(), search.map(like_pattern));
        self.on_admin_thread(move |conn| {
            let sql = "SELECT COUNT(*) FROM identities WHERE tenant_id = ?1 AND realm_id = ?2 \
                       AND (?3 IS NULL OR username LIKE ?3 ESCAPE '\\' OR email_address LIKE ?3 ESCAPE '\\' OR display_name LIKE ?3 ESCAPE '\\')";
            Ok(conn.prepare_cached(sql)?.query_row((&t, &r, &pattern), |row| row.get(0))?)
        })
        .await
    }
}

#[async_trait]
impl JobStore for SqliteStore {
    async fn insert_job(&self, j: &Job, actor: &Actor) -> StoreResult<()> {
        let (j, actor) = (j.clone(), actor.clone());
        self.on_admin_thread(move |conn| {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            tx.execute(
                "INSERT INTO credential_binding_jobs (id, tenant_id, realm_id, identity_id, delivery_method, state, authenticator_config_id, \
                 post_binding_redirect_uri, token_hash, expire_time, create_time, update_time) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                rusqlite::params![
                    &j.id,
                    &j.tenant_id,
                    &j.realm_id,
                    &j.identity_id,
                    j.delivery_method.as_str(),
                    j.state.as_str(),
                    &j.authenticator_config_id,
                    &j.post_binding_redirect_uri,
                    &j.token_hash,
                    j.expire_time,
                    j.create_time,
                    j.update_time,
                ],
            )?;
            let scope = EventScope { tenant_id: j.tenant_id.clone(), realm_id: j.realm_id.clone(), identity_id: j.identity_id.clone() };
            events::record(&tx, &Event::job(&scope, &j.id, &actor, j.create_time, None, j.state.as_str()))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    async fn get_job(&self, tenant_id: &str, realm_id: &str, identity_id: &str, id: &str) -> StoreResult<Option<Job>> {
        let (t, r, i, id) = (tenant_id.to_owned(), realm_id.to_owned(), identity_id.to_owned(), id.to_owned());
        self.on_admin_thread(move |conn| binding::job(conn, &t, &r, &i, &id)).await
    }

    async fn list_jobs(&self, tenant_id: &str, realm_id: &str, identity_id: &str) -> StoreResult<Vec<Job>> {
        let (t, r, i) = (tenant_id.to_owned(), realm_id.to_owned(), identity_id.to_owned());
        self.on_admin_thread(move |conn| {
            let sql = "SELECT * FROM credential_binding_jobs WHERE tenant_id = ?1 AND realm_id = ?2 AND identity_id = ?3 \
                       ORDER BY create_time, id";
            let jobs = conn.prepare_cached(sql)?.query_map((&t, &r, &i), rows::job)?.collect::<Result<_, _>>()?;
            Ok(jobs)
        })
        .await
    }

    async fn set_job_state(&self, job_id: &str, state: JobState, now: i64, actor: &Actor) -> StoreResult<bool> {
        let (job_id, actor) = (job_id.to_owned(), actor.clone());
        self.on_admin_thread(move |conn| {
            // IMMEDIATE: the state read for the event is the one replaced.
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let Some((before, scope)) = events::job_before(&tx, &job_id)? else { return Ok(false) };
            if tx.prepare_cached(writer::SET_JOB_STATE_SQL)?.execute((state.as_str(), now, &job_id))? != 1 {
                return Ok(false);
            }
            events::record_job_change(&tx, &job_id, &scope, &actor, now, before, state)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}

#[async_trait]
impl CredentialStore for SqliteStore {
    async fn get_credential(&self, id: &str) -> StoreResult<Option<Credential>> {
        let id = id.to_owned();
        self.on_admin_thread(move |conn| binding::credential(conn, &id)).await
    }

    async fn list_credentials(&self, identity_id: &str) -> StoreResult<Vec<Credential>> {
        let i = identity_id.to_owned();
        self.on_admin_thread(move |conn| binding::identity_credentials(conn, &i)).await
    }

    async fn set_credential_state(
        &self,
        identity_id: &str,
        id: &str,
        state: CredentialState,
        now: i64,
        actor: &Actor,
    ) -> StoreResult<bool> {
        let (i, id, actor) = (identity_id.to_owned(), id.to_owned(), actor.clone());
        self.on_admin_thread(move |conn| {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let sql = "SELECT state, tenant_id, realm_id, identity_id FROM credentials WHERE id = ?1 AND identity_id = ?2";
            let found = tx
                .query_row(sql, (&id, &i), |r| {
                    Ok((r.get::<_, String>(0)?, EventScope { tenant_id: r.get(1)?, realm_id: r.get(2)?, identity_id: r.get(3)? }))
                })
                .optional()?;
            let Some((before, scope)) = found else { return Ok(false) };
            let before: CredentialState = before.parse()?;
            tx.execute("UPDATE credentials SET state = ?1 WHERE id = ?2 AND identity_id = ?3", (state.as_str(), &id, &i))?;
            if before != state {
                events::record(&tx, &Event::credential(&scope, &id.clone().into(), &actor, now, Some(before.as_str()), state.as_str()))?;
            }
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}
