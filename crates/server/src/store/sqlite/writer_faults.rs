//! Faults the tests inject into the SQLite writer thread (debug builds only:
//! none of this exists in a release build). A test names the database and
//! the fault; the writer of that database takes it before its next batch.
//! Keyed by the database file, so tests running side by side in one process
//! (each on its own file) do not disturb each other.

use rusqlite::Connection;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// What the writer's next batch meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriterFault {
    /// The writer thread panics with the batch in hand (outside the batch's
    /// own panic guard): the thread's loop dies, as from a bug.
    Panic,
    /// Its connection stops taking writes (`PRAGMA query_only`), as a
    /// connection that failed would: every write of the batch fails.
    BreakConnection,
}

static FAULTS: Mutex<Option<HashMap<String, WriterFault>>> = Mutex::new(None);

/// Arms `fault` for the writer of the SQLite database at `database_url`
/// (a file): its next batch meets it, once.
pub fn inject_writer_fault(database_url: &str, fault: WriterFault) {
    let path = super::file_path(database_url).expect("a SQLite file's URL");
    FAULTS.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert_with(HashMap::new).insert(path, fault);
}

/// Called by the writer before each batch.
pub(super) fn before_batch(path: Option<&str>, conn: &Connection) {
    let Some(path) = path else { return };
    let fault = FAULTS.lock().unwrap_or_else(PoisonError::into_inner).as_mut().and_then(|f| f.remove(path));
    match fault {
        Some(WriterFault::Panic) => panic!("injected fault: the database writer dies"),
        Some(WriterFault::BreakConnection) => conn.execute_batch("PRAGMA query_only = ON;").expect("query_only"),
        None => {}
    }
}
