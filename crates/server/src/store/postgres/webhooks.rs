//! Webhooks and their deliveries on PostgreSQL, where many instances share
//! the tables: enqueueing locks the webhook's row (instances take turns per
//! webhook; the UNIQUE (webhook_id, event_id) rule would refuse a double
//! anyway), and a claim leases rows with `FOR UPDATE SKIP LOCKED`, so two
//! instances never claim the same delivery within a lease.

use super::super::traits::WebhookStore;
use super::super::webhook::*;
use super::super::StoreResult;
use super::{events, PgStore};
use crate::util::new_id;
use async_trait::async_trait;
use sqlx::postgres::{PgConnection, PgRow};
use sqlx::Row;

fn webhook(r: &PgRow) -> StoreResult<Webhook> {
    Ok(Webhook {
        id: r.try_get("id")?,
        tenant_id: r.try_get("tenant_id")?,
        url: r.try_get("url")?,
        description: r.try_get("description")?,
        secret: WebhookSecret::new(r.try_get::<String, _>("secret")?),
        create_time: r.try_get("create_time")?,
        delete_time: r.try_get("delete_time")?,
        cursor_time: r.try_get("cursor_time")?,
    })
}

fn delivery(r: &PgRow) -> StoreResult<WebhookDelivery> {
    Ok(WebhookDelivery {
        id: r.try_get("id")?,
        webhook_id: r.try_get("webhook_id")?,
        event_id: r.try_get("event_id")?,
        event_type: r.try_get::<String, _>("event_type")?.parse()?,
        state: r.try_get::<String, _>("state")?.parse()?,
        attempts: r.try_get("attempts")?,
        next_attempt_time: r.try_get("next_attempt_time")?,
        last_attempt_time: r.try_get("last_attempt_time")?,
        last_status_code: r.try_get("last_status_code")?,
        last_error: r.try_get("last_error")?,
        create_time: r.try_get("create_time")?,
    })
}

/// A live webhook, its row locked until the transaction ends when `lock`.
async fn live_webhook(conn: &mut PgConnection, id: &str, lock: bool) -> StoreResult<Option<Webhook>> {
    let sql = if lock {
        "SELECT * FROM webhooks WHERE id = $1 AND delete_time IS NULL FOR UPDATE"
    } else {
        "SELECT * FROM webhooks WHERE id = $1 AND delete_time IS NULL"
    };
    let row = sqlx::query(sql).bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(webhook).transpose()
}

