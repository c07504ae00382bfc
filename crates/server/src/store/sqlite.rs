//! The SQLite implementation of `Store` (the embedded default).

use super::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{Connection, Row, SqliteConnection};
use std::str::FromStr;
use tokio::sync::{mpsc, oneshot};
use std::time::Duration;

pub struct SqliteStore {
    pool: SqlitePool,
    /// The group-commit writer of a file database (None in memory): the
    /// binding writes of all waiting requests share one transaction, so one
    /// fsync (synchronous = FULL) makes a whole batch durable.
    writer: Option<mpsc::Sender<Write>>,
}

/// A binding write for the group-commit writer; the answer is sent only
/// after the transaction holding it has committed.
enum Write {
    StartCeremony { ceremony: Ceremony, identity_id: String, open_link: bool, now: i64, reply: oneshot::Sender<StoreResult<Vec<Credential>>> },
    CompleteBinding { credential: Credential, now: i64, reply: oneshot::Sender<StoreResult<()>> },
}

/// At most this many writes share a commit.
const MAX_BATCH: usize = 128;

async fn run_writer(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Write>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(w) => batch.push(w),
                Err(_) => break,
            }
        }
        write_batch(&mut conn, std::mem::take(&mut batch)).await;
    }
}

enum Done {
    StartCeremony(oneshot::Sender<StoreResult<Vec<Credential>>>, StoreResult<Vec<Credential>>),
    CompleteBinding(oneshot::Sender<StoreResult<()>>, StoreResult<()>),
}

/// One transaction for the batch; each write in its own savepoint, so a
/// refused write (job not open, ceremony used, credential exists) leaves
/// no trace and does not undo the others. Answers go out after COMMIT; if
/// the commit fails, every write of the batch answers an error.
async fn write_batch(conn: &mut SqliteConnection, batch: Vec<Write>) {
    if let Err(e) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        let msg = e.to_string();
        for w in batch {
            let err = || StoreError::Db(sqlx::Error::Protocol(format!("cannot begin: {msg}")));
            match w {
                Write::StartCeremony { reply, .. } => drop(reply.send(Err(err()))),
                Write::CompleteBinding { reply, .. } => drop(reply.send(Err(err()))),
            }
        }
        return;
    }
    let mut done = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    for w in batch {
        if broken.is_none() {
            if let Err(e) = sqlx::query("SAVEPOINT w").execute(&mut *conn).await {
                broken = Some(e.to_string());
            }
        }
        if let Some(msg) = &broken {
            let err = StoreError::Db(sqlx::Error::Protocol(format!("batch failed: {msg}")));
            match w {
                Write::StartCeremony { reply, .. } => done.push(Done::StartCeremony(reply, Err(err))),
                Write::CompleteBinding { reply, .. } => done.push(Done::CompleteBinding(reply, Err(err))),
            }
            continue;
        }
        let ok = match w {
            Write::StartCeremony { ceremony, identity_id, open_link, now, reply } => {
                let r = start_ceremony_on(&mut *conn, &ceremony, &identity_id, open_link, now).await;
                let ok = r.is_ok();
                done.push(Done::StartCeremony(reply, r));
                ok
            }
            Write::CompleteBinding { credential, now, reply } => {
                let r = complete_binding_on(&mut *conn, &credential, now).await;
                let ok = r.is_ok();
                done.push(Done::CompleteBinding(reply, r));
                ok
            }
        };
        let end = if ok { "RELEASE w" } else { "ROLLBACK TO w; RELEASE w" };
        if let Err(e) = sqlx::raw_sql(end).execute(&mut *conn).await {
            broken = Some(e.to_string());
        }
    }
    let failed = match &broken {
        Some(msg) => Some(msg.clone()),
        None => sqlx::query("COMMIT").execute(&mut *conn).await.err().map(|e| e.to_string()),
    };
    if let Some(msg) = failed {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        let err = || StoreError::Db(sqlx::Error::Protocol(format!("batch not committed: {msg}")));
        for d in done {
            match d {
                Done::StartCeremony(reply, _) => drop(reply.send(Err(err()))),
                Done::CompleteBinding(reply, _) => drop(reply.send(Err(err()))),
            }
        }
        return;
    }
    for d in done {
        match d {
            Done::StartCeremony(reply, r) => drop(reply.send(r)),
            Done::CompleteBinding(reply, r) => drop(reply.send(r)),
        }
    }
}

fn writer_gone() -> StoreError {
    StoreError::Db(sqlx::Error::Protocol("the database writer stopped".into()))
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self, String> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| format!("bad database URL {url:?}: {e}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            // sqlite://data/passbind.db: create data/ first, SQLite creates only the file.
            let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
            }
        }
        // An in-memory database exists once per connection: keep exactly one.
        let max = if in_memory { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .connect_with(options.clone())
            .await
            .map_err(|e| format!("cannot open {url:?}: {e}"))?;
        MIGRATOR.run(&pool).await.map_err(|e| format!("migrations failed: {e}"))?;
        let writer = if in_memory {
            None
        } else {
            let conn = SqliteConnection::connect_with(&options).await.map_err(|e| format!("cannot open {url:?}: {e}"))?;
            let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
            tokio::spawn(run_writer(conn, rx));
            Some(tx)
        };
        Ok(SqliteStore { pool, writer })
    }
}

super::shared::store_backend! {
    store: SqliteStore,
    row: SqliteRow,
    conn: SqliteConnection,
    mark_used: "UPDATE ceremonies SET used = 1 WHERE id = $1 AND job_id = $2 AND used = 0",
    {
        async fn complete_binding(&self, c: &Credential, now: i64) -> StoreResult<()> {
            if let Some(writer) = &self.writer {
                let (reply, answer) = oneshot::channel();
                writer.send(Write::CompleteBinding { credential: c.clone(), now, reply }).await.map_err(|_| writer_gone())?;
                return answer.await.map_err(|_| writer_gone())?;
            }
            let mut tx = self.pool.begin().await?;
            complete_binding_on(&mut tx, c, now).await?;
            tx.commit().await?;
            Ok(())
        }

        async fn start_ceremony(&self, c: &Ceremony, identity_id: &str, open_link: bool, now: i64) -> StoreResult<Vec<Credential>> {
            if let Some(writer) = &self.writer {
                let (reply, answer) = oneshot::channel();
                let write = Write::StartCeremony { ceremony: c.clone(), identity_id: identity_id.to_owned(), open_link, now, reply };
                writer.send(write).await.map_err(|_| writer_gone())?;
                return answer.await.map_err(|_| writer_gone())?;
            }
            // One transaction, one commit; its first statement writes, so it takes the write lock up front.
            let mut tx = self.pool.begin().await?;
            let credentials = start_ceremony_on(&mut tx, c, identity_id, open_link, now).await?;
            tx.commit().await?;
            Ok(credentials)
        }
    }
}
