//! The PostgreSQL backend, on sqlx alone, for many stateless instances on
//! one database. Ceremonies are sealed with a key kept in the database
//! (`crate::ceremony`), so any instance can finish what another started; the
//! job row's lock serialises concurrent completions.
//!
//! The two binding writes go through group-commit writer tasks: every write
//! waiting at that moment shares one transaction (each in a savepoint), so
//! one WAL flush answers a whole batch. Per-request transactions left the
//! service waiting on PostgreSQL's commits (bench/RESULTS.md). The admin
//! side (`admin.rs`, `records.rs`) runs each statement on the pool.

mod admin;
mod binding;
mod branding;
mod events;
mod records;
mod rows;
mod sessions;
mod webhooks;

use super::event::{Actor, Event};
use super::group_commit::{self, Answered, BindingWrite, Queued, MAX_BATCH};
use super::model::Credential;
use super::types::JobState;
use super::{redact_url, StoreError, StoreResult};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

pub struct PgStore {
    pool: PgPool,
    writer: mpsc::UnboundedSender<Queued>,
}

/// Writer tasks: each batch is a string of round trips to PostgreSQL, so
/// several batches are in flight at once (PostgreSQL flushes their commits together).
const WRITERS: usize = 4;

/// Takes the writes waiting at each moment and commits them together. Each
/// batch takes a pool connection, so a lost connection is replaced.
async fn run_writer(pool: PgPool, rx: Arc<tokio::sync::Mutex<mpsc::UnboundedReceiver<Queued>>>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while rx.lock().await.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let writes = std::mem::take(&mut batch);
        match pool.acquire().await {
            Ok(mut conn) => write_batch(&mut conn, writes).await,
            Err(e) => {
                let message = format!("no database connection: {e}");
                writes.into_iter().for_each(|w| w.fail(&message));
            }
        }
    }
}

/// One transaction; each write in its own savepoint, so a refused write
/// (job not open, credential exists) is undone alone and the
/// others go on. Answers go out after COMMIT; if it fails, all answer errors.
async fn write_batch(conn: &mut PgConnection, mut writes: Vec<Queued>) {
    // Every write locks its job's row first. Batches run side by side (and on
    // other instances), so all take those locks in one order, by job ID: no
    // batch can hold one row while waiting for another that a second batch
    // holds while waiting for the first (a deadlock, which PostgreSQL would
    // break by failing a write). Stable: one job's writes keep their order.
    writes.sort_by(|a, b| a.job_id().cmp(b.job_id()));
    let mut done: Vec<Answered> = Vec::with_capacity(writes.len());
    let mut writes = writes.into_iter();
    let failure = match run_all(conn, &mut writes, &mut done).await {
        Ok(()) => match sqlx::raw_sql("COMMIT").execute(&mut *conn).await {
            Ok(_) => return done.into_iter().for_each(Answered::send),
            Err(e) => format!("the batch was not committed: {e}"),
        },
        Err(message) => message,
    };
    let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
    done.into_iter().for_each(|d| d.fail(&failure));
    writes.for_each(|w| w.fail(&failure));
}

/// BEGIN, then each write in its savepoint; stops at the first statement
/// that is not a write's own refusal (the batch then fails as a whole).
async fn run_all(conn: &mut PgConnection, writes: &mut impl Iterator<Item = Queued>, done: &mut Vec<Answered>) -> Result<(), String> {
    sqlx::raw_sql("BEGIN").execute(&mut *conn).await.map_err(|e| format!("cannot begin a transaction: {e}"))?;
    for w in writes {
        if let Err(e) = sqlx::raw_sql("SAVEPOINT w").execute(&mut *conn).await {
            w.fail(&format!("the batch failed: {e}"));
            return Err(format!("the batch failed: {e}"));
        }
        let result = match &w.write {
            BindingWrite::OpenLink { job_id } => open_link_on(conn, job_id, w.now).await,
            BindingWrite::CompleteBinding { credential } => complete_binding_on(conn, credential, w.now).await,
        };
        let end = if result.is_ok() { "RELEASE SAVEPOINT w" } else { "ROLLBACK TO SAVEPOINT w; RELEASE SAVEPOINT w" };
        done.push(w.answered(result));
        sqlx::raw_sql(end).execute(&mut *conn).await.map_err(|e| format!("the batch failed: {e}"))?;
    }
    Ok(())
}

/// `:invokeAuthenticator`'s write: the job `LINK_OPENED` (if still open).
/// Its event (by the link's holder) only when that changed the job.
async fn open_link_on(conn: &mut PgConnection, job_id: &str, now: i64) -> StoreResult<()> {
    let Some((before, scope)) = events::job_before(conn, job_id).await? else { return Ok(()) };
    let done = sqlx::query(SET_JOB_STATE_SQL).bind(JobState::LinkOpened.as_str()).bind(now).bind(job_id).execute(&mut *conn).await?;
    if done.rows_affected() == 1 {
        events::record_job_change(conn, job_id, &scope, &Actor::Link, now, before, JobState::LinkOpened).await?;
    }
    Ok(())
}

/// An open job moved to $1 (a terminal job stays as it is).
const SET_JOB_STATE_SQL: &str = "UPDATE credential_binding_jobs SET state = $1, update_time = $2 \
     WHERE id = $3 AND state NOT IN ('COMPLETE', 'EXPIRED', 'REVOKED', 'FAILED_TO_SEND')";

