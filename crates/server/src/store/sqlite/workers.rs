//! The admin calls' threads: a fixed few, each with its own connection,
//! taking closures from one queue. Admin writes may wait for the group-commit
//! writer's lock (`busy_timeout`), so they must not run on the async runtime;
//! a fixed set (rather than tokio's elastic blocking pool) keeps the number of
//! threads and connections (each with its own page cache and file mapping)
//! the same under an admin burst, which measurably slowed the binding path
//! that followed it.

use super::super::{StoreError, StoreResult};
use super::ThreadConn;
use rusqlite::Connection;
use std::sync::{mpsc, Arc, Mutex, PoisonError};
use tokio::sync::oneshot;

/// Admin threads per store.
pub(super) const THREADS: usize = 4;

type Call = Box<dyn FnOnce(&Connection) + Send>;

pub(super) struct Workers {
    queue: mpsc::Sender<Call>,
}

impl Workers {
    /// Starts one thread per connection; they end when the store is dropped.
    pub(super) fn start(conns: Vec<ThreadConn>) -> Result<Self, String> {
        let (queue, rx) = mpsc::channel::<Call>();
        let rx = Arc::new(Mutex::new(rx));
        for (i, conn) in conns.into_iter().enumerate() {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name(format!("sqlite-admin-{i}"))
                .spawn(move || run(conn, &rx))
                .map_err(|e| format!("cannot start the database's admin threads: {e}"))?;
        }
        Ok(Workers { queue })
    }

    /// Runs `f` on an admin thread's connection; answers with its result.
    pub(super) async fn call<T: Send + 'static>(&self, f: impl FnOnce(&Connection) -> StoreResult<T> + Send + 'static) -> StoreResult<T> {
        let (reply, answer) = oneshot::channel();
        let call: Call = Box::new(move |conn| drop(reply.send(f(conn))));
        self.queue.send(call).map_err(|_| StoreError::Failed("the database's admin threads stopped".into()))?;
        answer.await.map_err(|_| StoreError::Failed("the database call failed".into()))?
    }
}

fn run(conn: ThreadConn, rx: &Mutex<mpsc::Receiver<Call>>) {
    loop {
        let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(call) = next else { return };
        // A panic must not end the thread: its caller sees its reply dropped (an error).
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            conn.with(|c| {
                call(c);
                Ok(())
            })
        }));
        if ran.is_err() {
            tracing::error!("a database admin call panicked");
        }
    }
}
