//! Webhooks and their deliveries on SQLite. Every call runs on an admin
//! thread (`SqliteStore::on_admin_thread`): the dispatcher's writes may wait
//! for the binding writer's lock, never on the async runtime. One file has
//! one writer at a time, so each claim (`UPDATE … RETURNING`) is atomic even
//! with several processes on the file.

use super::super::event::EventType;
use super::super::traits::WebhookStore;
use super::super::webhook::*;
use super::super::{StoreError, StoreResult};
use super::{events, SqliteStore};
use crate::util::new_id;
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

fn webhook(r: &Row<'_>) -> rusqlite::Result<Webhook> {
    Ok(Webhook {
        id: r.get("id")?,
        tenant_id: r.get("tenant_id")?,
        url: r.get("url")?,
        description: r.get("description")?,
        secret: WebhookSecret::new(r.get::<_, String>("secret")?),
        create_time: r.get("create_time")?,
        delete_time: r.get("delete_time")?,
        cursor_time: r.get("cursor_time")?,
    })
}

/// A stored spelling none of ours matches: a conversion failure of that column.
fn bad_text(column: usize, e: super::super::types::UnknownValue) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, e.into())
}

/// A row of `LIST_DELIVERIES_SQL`.
fn delivery(r: &Row<'_>) -> rusqlite::Result<WebhookDelivery> {
    Ok(WebhookDelivery {
        id: r.get(0)?,
        webhook_id: r.get(1)?,
        event_id: r.get(2)?,
        event_type: r.get::<_, String>(3)?.parse::<EventType>().map_err(|e| bad_text(3, e))?,
        state: r.get::<_, String>(4)?.parse::<DeliveryState>().map_err(|e| bad_text(4, e))?,
        attempts: r.get(5)?,
        next_attempt_time: r.get(6)?,
        last_attempt_time: r.get(7)?,
        last_status_code: r.get(8)?,
        last_error: r.get(9)?,
        create_time: r.get(10)?,
    })
}

/// A page of the log: deliveries with their events' types, newest first.
const LIST_DELIVERIES_SQL: &str = "SELECT d.id, d.webhook_id, d.event_id, e.event_type, d.state, d.attempts, d.next_attempt_time, \
     d.last_attempt_time, d.last_status_code, d.last_error, d.create_time FROM webhook_deliveries d JOIN events e ON e.id = d.event_id \
     WHERE d.webhook_id = ?1 AND (?2 OR d.create_time < ?3 OR (d.create_time = ?3 AND d.id < ?4)) \
     ORDER BY d.create_time DESC, d.id DESC LIMIT ?5";

fn live_webhook(conn: &Connection, id: &str) -> StoreResult<Option<Webhook>> {
    let sql = "SELECT * FROM webhooks WHERE id = ?1 AND delete_time IS NULL";
    Ok(conn.prepare_cached(sql)?.query_row([id], webhook).optional()?)
}

