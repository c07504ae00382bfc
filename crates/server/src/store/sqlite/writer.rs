//! The binding path's writes on a SQLite file: one writer thread takes every
//! write waiting at that moment (up to `MAX_BATCH`) into one `BEGIN
//! IMMEDIATE … COMMIT`, each write in its own savepoint (a refused write is
//! rolled back alone and answers its typed error), and answers them only
//! after the COMMIT returned: one fsync makes the batch durable, and no
//! request is answered before its writes are on disk. A checkpointer thread
//! copies the WAL into the database file, outside the writer's commits.

use super::super::event::{Actor, Event};
use super::super::group_commit::{Answered, BindingWrite, Queued, MAX_BATCH};
use super::super::model::Credential;
use super::super::types::JobState;
use super::super::{StoreError, StoreResult};
use super::{events, is_unique_violation, ThreadConn};
use rusqlite::Connection;
use std::sync::mpsc;
use std::time::Duration;

/// How often the checkpointer copies committed WAL frames into the database.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);

/// An open job moved to ?1 (a terminal job stays as it is).
pub(super) const SET_JOB_STATE_SQL: &str = "UPDATE credential_binding_jobs SET state = ?1, update_time = ?2 \
     WHERE id = ?3 AND state NOT IN ('COMPLETE', 'EXPIRED', 'REVOKED', 'FAILED_TO_SEND')";

/// The job COMPLETE with its ceremony and credential record, if still open.
const COMPLETE_JOB_SQL: &str = "UPDATE credential_binding_jobs SET state = 'COMPLETE', update_time = ?1, completed_ceremony_id = ?2, \
     credential_record_id = ?3 WHERE id = ?4 AND state NOT IN ('COMPLETE', 'EXPIRED', 'REVOKED', 'FAILED_TO_SEND')";

const INSERT_CREDENTIAL_SQL: &str = "INSERT INTO credentials (id, tenant_id, realm_id, identity_id, job_id, ceremony_id, credential_id, \
     public_key, alg, sign_count, aaguid, attestation_format, transports, attachment, backup_eligible, backed_up, state, create_time, \
     attestation_type, attestation_trust, trust_path, authenticator_name) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22)";

/// Starts the writer thread on its connection (its own for a file, with
/// `wal_autocheckpoint` off; the in-memory database's only one, taken per
/// batch); it ends when the store (every sender) is dropped. `path` is the
/// file's, from which a failed connection is replaced (None in memory).
pub(super) fn start(target: ThreadConn, path: Option<String>) -> Result<mpsc::Sender<Queued>, String> {
    if let ThreadConn::Own(conn) = &target {
        configure_writer(conn).map_err(|e| format!("cannot configure the writer: {e}"))?;
    }
    let (writer, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || supervise(target, path, rx))
        .map_err(|e| format!("cannot start the database writer: {e}"))?;
    Ok(writer)
}

/// Checkpoints (copying the WAL into the database file, with its own
/// fsync) run on their own thread, not inside the writer's commits.
fn configure_writer(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA wal_autocheckpoint = 0;")
}

/// Starts the checkpointer; it stops when the returned sender is dropped.
pub(super) fn start_checkpointer(conn: Connection) -> Result<mpsc::Sender<()>, String> {
    let (checkpointer, stop) = mpsc::channel();
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || run_checkpointer(conn, stop))
        .map_err(|e| format!("cannot start the checkpointer: {e}"))?;
    Ok(checkpointer)
}

/// A PASSIVE checkpoint every `CHECKPOINT_INTERVAL`: it copies what it can
/// without waiting for (or blocking) the writer or readers, and the WAL
/// starts over once it is all copied.
fn run_checkpointer(conn: Connection, stop: mpsc::Receiver<()>) {
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_INTERVAL) {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "WAL checkpoint failed (retried)");
        }
    }
}

/// Why a writer loop ended.
enum Stopped {
    /// Every sender is gone: the store was dropped.
    Closed,
    /// A batch failed in a way that may be the connection's: it is replaced.
    ConnectionFailed,
}

