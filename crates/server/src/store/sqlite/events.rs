//! The audit log on SQLite: recording an event inside the caller's
//! transaction (the writer's batch or an admin call's), and the list.

use super::super::event::{Actor, Event, EventFilter, EventScope};
use super::super::ids::JobId;
use super::super::traits::EventStore;
use super::super::types::JobState;
use super::super::StoreResult;
use super::SqliteStore;
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row};

/// Appends `event`; the caller's transaction makes it one with its change.
pub(super) fn record(conn: &Connection, e: &Event) -> StoreResult<()> {
    conn.prepare_cached(
        "INSERT INTO events (id, event_type, tenant_id, realm_id, identity_id, job_id, credential_id, actor_type, actor_id, \
         create_time, state_before, state_after) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?
    .execute(rusqlite::params![
        &e.id,
        e.event_type.as_str(),
        &e.tenant_id,
        &e.realm_id,
        &e.identity_id,
        &e.job_id,
        &e.credential_id,
        e.actor.type_str(),
        e.actor.id(),
        e.create_time,
        &e.state_before,
        &e.state_after,
    ])?;
    Ok(())
}

/// A job's stored state and where it lives, read inside the transaction
/// that changes it (so the event's "before" is the state it replaced).
pub(super) fn job_before(conn: &Connection, job_id: &str) -> StoreResult<Option<(JobState, EventScope)>> {
    let sql = "SELECT state, tenant_id, realm_id, identity_id FROM credential_binding_jobs WHERE id = ?1";
    let row = conn
        .prepare_cached(sql)?
        .query_row([job_id], |r| {
            let scope = EventScope { tenant_id: r.get(1)?, realm_id: r.get(2)?, identity_id: r.get(3)? };
            Ok((r.get::<_, String>(0)?, scope))
        })
        .optional()?;
    row.map(|(state, scope)| Ok((state.parse().map_err(super::super::StoreError::from)?, scope))).transpose()
}

/// Records a job's change from `before` to `after` (nothing when equal).
pub(super) fn record_job_change(
    conn: &Connection,
    job_id: &str,
    scope: &EventScope,
    actor: &Actor,
    now: i64,
    before: JobState,
    after: JobState,
) -> StoreResult<()> {
    if before == after {
        return Ok(());
    }
    record(conn, &Event::job(scope, &JobId::new(job_id), actor, now, Some(before.as_str()), after.as_str()))
}

pub(super) fn event(r: &Row<'_>) -> rusqlite::Result<Event> {
    let text = |i: &str| r.get::<_, String>(i);
    let bad = |i: usize, e: super::super::types::UnknownValue| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    Ok(Event {
        id: r.get("id")?,
        event_type: text("event_type")?.parse().map_err(|e| bad(1, e))?,
        tenant_id: r.get("tenant_id")?,
        realm_id: r.get("realm_id")?,
        identity_id: r.get("identity_id")?,
        job_id: r.get("job_id")?,
        credential_id: r.get("credential_id")?,
        actor: Actor::from_parts(&text("actor_type")?, r.get("actor_id")?).map_err(|e| bad(7, e))?,
        create_time: r.get("create_time")?,
        state_before: r.get("state_before")?,
        state_after: text("state_after")?,
    })
}

/// A macro, not a const, so the queries stay `&'static str` literals
/// (`concat!`). The filters, as ?3…?6 (a NULL filter matches every row).
macro_rules! filter_sql {
    () => {
        "tenant_id = ?1 AND realm_id = ?2 AND (?3 IS NULL OR identity_id = ?3) AND (?4 IS NULL OR event_type = ?4) \
     AND (?5 IS NULL OR job_id = ?5) AND (?6 IS NULL OR credential_id = ?6)"
    };
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn list_events(
        &self,
        tenant_id: &str,
        realm_id: &str,
        filter: &EventFilter,
        limit: i64,
        before: Option<(i64, String)>,
    ) -> StoreResult<Vec<Event>> {
        let (t, r, f) = (tenant_id.to_owned(), realm_id.to_owned(), filter.clone());
        let first_page = before.is_none();
        let (time, id) = before.unwrap_or((i64::MAX, String::new()));
        self.on_admin_thread(move |conn| {
            let sql = concat!(
                "SELECT * FROM events WHERE ",
                filter_sql!(),
                " AND (?7 OR create_time < ?8 OR (create_time = ?8 AND id < ?9)) \
                 ORDER BY create_time DESC, id DESC LIMIT ?10"
            );
            let params = rusqlite::params![
                &t,
                &r,
                &f.identity_id,
                f.event_type.map(|e| e.as_str()),
                &f.job_id,
                &f.credential_id,
                first_page,
                time,
                &id,
                limit
            ];
            let events = conn.prepare_cached(sql)?.query_map(params, event)?.collect::<Result<_, _>>()?;
            Ok(events)
        })
        .await
    }

    async fn count_events(&self, tenant_id: &str, realm_id: &str, filter: &EventFilter) -> StoreResult<i64> {
        let (t, r, f) = (tenant_id.to_owned(), realm_id.to_owned(), filter.clone());
        self.on_admin_thread(move |conn| {
            let sql = concat!("SELECT COUNT(*) FROM events WHERE ", filter_sql!());
            let params = rusqlite::params![&t, &r, &f.identity_id, f.event_type.map(|e| e.as_str()), &f.job_id, &f.credential_id];
            Ok(conn.prepare_cached(sql)?.query_row(params, |row| row.get(0))?)
        })
        .await
    }
}