/// The tenant's events in the webhook's window that have no delivery yet
/// (oldest first, at most `limit`), with their times.
fn new_events(conn: &Connection, w: &Webhook, overlap: i64, limit: i64) -> StoreResult<Vec<(String, i64)>> {
    let since = (w.cursor_time - overlap).max(w.create_time);
    let sql = "SELECT e.id, e.create_time FROM events e WHERE e.tenant_id = ?1 \
         AND e.realm_id IN (SELECT r.id FROM realms r WHERE r.tenant_id = ?1) AND e.create_time >= ?2 \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = ?3 AND d.event_id = e.id) \
         ORDER BY e.create_time, e.id LIMIT ?4";
    let found = conn
        .prepare_cached(sql)?
        .query_map((&w.tenant_id, since, &w.id, limit), |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(found)
}

/// Whether `enqueue_on` would write: read first, outside any write
/// transaction, so an idle webhook never takes the database's write lock
/// (which the binding writer's group commits wait for).
fn enqueue_needed(conn: &Connection, webhook_id: &str, now: i64, overlap: i64) -> StoreResult<bool> {
    let Some(w) = live_webhook(conn, webhook_id)? else { return Ok(false) };
    Ok(now - w.cursor_time >= CURSOR_STEP || !new_events(conn, &w, overlap, 1)?.is_empty())
}

/// `enqueue_deliveries` inside its transaction.
fn enqueue_on(conn: &Connection, webhook_id: &str, now: i64, overlap: i64, limit: i64) -> StoreResult<usize> {
    let Some(w) = live_webhook(conn, webhook_id)? else { return Ok(0) };
    let found = new_events(conn, &w, overlap, limit)?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO webhook_deliveries (id, webhook_id, event_id, state, attempts, next_attempt_time, lease_until, create_time) \
         VALUES (?1, ?2, ?3, 'PENDING', 0, ?4, 0, ?4) ON CONFLICT (webhook_id, event_id) DO NOTHING",
    )?;
    let mut added = 0;
    for (event_id, _) in &found {
        added += insert.execute((new_id(), webhook_id, event_id, now))?;
    }
    let cursor = match found.last() {
        Some((_, time)) if found.len() as i64 >= limit => *time,
        _ => now,
    };
    conn.prepare_cached("UPDATE webhooks SET cursor_time = MAX(cursor_time, ?1) WHERE id = ?2")?.execute((cursor, webhook_id))?;
    Ok(added)
}

/// Whether the webhook has a delivery to claim (read before taking the write lock).
fn any_due(conn: &Connection, webhook_id: &str, now: i64) -> StoreResult<bool> {
    let sql = "SELECT EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_id = ?1 AND state = 'PENDING' \
         AND next_attempt_time <= ?2 AND lease_until < ?2)";
    Ok(conn.prepare_cached(sql)?.query_row((webhook_id, now), |r| r.get(0))?)
}