/// The writer's supervisor: the loop runs again after it dies (a panic
/// outside a batch's own guard) or its connection fails, on a new
/// connection, so one failure does not fail every later write until the
/// process restarts. The failed batch's requesters were answered an error
/// (their replies dropped, or failed); writes waiting in the channel stay
/// queued for the new loop.
fn supervise(mut target: ThreadConn, path: Option<String>, rx: mpsc::Receiver<Queued>) {
    loop {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_writer(&target, path.as_deref(), &rx))) {
            Ok(Stopped::Closed) => return,
            Ok(Stopped::ConnectionFailed) => tracing::error!("the database writer's connection failed; it is replaced"),
            Err(_) => tracing::error!("the database writer died (a panic); it is restarted on a new connection"),
        }
        let Some(path) = &path else {
            // In memory the one connection is the database: keep it, without a transaction left open.
            let _ = target.with(|conn| {
                let _ = conn.execute_batch("ROLLBACK");
                Ok(())
            });
            continue;
        };
        // The old connection closes first (rolling back what it had open).
        drop(target);
        match reopen(path, &rx) {
            Some(conn) => target = ThreadConn::Own(conn),
            None => return,
        }
    }
}

/// A new connection for the writer. While none can be opened, writes that
/// arrive are answered an error at once (none waits for a recovery that may
/// not come); None when the store was dropped meanwhile.
fn reopen(path: &str, rx: &mpsc::Receiver<Queued>) -> Option<Connection> {
    loop {
        match super::open_connection(path).and_then(|conn| configure_writer(&conn).map(|()| conn)) {
            Ok(conn) => return Some(conn),
            Err(e) => tracing::error!(error = %e, "cannot reopen the database writer's connection (retried)"),
        }
        let until = std::time::Instant::now() + REOPEN_INTERVAL;
        while let Some(wait) = until.checked_duration_since(std::time::Instant::now()) {
            match rx.recv_timeout(wait) {
                Ok(w) => w.fail("the database writer is reconnecting"),
                Err(mpsc::RecvTimeoutError::Timeout) => break,
                Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            }
        }
    }
}

/// How often the writer tries to reopen a connection that failed.
const REOPEN_INTERVAL: Duration = Duration::from_millis(200);

fn run_writer(target: &ThreadConn, path: Option<&str>, rx: &mpsc::Receiver<Queued>) -> Stopped {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = rx.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(w) => batch.push(w),
                Err(_) => break,
            }
        }
        let writes = batch.drain(..);
        let mut healthy = true;
        let _ = target.with(|conn| {
            #[cfg(debug_assertions)]
            super::writer_faults::before_batch(path, conn);
            healthy = guarded_batch(conn, writes);
            Ok(())
        });
        if !healthy {
            return Stopped::ConnectionFailed;
        }
    }
    let _ = path;
    Stopped::Closed
}

/// A panic inside a batch: its requesters see their replies dropped (an
/// error), and the writer goes on on a new connection (the open transaction
/// is rolled back with the old one). False when the connection is suspect.
fn guarded_batch(conn: &Connection, writes: impl Iterator<Item = Queued>) -> bool {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write_batch(conn, writes))) {
        Ok(healthy) => healthy,
        Err(_) => {
            tracing::error!("the database writer recovered from a panic; its batch was not committed");
            let _ = conn.execute_batch("ROLLBACK");
            false
        }
    }
}

/// Runs one statement through the connection's statement cache.
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

/// One transaction for the batch; each write in its own savepoint, so a
/// refused write (job not open, credential exists) leaves no trace and does
/// not undo the others. Answers go out after COMMIT; if the batch fails,
/// every write of it answers an error. False when the batch failed as a
/// whole or a write failed other than by its own refusal (a database error):
/// the connection is then replaced.
fn write_batch(conn: &Connection, mut writes: impl Iterator<Item = Queued>) -> bool {
    let mut done: Vec<Answered> = Vec::with_capacity(MAX_BATCH);
    let mut healthy = true;
    let failure = match run_all(conn, &mut writes, &mut done, &mut healthy) {
        Ok(()) => match exec(conn, "COMMIT") {
            Ok(_) => {
                done.into_iter().for_each(Answered::send);
                return healthy;
            }
            Err(e) => format!("the batch was not committed: {e}"),
        },
        Err(message) => message,
    };
    let _ = conn.execute_batch("ROLLBACK");
    done.into_iter().for_each(|d| d.fail(&failure));
    writes.for_each(|w| w.fail(&failure));
    false
}

