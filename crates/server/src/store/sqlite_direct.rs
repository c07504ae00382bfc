//! The binding path on a SQLite file, on rusqlite connections driven
//! directly.
//!
//! sqlx-sqlite runs each statement on its connection's worker thread and
//! wakes the caller afterwards. Under load, those thread hops were about half
//! of the service's CPU: perf showed 45 % in the scheduler (bench/RESULTS.md).
//! Here the browser calls' reads run on the calling thread, because a point
//! read of hot pages takes microseconds. Their writes go to one writer thread,
//! which commits every write waiting at that moment in one transaction
//! (group commit: one fsync per batch, with `synchronous = FULL`). Each
//! request is answered only after its COMMIT has returned.
//!
//! Admin operations keep the sqlx pool on the same file. In WAL mode readers
//! never wait for a writer, and writers wait for each other's lock through
//! `busy_timeout`.

use super::group_commit::{self, Answered, BindingWrite, Queued, MAX_BATCH};
use super::shared::{row_mappers, COMPLETE_JOB_SQL, IDENTITY_CREDENTIALS_SQL, INSERT_CREDENTIAL_SQL, SET_JOB_STATE_SQL};
use super::*;
use rusqlite::types::FromSql;
use rusqlite::{Connection, OpenFlags, Row, RowIndex};
use std::sync::{mpsc, Mutex, PoisonError};
use std::time::Duration;

/// Reader connections kept open between requests (more are opened while
/// more requests read at once, and closed afterwards).
const MAX_IDLE_READERS: usize = 8;

/// sqlx's `try_get` on rusqlite rows, so the shared row mappers apply.
trait TryGet {
    fn try_get<T: FromSql, I: RowIndex>(&self, index: I) -> rusqlite::Result<T>;
}

impl TryGet for Row<'_> {
    fn try_get<T: FromSql, I: RowIndex>(&self, index: I) -> rusqlite::Result<T> {
        self.get(index)
    }
}

row_mappers!(row: Row<'_>, error: rusqlite::Error);

pub(super) struct DirectSqlite {
    path: String,
    readers: Mutex<Vec<Connection>>,
    writer: mpsc::Sender<Queued>,
    /// Dropped with the store, which stops the checkpointer thread.
    _checkpointer: mpsc::Sender<()>,
}

/// How often the checkpointer copies committed WAL frames into the database.
const CHECKPOINT_INTERVAL: Duration = Duration::from_millis(250);

fn open_connection(path: &str) -> rusqlite::Result<Connection> {
    // NO_MUTEX: each connection is used by one thread at a time (the pool's lock or the writer thread).
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // As durable as the sqlx connections: WAL (set on the file), every commit synced.
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA mmap_size = 268435456;")?;
    Ok(conn)
}

/// Runs one statement through the connection's statement cache.
fn exec(conn: &Connection, sql: &str) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute([])
}

fn is_unique_violation(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == SQLITE_CONSTRAINT_UNIQUE || f.extended_code == SQLITE_CONSTRAINT_PRIMARYKEY)
}

fn open_link_on(conn: &Connection, job_id: &str, now: i64) -> StoreResult<()> {
    conn.prepare_cached(SET_JOB_STATE_SQL)?.execute(("LINK_OPENED", now, job_id))?;
    Ok(())
}

fn complete_binding_on(conn: &Connection, c: &Credential, now: i64) -> StoreResult<()> {
    if conn.prepare_cached(COMPLETE_JOB_SQL)?.execute((now, &c.ceremony_id, &c.id, &c.job_id))? != 1 {
        return Err(StoreError::JobNotOpen);
    }
    let transports = shared::to_json(&c.transports);
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
            transports,
            &c.attachment,
            c.backup_eligible,
            c.backed_up,
            &c.state,
            c.create_time,
        ])
        .map_err(|e| if is_unique_violation(&e) { StoreError::CredentialExists } else { StoreError::Sqlite(e) })?;
    Ok(())
}

fn run_writer(conn: Connection, rx: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    // Ends when the store is dropped (every sender gone).
    while let Ok(first) = rx.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(w) => batch.push(w),
                Err(_) => break,
            }
        }
        // A panic must not end the thread (every later write would fail):
        // its batch's requesters see their reply dropped (an error), the
        // open transaction is rolled back, and the writer goes on.
        let writes = batch.drain(..);
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write_batch(&conn, writes))).is_err() {
            tracing::error!("the database writer recovered from a panic; its batch was not committed");
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
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
        let answer = run(conn, w);
        let end = if answer.is_ok() { exec(conn, "RELEASE w") } else { exec(conn, "ROLLBACK TO w").and_then(|_| exec(conn, "RELEASE w")) };
        done.push(answer);
        end.map_err(|e| format!("the batch failed: {e}"))?;
    }
    Ok(())
}