/// `claim_deliveries`: the lease taken in one statement, then what sending needs.
fn claim_on(conn: &Connection, webhook_id: &str, now: i64, lease_until: i64, limit: i64) -> StoreResult<Vec<ClaimedDelivery>> {
    let Some(w) = live_webhook(conn, webhook_id)? else { return Ok(Vec::new()) };
    let sql = "UPDATE webhook_deliveries SET lease_until = ?1 WHERE id IN (SELECT id FROM webhook_deliveries \
         WHERE webhook_id = ?2 AND state = 'PENDING' AND next_attempt_time <= ?3 AND lease_until < ?3 \
         ORDER BY next_attempt_time, create_time, id LIMIT ?4) RETURNING id, event_id, attempts";
    let claimed: Vec<(String, String, i64)> = conn
        .prepare_cached(sql)?
        .query_map((lease_until, webhook_id, now, limit), |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut read_event = conn.prepare_cached("SELECT * FROM events WHERE id = ?1")?;
    let mut out = Vec::with_capacity(claimed.len());
    for (id, event_id, attempts) in claimed {
        let event = read_event.query_row([&event_id], events::event)?;
        out.push(ClaimedDelivery {
            id: id.into(),
            webhook_id: w.id.clone(),
            attempts,
            lease_until,
            url: w.url.clone(),
            secret: w.secret.clone(),
            event,
        });
    }
    Ok(out)
}

#[async_trait]
impl WebhookStore for SqliteStore {
    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        let w = w.clone();
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO webhooks (id, tenant_id, url, description, secret, create_time, delete_time, cursor_time) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                rusqlite::params![
                    &w.id,
                    &w.tenant_id,
                    &w.url,
                    &w.description,
                    w.secret.expose(),
                    w.create_time,
                    w.delete_time,
                    w.cursor_time
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn list_webhooks(&self, tenant_id: &str) -> StoreResult<Vec<Webhook>> {
        let t = tenant_id.to_owned();
        self.on_admin_thread(move |conn| {
            let sql = "SELECT * FROM webhooks WHERE tenant_id = ?1 AND delete_time IS NULL ORDER BY create_time, id";
            Ok(conn.prepare_cached(sql)?.query_map([&t], webhook)?.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn get_webhook(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Webhook>> {
        let (t, id) = (tenant_id.to_owned(), id.to_owned());
        self.on_admin_thread(move |conn| {
            let sql = "SELECT * FROM webhooks WHERE id = ?1 AND tenant_id = ?2 AND delete_time IS NULL";
            Ok(conn.prepare_cached(sql)?.query_row((&id, &t), webhook).optional()?)
        })
        .await
    }

    async fn delete_webhook(&self, tenant_id: &str, id: &str, now: i64) -> StoreResult<bool> {
        let (t, id) = (tenant_id.to_owned(), id.to_owned());
        self.on_admin_thread(move |conn| {
            let sql = "UPDATE webhooks SET delete_time = ?1 WHERE id = ?2 AND tenant_id = ?3 AND delete_time IS NULL";
            Ok(conn.execute(sql, (now, &id, &t))? == 1)
        })
        .await
    }

    async fn list_deliveries(&self, webhook_id: &str, limit: i64, before: Option<(i64, String)>) -> StoreResult<Vec<WebhookDelivery>> {
        let w = webhook_id.to_owned();
        let first_page = before.is_none();
        let (time, id) = before.unwrap_or((i64::MAX, String::new()));
        self.on_admin_thread(move |conn| {
            let mut stmt = conn.prepare_cached(LIST_DELIVERIES_SQL)?;
            let rows = stmt.query_map(rusqlite::params![&w, first_page, time, &id, limit], delivery)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
        .await
    }

    async fn count_deliveries(&self, webhook_id: &str) -> StoreResult<i64> {
        let w = webhook_id.to_owned();
        self.on_admin_thread(move |conn| {
            Ok(conn.prepare_cached("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = ?1")?.query_row([&w], |r| r.get(0))?)
        })
        .await
    }

    async fn live_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        self.on_admin_thread(|conn| {
            let sql = "SELECT * FROM webhooks WHERE delete_time IS NULL ORDER BY create_time, id";
            Ok(conn.prepare_cached(sql)?.query_map([], webhook)?.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn enqueue_deliveries(&self, webhook_id: &str, now: i64, overlap: i64, limit: i64) -> StoreResult<usize> {
        let w = webhook_id.to_owned();
        self.on_admin_thread(move |conn| {
            if !enqueue_needed(conn, &w, now, overlap)? {
                return Ok(0);
            }
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let added = enqueue_on(&tx, &w, now, overlap, limit)?;
            tx.commit()?;
            Ok(added)
        })
        .await
    }

    async fn claim_deliveries(&self, webhook_id: &str, now: i64, lease_until: i64, limit: i64) -> StoreResult<Vec<ClaimedDelivery>> {
        let w = webhook_id.to_owned();
        self.on_admin_thread(move |conn| {
            if !any_due(conn, &w, now)? {
                return Ok(Vec::new());
            }
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let claimed = claim_on(&tx, &w, now, lease_until, limit)?;
            tx.commit()?;
            Ok(claimed)
        })
        .await
    }

    async fn record_attempt(&self, delivery_id: &str, lease_until: i64, o: &AttemptOutcome) -> StoreResult<bool> {
        let (id, o) = (delivery_id.to_owned(), o.clone());
        self.on_admin_thread(move |conn| {
            let sql = "UPDATE webhook_deliveries SET state = ?1, attempts = ?2, last_attempt_time = ?3, next_attempt_time = ?4, \
                 last_status_code = ?5, last_error = ?6, lease_until = 0 WHERE id = ?7 AND lease_until = ?8";
            let done = conn
                .prepare_cached(sql)?
                .execute(rusqlite::params![
                    o.state.as_str(),
                    o.attempts,
                    o.attempt_time,
                    o.next_attempt_time,
                    o.status_code,
                    &o.error,
                    &id,
                    lease_until
                ])
                .map_err(StoreError::from)?;
            Ok(done == 1)
        })
        .await
    }
}
