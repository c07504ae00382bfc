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
/// batch); it ends when the store (every sender) is dropped.
pub(super) fn start(target: ThreadConn) -> Result<mpsc::Sender<Queued>, String> {
    if let ThreadConn::Own(conn) = &target {
        // Checkpoints (copying the WAL into the database file, with its own
        // fsync) run on their own thread, not inside the writer's commits.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;").map_err(|e| format!("cannot configure the writer: {e}"))?;
    }
    let (writer, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("sqlite-writer".into())
        .spawn(move || run_writer(target, rx))
        .map_err(|e| format!("cannot start the database writer: {e}"))?;
    Ok(writer)
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

fn run_writer(target: ThreadConn, rx: mpsc::Receiver<Queued>) {
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
        let _ = target.with(|conn| {
            guarded_batch(conn, writes);
            Ok(())
        });
    }
}

/// A panic must not end the thread (every later write would fail): its
/// batch's requesters see their reply dropped (an error), the open
/// transaction is rolled back, and the writer goes on.
fn guarded_batch(conn: &Connection, writes: impl Iterator<Item = Queued>) {
    if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write_batch(conn, writes))).is_err() {
        tracing::error!("the database writer recovered from a panic; its batch was not committed");
        let _ = conn.execute_batch("ROLLBACK");
    }
}

/// Runs one statement through the connection's statement cache.
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

/// One transaction for the batch; each write in its own savepoint, so a
/// refused write (job not open, credential exists) leaves no trace and does
/// not undo the others. Answers go out after COMMIT; if the batch fails,
/// every write of it answers an error.
fn write_batch(conn: &Connection, mut writes: impl Iterator<Item = Queued>) {
    let mut done: Vec<Answered> = Vec::with_capacity(MAX_BATCH);
    let failure = match run_all(conn, &mut writes, &mut done) {
        Ok(()) => match exec(conn, "COMMIT") {
            Ok(_) => return done.into_iter().for_each(Answered::send),
            Err(e) => format!("the batch was not committed: {e}"),
        },
        Err(message) => message,
    };
    let _ = conn.execute_batch("ROLLBACK");
    done.into_iter().for_each(|d| d.fail(&failure));
    writes.for_each(|w| w.fail(&failure));
}

/// BEGIN, then each write in its savepoint; stops at the first statement
/// that is not a write's own refusal (the batch then fails as a whole).
fn run_all(conn: &Connection, writes: &mut impl Iterator<Item = Queued>, done: &mut Vec<Answered>) -> Result<(), String> {
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