/// `:bindCredential`'s write. The job's row is the lock that serialises
/// concurrent completions (here and on other instances): only one finds it open.
/// Its two events (job COMPLETE, credential ACTIVE, by the link's holder)
/// are in the same savepoint: a refused binding leaves none.
async fn complete_binding_on(conn: &mut PgConnection, c: &Credential, now: i64) -> StoreResult<()> {
    let Some((before, scope)) = events::job_before(conn, &c.job_id).await? else { return Err(StoreError::JobNotOpen) };
    let job = sqlx::query(
        "UPDATE credential_binding_jobs SET state = 'COMPLETE', update_time = $1, completed_ceremony_id = $2, \
         credential_record_id = $3 WHERE id = $4 AND state NOT IN ('COMPLETE', 'EXPIRED', 'REVOKED', 'FAILED_TO_SEND')",
    )
    .bind(now)
    .bind(&c.ceremony_id)
    .bind(&c.id)
    .bind(&c.job_id)
    .execute(&mut *conn)
    .await?;
    if job.rows_affected() != 1 {
        return Err(StoreError::JobNotOpen);
    }
    sqlx::query(
        "INSERT INTO credentials (id, tenant_id, realm_id, identity_id, job_id, ceremony_id, credential_id, \
         public_key, alg, sign_count, aaguid, attestation_format, transports, attachment, backup_eligible, backed_up, state, create_time, \
         attestation_type, attestation_trust, trust_path, authenticator_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)",
    )
    .bind(&c.id)
    .bind(&c.tenant_id)
    .bind(&c.realm_id)
    .bind(&c.identity_id)
    .bind(&c.job_id)
    .bind(&c.ceremony_id)
    .bind(&c.credential_id)
    .bind(&c.public_key)
    .bind(c.alg)
    .bind(c.sign_count)
    .bind(&c.aaguid)
    .bind(&c.attestation_format)
    .bind(rows::to_json(&c.transports))
    .bind(&c.attachment)
    .bind(c.backup_eligible)
    .bind(c.backed_up)
    .bind(c.state.as_str())
    .bind(c.create_time)
    .bind(&c.attestation_type)
    .bind(c.attestation_trust.as_str())
    .bind(super::policy::trust_path_to_json(&c.trust_path))
    .bind(&c.authenticator_name)
    .execute(&mut *conn)
    .await
    .map_err(|e| if is_unique_violation(&e) { StoreError::CredentialExists } else { e.into() })?;
    events::record_job_change(conn, &c.job_id, &scope, &Actor::Link, now, before, JobState::Complete).await?;
    events::record(conn, &Event::credential(&scope, &c.id, &Actor::Link, now, None, c.state.as_str())).await
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        if is_connection_failure(&e) {
            // PostgreSQL is down, restarting or unreachable: a retry may succeed (503 `unavailable`).
            StoreError::Unavailable(e.to_string())
        } else {
            StoreError::database(e)
        }
    }
}

/// No connection, a connection lost, or a server shutting down or starting up
/// (SQLSTATE classes 08 and 57P): not a fault of the statement.
fn is_connection_failure(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Tls(_) | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(d) => d.code().is_some_and(|c| c.starts_with("08") || c.starts_with("57P")),
        _ => false,
    }
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_foreign_key_violation())
}

impl PgStore {
    /// Hands a write to the writer tasks; answers after its batch committed.
    async fn write(&self, write: BindingWrite, now: i64) -> StoreResult<()> {
        let (queued, answer) = Queued::new(write, now);
        self.writer.send(queued).map_err(|_| group_commit::writer_gone())?;
        group_commit::answer(answer).await
    }
}

/// The longest wait for a pool connection.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations-postgres");

impl PgStore {
    pub async fn open(url: &str) -> Result<Self, String> {
        let shown = redact_url(url);
        let options = PgConnectOptions::from_str(url).map_err(|e| format!("bad database URL {shown:?}: {e}"))?;
        let max = std::env::var("PASSBIND_DB_MAX_CONNECTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
        let pool = PgPoolOptions::new()
            .max_connections(max)
            // While PostgreSQL is down sqlx retries connecting until this passes: requests
            // answer 503 `unavailable` after it, well within the request timeout.
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // sqlx pings every connection it hands out: a round trip per query.
            // Only a connection quiet for a while (which a restart may have cut) is checked.
            .test_before_acquire(false)
            .before_acquire(|conn, meta| {
                Box::pin(async move {
                    if meta.idle_for > Duration::from_secs(1) {
                        sqlx::Connection::ping(conn).await?;
                    }
                    Ok(true)
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| format!("cannot connect to {shown:?}: {e}"))?;
        // sqlx takes an advisory lock: instances starting together migrate once.
        MIGRATOR.run(&pool).await.map_err(|e| format!("migrations failed: {e}"))?;
        let (writer, rx) = mpsc::unbounded_channel();
        let rx = Arc::new(tokio::sync::Mutex::new(rx));
        for _ in 0..WRITERS {
            tokio::spawn(run_writer(pool.clone(), rx.clone()));
        }
        Ok(PgStore { pool, writer })
    }
}