/// A PASSIVE checkpoint every `CHECKPOINT_INTERVAL`, until the store is
/// dropped: it copies what it can without waiting for (or blocking) the
/// writer or readers, and the WAL starts over once it is all copied.
fn run_checkpointer(conn: Connection, stop: mpsc::Receiver<()>) {
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_INTERVAL) {
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "WAL checkpoint failed (retried)");
        }
    }
}

/// Runs a write (inside the caller's savepoint).
fn run(conn: &Connection, w: Queued) -> Answered {
    let result = match &w.write {
        BindingWrite::OpenLink { job_id } => open_link_on(conn, job_id, w.now),
        BindingWrite::CompleteBinding { credential } => complete_binding_on(conn, credential, w.now),
    };
    w.answered(result)
}

impl DirectSqlite {
    /// Opens the writer's connection and starts its thread. The file must
    /// exist and be migrated (the sqlx pool does both first).
    pub(super) fn open(path: &str) -> Result<Self, String> {
        let open = |what| open_connection(path).map_err(|e| format!("cannot open {path:?} for the {what}: {e}"));
        let conn = open("writer")?;
        // Checkpoints (copying the WAL into the database file, with its own
        // fsync) run on their own thread, not inside the writer's commits.
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0;").map_err(|e| format!("cannot configure the writer: {e}"))?;
        let checkpoint_conn = open("checkpointer")?;
        let (writer, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || run_writer(conn, rx))
            .map_err(|e| format!("cannot start the database writer: {e}"))?;
        let (checkpointer, stop) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(move || run_checkpointer(checkpoint_conn, stop))
            .map_err(|e| format!("cannot start the checkpointer: {e}"))?;
        Ok(DirectSqlite { path: path.to_owned(), readers: Mutex::new(Vec::new()), writer, _checkpointer: checkpointer })
    }

    /// Runs `f` on an idle reader connection (or a new one), on this thread.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let conn = match idle {
            Some(conn) => conn,
            None => open_connection(&self.path)?,
        };
        let result = f(&conn);
        let mut idle = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }

    pub(super) fn load_binding_context(
        &self,
        tenant_id: &str,
        realm_id: &str,
        identity_id: &str,
        job_id: &str,
    ) -> StoreResult<Option<BindingContext>> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(BINDING_CONTEXT_SQL)?;
            let mut rows = stmt.query((job_id, tenant_id, realm_id, identity_id))?;
            Ok(match rows.next()? {
                Some(r) => Some(binding_context_from_row!(r)),
                None => None,
            })
        })
    }

    /// The identity's passkeys are read by a reader first: the single writer
    /// (which every binding waits for) then only writes.
    pub(super) async fn start_ceremony(&self, job_id: &str, identity_id: &str, open_link: bool, now: i64) -> StoreResult<Vec<Credential>> {
        let credentials = self.read(|conn| {
            let mut stmt = conn.prepare_cached(IDENTITY_CREDENTIALS_SQL)?;
            let credentials = stmt.query_map([identity_id], credential_from_row)?.collect::<Result<_, _>>()?;
            Ok(credentials)
        })?;
        if open_link {
            self.write(BindingWrite::OpenLink { job_id: job_id.to_owned() }, now).await?;
        }
        Ok(credentials)
    }

    pub(super) async fn complete_binding(&self, c: &Credential, now: i64) -> StoreResult<()> {
        self.write(BindingWrite::CompleteBinding { credential: Box::new(c.clone()) }, now).await
    }

    /// Hands a write to the writer thread; answers after its batch committed.
    async fn write(&self, write: BindingWrite, now: i64) -> StoreResult<()> {
        let (queued, answer) = Queued::new(write, now);
        self.writer.send(queued).map_err(|_| group_commit::writer_gone())?;
        group_commit::answer(answer).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared statements are bound by position here: that is right only
    /// if SQLite numbers their `$n` parameters as n, i.e. they appear in order.
    #[test]
    fn shared_statements_number_their_parameters_in_order() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!("../../migrations/0001_initial.sql")).unwrap();
        conn.execute_batch(include_str!("../../migrations/0003_production.sql")).unwrap();
        conn.execute_batch(include_str!("../../migrations/0004_sealed_ceremonies.sql")).unwrap();
        for sql in [BINDING_CONTEXT_SQL, COMPLETE_JOB_SQL, IDENTITY_CREDENTIALS_SQL, INSERT_CREDENTIAL_SQL, SET_JOB_STATE_SQL] {
            let stmt = conn.prepare(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
            for i in 1..=stmt.parameter_count() {
                assert_eq!(stmt.parameter_name(i), Some(format!("${i}").as_str()), "{sql}");
            }
        }
    }
}