/// The tenant's events in the webhook's window that have no delivery yet
/// (oldest first, at most `limit`), with their times.
async fn new_events(conn: &mut PgConnection, w: &Webhook, overlap: i64, limit: i64) -> StoreResult<Vec<(String, i64)>> {
    let since = (w.cursor_time - overlap).max(w.create_time);
    Ok(sqlx::query_as(
        "SELECT e.id, e.create_time FROM events e WHERE e.tenant_id = $1 \
         AND e.realm_id IN (SELECT r.id FROM realms r WHERE r.tenant_id = $1) AND e.create_time >= $2 \
         AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.webhook_id = $3 AND d.event_id = e.id) \
         ORDER BY e.create_time, e.id LIMIT $4",
    )
    .bind(&w.tenant_id)
    .bind(since)
    .bind(&w.id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?)
}

/// Whether `enqueue_on` would write: read first, so an idle webhook costs
/// no row lock and no WAL record per poll.
async fn enqueue_needed(conn: &mut PgConnection, webhook_id: &str, now: i64, overlap: i64) -> StoreResult<bool> {
    let Some(w) = live_webhook(conn, webhook_id, false).await? else { return Ok(false) };
    Ok(now - w.cursor_time >= CURSOR_STEP || !new_events(conn, &w, overlap, 1).await?.is_empty())
}

/// `enqueue_deliveries` inside its transaction.
async fn enqueue_on(conn: &mut PgConnection, webhook_id: &str, now: i64, overlap: i64, limit: i64) -> StoreResult<usize> {
    let Some(w) = live_webhook(conn, webhook_id, true).await? else { return Ok(0) };
    let found = new_events(conn, &w, overlap, limit).await?;
    let ids: Vec<String> = found.iter().map(|_| new_id()).collect();
    let event_ids: Vec<&str> = found.iter().map(|(id, _)| id.as_str()).collect();
    let added = sqlx::query(
        "INSERT INTO webhook_deliveries (id, webhook_id, event_id, state, attempts, next_attempt_time, lease_until, create_time) \
         SELECT n.id, $3, n.event_id, 'PENDING', 0, $4, 0, $4 FROM UNNEST($1::text[], $2::text[]) AS n (id, event_id) \
         ON CONFLICT (webhook_id, event_id) DO NOTHING",
    )
    .bind(&ids)
    .bind(&event_ids)
    .bind(webhook_id)
    .bind(now)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    let cursor = match found.last() {
        Some((_, time)) if found.len() as i64 >= limit => *time,
        _ => now,
    };
    sqlx::query("UPDATE webhooks SET cursor_time = GREATEST(cursor_time, $1) WHERE id = $2")
        .bind(cursor)
        .bind(webhook_id)
        .execute(&mut *conn)
        .await?;
    Ok(added as usize)
}

#[async_trait]
impl WebhookStore for PgStore {
    async fn insert_webhook(&self, w: &Webhook) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO webhooks (id, tenant_id, url, description, secret, create_time, delete_time, cursor_time) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&w.id)
        .bind(&w.tenant_id)
        .bind(&w.url)
        .bind(&w.description)
        .bind(w.secret.expose())
        .bind(w.create_time)
        .bind(w.delete_time)
        .bind(w.cursor_time)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn list_webhooks(&self, tenant_id: &str) -> StoreResult<Vec<Webhook>> {
        let rows = sqlx::query("SELECT * FROM webhooks WHERE tenant_id = $1 AND delete_time IS NULL ORDER BY create_time, id")
            .bind(tenant_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(webhook).collect()
    }

    async fn get_webhook(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Webhook>> {
        let row = sqlx::query("SELECT * FROM webhooks WHERE id = $1 AND tenant_id = $2 AND delete_time IS NULL")
            .bind(id)
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(webhook).transpose()
    }

    async fn delete_webhook(&self, tenant_id: &str, id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE webhooks SET delete_time = $1 WHERE id = $2 AND tenant_id = $3 AND delete_time IS NULL")
            .bind(now)
            .bind(id)
            .bind(tenant_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn list_deliveries(&self, webhook_id: &str, limit: i64, before: Option<(i64, String)>) -> StoreResult<Vec<WebhookDelivery>> {
        let first_page = before.is_none();
        let (time, id) = before.unwrap_or((i64::MAX, String::new()));
        let rows = sqlx::query(
            "SELECT d.id, d.webhook_id, d.event_id, e.event_type, d.state, d.attempts, d.next_attempt_time, d.last_attempt_time, \
             d.last_status_code, d.last_error, d.create_time FROM webhook_deliveries d JOIN events e ON e.id = d.event_id \
             WHERE d.webhook_id = $1 AND ($2 OR d.create_time < $3 OR (d.create_time = $3 AND d.id < $4)) \
             ORDER BY d.create_time DESC, d.id DESC LIMIT $5",
        )
        .bind(webhook_id)
        .bind(first_page)
        .bind(time)
        .bind(id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(delivery).collect()
    }

    async fn count_deliveries(&self, webhook_id: &str) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM webhook_deliveries WHERE webhook_id = $1")
            .bind(webhook_id)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn live_webhooks(&self) -> StoreResult<Vec<Webhook>> {
        let rows = sqlx::query("SELECT * FROM webhooks WHERE delete_time IS NULL ORDER BY create_time, id").fetch_all(&self.pool).await?;
        rows.iter().map(webhook).collect()
    }

    async fn enqueue_deliveries(&self, webhook_id: &str, now: i64, overlap: i64, limit: i64) -> StoreResult<usize> {
        if !enqueue_needed(&mut *self.pool.acquire().await?, webhook_id, now, overlap).await? {
            return Ok(0);
        }
        let mut tx = self.pool.begin().await?;
        let added = enqueue_on(&mut tx, webhook_id, now, overlap, limit).await?;
        tx.commit().await?;
        Ok(added)
    }

    async fn claim_deliveries(&self, webhook_id: &str, now: i64, lease_until: i64, limit: i64) -> StoreResult<Vec<ClaimedDelivery>> {
        let mut conn = self.pool.acquire().await?;
        let Some(w) = live_webhook(&mut conn, webhook_id, false).await? else { return Ok(Vec::new()) };
        // One statement: the rows are locked (skipping those another instance
        // is claiming), leased, and read back with their events.
        let rows = sqlx::query(
            "WITH claimed AS (UPDATE webhook_deliveries SET lease_until = $1 WHERE id IN ( \
                 SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
                 WHERE d.webhook_id = $2 AND w.delete_time IS NULL AND d.state = 'PENDING' \
                 AND d.next_attempt_time <= $3 AND d.lease_until < $3 \
                 ORDER BY d.next_attempt_time, d.create_time, d.id LIMIT $4 FOR UPDATE OF d SKIP LOCKED) \
               RETURNING id AS delivery_id, event_id, attempts) \
             SELECT c.delivery_id, c.attempts, e.* FROM claimed c JOIN events e ON e.id = c.event_id",
        )
        .bind(lease_until)
        .bind(webhook_id)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ClaimedDelivery {
                    id: r.try_get("delivery_id")?,
                    webhook_id: w.id.clone(),
                    attempts: r.try_get("attempts")?,
                    lease_until,
                    url: w.url.clone(),
                    secret: w.secret.clone(),
                    event: events::event(r)?,
                })
            })
            .collect()
    }

    async fn record_attempt(&self, delivery_id: &str, lease_until: i64, o: &AttemptOutcome) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE webhook_deliveries SET state = $1, attempts = $2, last_attempt_time = $3, next_attempt_time = $4, \
             last_status_code = $5, last_error = $6, lease_until = 0 WHERE id = $7 AND lease_until = $8",
        )
        .bind(o.state.as_str())
        .bind(o.attempts)
        .bind(o.attempt_time)
        .bind(o.next_attempt_time)
        .bind(o.status_code.map(i64::from))
        .bind(&o.error)
        .bind(delivery_id)
        .bind(lease_until)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