/// BEGIN, then each write in its savepoint; stops at the first statement
/// that is not a write's own refusal (the batch then fails as a whole). A
/// write that failed with a database error is answered as unavailable
/// (`StoreError::Unavailable`), and clears `healthy`.
fn run_all(
    conn: &Connection,
    writes: &mut impl Iterator<Item = Queued>,
    done: &mut Vec<Answered>,
    healthy: &mut bool,
) -> Result<(), String> {
    exec(conn, "BEGIN IMMEDIATE").map_err(|e| format!("cannot begin a transaction: {e}"))?;
    for w in writes {
        if let Err(e) = exec(conn, "SAVEPOINT w") {
            w.fail(&format!("the batch failed: {e}"));
            return Err(format!("the batch failed: {e}"));
        }
        let result = match &w.write {
            BindingWrite::OpenLink { job_id } => open_link_on(conn, job_id, w.now),
            BindingWrite::CompleteBinding { credential } => complete_binding_on(conn, credential, w.now),
        };
        let result = result.map_err(|e| match e {
            StoreError::Database(e) => {
                *healthy = false;
                StoreError::Unavailable(format!("the write failed: {e}"))
            }
            refusal => refusal,
        });
        let end = if result.is_ok() { exec(conn, "RELEASE w") } else { exec(conn, "ROLLBACK TO w").and_then(|_| exec(conn, "RELEASE w")) };
        done.push(w.answered(result));
        end.map_err(|e| format!("the batch failed: {e}"))?;
    }
    Ok(())
}

/// `:invokeAuthenticator`'s write (or the link's GET): the job `LINK_OPENED`
/// if still open, and its event (by the link's holder) when that changed it.
fn open_link_on(conn: &Connection, job_id: &str, now: i64) -> StoreResult<()> {
    let Some((before, scope)) = events::job_before(conn, job_id)? else { return Ok(()) };
    if conn.prepare_cached(SET_JOB_STATE_SQL)?.execute((JobState::LinkOpened.as_str(), now, job_id))? == 1 {
        events::record_job_change(conn, job_id, &scope, &Actor::Link, now, before, JobState::LinkOpened)?;
    }
    Ok(())
}

/// `:bindCredential`'s write. The job's row is the lock that serialises
/// concurrent completions: only one finds it open.
/// Its two events (job COMPLETE, credential ACTIVE, by the link's holder) are
/// in the same savepoint: a refused binding leaves none.
fn complete_binding_on(conn: &Connection, c: &Credential, now: i64) -> StoreResult<()> {
    let Some((before, scope)) = events::job_before(conn, &c.job_id)? else { return Err(StoreError::JobNotOpen) };
    if conn.prepare_cached(COMPLETE_JOB_SQL)?.execute((now, &c.ceremony_id, &c.id, &c.job_id))? != 1 {
        return Err(StoreError::JobNotOpen);
    }
    conn.prepare_cached(INSERT_CREDENTIAL_SQL)?
        .execute(rusqlite::params![
            &c.id,
            &c.tenant_id,
            &c.realm_id,
            &c.identity_id,
            &c.job_id,
            &c.ceremony_id,
            &c.credential_id,
            &c.public_key,
            c.alg,
            c.sign_count,
            &c.aaguid,
            &c.attestation_format,
            super::rows::to_json(&c.transports),
            &c.attachment,
            c.backup_eligible,
            c.backed_up,
            c.state.as_str(),
            c.create_time,
            &c.attestation_type,
            c.attestation_trust.as_str(),
            super::super::policy::trust_path_to_json(&c.trust_path),
            &c.authenticator_name,
        ])
        .map_err(|e| if is_unique_violation(&e) { StoreError::CredentialExists } else { e.into() })?;
    events::record_job_change(conn, &c.job_id, &scope, &Actor::Link, now, before, JobState::Complete)?;
    events::record(conn, &Event::credential(&scope, &c.id, &Actor::Link, now, None, c.state.as_str()))
}
