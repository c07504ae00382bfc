//! The SQLite backend, on rusqlite alone (the embedded default).
//!
//! - Reads run on the calling thread, from a small pool of connections
//!   (`Connections`): a point read of hot pages takes microseconds and WAL
//!   readers never wait for the writer. (sqlx-sqlite ran each statement on a
//!   worker thread of its connection; under load those thread hops were half
//!   of the service's CPU, bench/RESULTS.md.)
//! - The binding path's writes go to one writer thread that group-commits
//!   them (`writer.rs`): one fsync per batch, each answered after its COMMIT.
//! - Admin calls run on a few admin threads with their own connections
//!   (`workers.rs`): their writes may wait for the writer's lock
//!   (`busy_timeout`), which must not hold up the async runtime.
//! - Checkpoints run on their own thread (`writer.rs`).
//!
//! An in-memory database exists once per connection, so there the one
//! connection serves readers, admin calls and the writer in turn.

mod admin;
mod binding;
mod branding;
mod events;
mod migrate;
mod records;
mod rows;
mod sessions;
mod webhooks;
mod workers;
mod writer;
#[cfg(debug_assertions)]
mod writer_faults;

#[cfg(debug_assertions)]
pub use writer_faults::{inject_writer_fault, WriterFault};

use super::group_commit::{self, BindingWrite, Queued};
use super::{StoreError, StoreResult};
use rusqlite::{Connection, OpenFlags};
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use std::time::Duration;

/// Idle connections kept open between requests (more are opened while more
/// requests read at once, and closed afterwards).
const MAX_IDLE: usize = 8;

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        match &e {
            // The disk is full: nothing was written (SQLite rolled back) and a retry may
            // succeed once space returns (503 `unavailable`).
            rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull => StoreError::Unavailable(e.to_string()),
            _ => StoreError::database(e),
        }
    }
}

fn is_constraint(e: &rusqlite::Error, codes: &[std::ffi::c_int]) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if codes.contains(&f.extended_code))
}

/// A UNIQUE or PRIMARY KEY rule broken.
fn is_unique_violation(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi::{SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE};
    is_constraint(e, &[SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY])
}

fn is_foreign_key_violation(e: &rusqlite::Error) -> bool {
    is_constraint(e, &[rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY])
}

/// Where connections come from.
enum Connections {
    /// A file: connections opened on demand, up to `MAX_IDLE` kept.
    File { path: String, idle: Mutex<Vec<Connection>> },
    /// In memory: the one connection that sees the database.
    Memory(Mutex<Connection>),
}

fn open_connection(path: &str) -> rusqlite::Result<Connection> {
    // NO_MUTEX: each connection is used by one thread at a time (the pool's lock or the writer thread).
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    configure(&conn)?;
    Ok(conn)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    // Writers wait for each other's lock; every commit is synced (WAL is set on the file once).
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA mmap_size = 268435456;")
}

impl Connections {
    /// Runs `f` on an idle connection (or a new one), on this thread.
    fn with<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        match self {
            Connections::Memory(conn) => f(&conn.lock().unwrap_or_else(PoisonError::into_inner)),
            Connections::File { path, idle } => {
                let conn = match idle.lock().unwrap_or_else(PoisonError::into_inner).pop() {
                    Some(conn) => conn,
                    None => open_connection(path)?,
                };
                let result = f(&conn);
                let mut idle = idle.lock().unwrap_or_else(PoisonError::into_inner);
                if idle.len() < MAX_IDLE {
                    idle.push(conn);
                }
                result
            }
        }
    }
}

/// A dedicated thread's connection: its own (a file), or the in-memory
/// database's only one, taken per use.
enum ThreadConn {
    Own(Connection),
    Shared(Arc<Connections>),
}

impl ThreadConn {
    fn with(&self, f: impl FnOnce(&Connection) -> StoreResult<()>) -> StoreResult<()> {
        match self {
            ThreadConn::Own(conn) => f(conn),
            ThreadConn::Shared(conns) => conns.with(f),
        }
    }
}

pub struct SqliteStore {
    /// The binding path's readers.
    conns: Arc<Connections>,
    writer: mpsc::Sender<Queued>,
    admin: workers::Workers,
    /// Dropped with the store, which stops the checkpointer thread.
    _checkpointer: Option<mpsc::Sender<()>>,
}

/// What a `sqlite:` URL names: a file path, or None for an in-memory database.
fn file_path(url: &str) -> Option<String> {
    if url.contains(":memory:") || url.contains("mode=memory") {
        return None;
    }
    // sqlite://data/passbind.db?mode=rwc → data/passbind.db
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    Some(path.split('?').next().unwrap_or(path).to_owned())
}

impl SqliteStore {
    /// Opens (creating when missing) and migrates the database, and starts
    /// the writer (and, for a file, the checkpointer) thread.
    pub async fn open(url: &str) -> Result<Self, String> {
        let url = url.to_owned();
        tokio::task::spawn_blocking(move || Self::open_blocking(&url)).await.map_err(|e| format!("cannot open the database: {e}"))?
    }

    fn open_blocking(url: &str) -> Result<Self, String> {
        let Some(path) = file_path(url) else {
            let mut conn = Connection::open_in_memory().map_err(|e| format!("cannot open {url:?}: {e}"))?;
            configure(&conn).map_err(|e| format!("cannot open {url:?}: {e}"))?;
            migrate::run(&mut conn)?;
            let conns = Arc::new(Connections::Memory(Mutex::new(conn)));
            let writer = writer::start(ThreadConn::Shared(conns.clone()), None)?;
            let admin = workers::Workers::start((0..workers::THREADS).map(|_| ThreadConn::Shared(conns.clone())).collect())?;
            return Ok(SqliteStore { conns, writer, admin, _checkpointer: None });
        };
        // Create data/ first: SQLite creates only the file.
        if let Some(dir) = std::path::Path::new(&path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
        }
        let open = |what: &str| open_connection(&path).map_err(|e| format!("cannot open {url:?} for the {what}: {e}"));
        let mut conn = open("writer")?;
        let mode: String =
            conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(|e| format!("cannot set WAL on {url:?}: {e}"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(format!("{url:?} cannot use WAL (journal mode {mode})"));
        }
        migrate::run(&mut conn)?;
        let checkpointer = writer::start_checkpointer(open("checkpointer")?)?;
        let writer = writer::start(ThreadConn::Own(conn), Some(path.clone()))?;
        let admin_conns = (0..workers::THREADS).map(|_| open("admin threads").map(ThreadConn::Own)).collect::<Result<_, _>>()?;
        let admin = workers::Workers::start(admin_conns)?;
        let conns = Arc::new(Connections::File { path, idle: Mutex::new(Vec::new()) });
        Ok(SqliteStore { conns, writer, admin, _checkpointer: Some(checkpointer) })
    }

    /// Runs `f` on a connection on this thread (reads of a few rows).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        self.conns.with(f)
    }

    /// Runs `f` on an admin thread (admin calls: writes that may wait for
    /// the writer's lock, lists).
    async fn on_admin_thread<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static) -> StoreResult<T> {
        self.admin.call(f).await
    }

    /// Hands a write to the writer thread; answers after its batch committed.
    async fn write(&self, write: BindingWrite, now: i64) -> StoreResult<()> {
        let (queued, answer) = Queued::new(write, now);
        self.writer.send(queued).map_err(|_| group_commit::writer_gone())?;
        group_commit::answer(answer).await
    }
}
