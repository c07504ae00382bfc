//! The audit log on PostgreSQL: recording an event inside the caller's
//! transaction (the writer's batch or an admin call's), and the list.

use super::super::event::{Actor, Event, EventFilter, EventScope};
use super::super::ids::JobId;
use super::super::traits::EventStore;
use super::super::types::JobState;
use super::super::{StoreError, StoreResult};
use super::PgStore;
use async_trait::async_trait;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::Row;

/// Appends `event`; the caller's transaction makes it one with its change.
pub(super) async fn record(conn: &mut PgConnection, e: &Event) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO events (id, event_type, tenant_id, realm_id, identity_id, job_id, credential_id, actor_type, actor_id, \
         create_time, state_before, state_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&e.id)
    .bind(e.event_type.as_str())
    .bind(&e.tenant_id)
    .bind(&e.realm_id)
    .bind(&e.identity_id)
    .bind(&e.job_id)
    .bind(&e.credential_id)
    .bind(e.actor.type_str())
    .bind(e.actor.id())
    .bind(e.create_time)
    .bind(&e.state_before)
    .bind(&e.state_after)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A job's stored state and where it lives, its row locked (`FOR UPDATE`)
/// until the transaction ends, so the event's "before" is the state replaced.
pub(super) async fn job_before(conn: &mut PgConnection, job_id: &str) -> StoreResult<Option<(JobState, EventScope)>> {
    let row = sqlx::query("SELECT state, tenant_id, realm_id, identity_id FROM credential_binding_jobs WHERE id = $1 FOR UPDATE")
        .bind(job_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(r) = row else { return Ok(None) };
    let scope = EventScope { tenant_id: r.try_get("tenant_id")?, realm_id: r.try_get("realm_id")?, identity_id: r.try_get("identity_id")? };
    Ok(Some((r.try_get::<String, _>("state")?.parse().map_err(StoreError::from)?, scope)))
}

/// Records a job's change from `before` to `after` (nothing when equal).
pub(super) async fn record_job_change(
    conn: &mut PgConnection,
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
    record(conn, &Event::job(scope, &JobId::new(job_id), actor, now, Some(before.as_str()), after.as_str())).await
}

pub(super) fn event(r: &PgRow) -> StoreResult<Event> {
    Ok(Event {
        id: r.try_get("id")?,
        event_type: r.try_get::<String, _>("event_type")?.parse()?,
        tenant_id: r.try_get("tenant_id")?,
        realm_id: r.try_get("realm_id")?,
        identity_id: r.try_get("identity_id")?,
        job_id: r.try_get("job_id")?,
        credential_id: r.try_get("credential_id")?,
        actor: Actor::from_parts(&r.try_get::<String, _>("actor_type")?, r.try_get("actor_id")?)?,
        create_time: r.try_get("create_time")?,
        state_before: r.try_get("state_before")?,
        state_after: r.try_get("state_after")?,
    })
}

/// A macro, not a const, so the queries stay `&'static str` literals
/// (`concat!`). The filters, as $3…$6 (a NULL filter matches every row).
macro_rules! filter_sql {
    () => {
        "tenant_id = $1 AND realm_id = $2 AND ($3::text IS NULL OR identity_id = $3) \
     AND ($4::text IS NULL OR event_type = $4) AND ($5::text IS NULL OR job_id = $5) AND ($6::text IS NULL OR credential_id = $6)"
    };
}

#[async_trait]
impl EventStore for PgStore {
    async fn list_events(
        &self,
        tenant_id: &str,
        realm_id: &str,
        f: &EventFilter,
        limit: i64,
        before: Option<(i64, String)>,
    ) -> StoreResult<Vec<Event>> {
        let first_page = before.is_none();
        let (time, id) = before.unwrap_or((i64::MAX, String::new()));
        let sql = concat!(
            "SELECT * FROM events WHERE ",
            filter_sql!(),
            " AND ($7 OR create_time < $8 OR (create_time = $8 AND id < $9)) \
             ORDER BY create_time DESC, id DESC LIMIT $10"
        );
        let rows = sqlx::query(sql)
            .bind(tenant_id)
            .bind(realm_id)
            .bind(&f.identity_id)
            .bind(f.event_type.map(|e| e.as_str()))
            .bind(&f.job_id)
            .bind(&f.credential_id)
            .bind(first_page)
            .bind(time)
            .bind(id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(event).collect()
    }

    async fn count_events(&self, tenant_id: &str, realm_id: &str, f: &EventFilter) -> StoreResult<i64> {
        let sql = concat!("SELECT COUNT(*) FROM events WHERE ", filter_sql!());
        Ok(sqlx::query_scalar(sql)
            .bind(tenant_id)
            .bind(realm_id)
            .bind(&f.identity_id)
            .bind(f.event_type.map(|e| e.as_str()))
            .bind(&f.job_id)
            .bind(&f.credential_id)
            .fetch_one(&self.pool)
            .await?)
    }
}
