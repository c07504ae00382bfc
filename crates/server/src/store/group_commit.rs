//! What the two group-commit writers share (SQLite's writer thread in
//! `sqlite/writer.rs`, PostgreSQL's writer tasks in `postgres/`): the binding
//! writes they take, and the answers they hold until their batch commits.

use super::{Credential, StoreError, StoreResult};
use tokio::sync::oneshot;

/// At most this many writes share a commit.
pub(super) const MAX_BATCH: usize = 128;

/// The two writes of a binding.
pub(super) enum BindingWrite {
    /// `:invokeAuthenticator`: the job `LINK_OPENED` (if still open).
    OpenLink { job_id: String },
    /// `:bindCredential`: the job COMPLETE and the credential stored.
    CompleteBinding { credential: Box<Credential> },
}

/// A write waiting for a writer, with the requester's reply channel.
pub(super) struct Queued {
    pub write: BindingWrite,
    pub now: i64,
    reply: oneshot::Sender<StoreResult<()>>,
}

/// A write that ran, and its answer, held until the batch commits.
pub(super) struct Answered {
    reply: oneshot::Sender<StoreResult<()>>,
    result: StoreResult<()>,
}

impl Queued {
    /// A write to hand to a writer, and where its answer will come.
    pub fn new(write: BindingWrite, now: i64) -> (Self, oneshot::Receiver<StoreResult<()>>) {
        let (reply, answer) = oneshot::channel();
        (Queued { write, now, reply }, answer)
    }

    /// The job whose row the write locks first.
    pub fn job_id(&self) -> &str {
        match &self.write {
            BindingWrite::OpenLink { job_id } => job_id,
            BindingWrite::CompleteBinding { credential } => &credential.job_id,
        }
    }

    /// Its result, held until the batch commits.
    pub fn answered(self, result: StoreResult<()>) -> Answered {
        Answered { reply: self.reply, result }
    }

    /// Answers an error at once (the write never ran).
    pub fn fail(self, message: &str) {
        drop(self.reply.send(Err(StoreError::Unavailable(message.to_owned()))));
    }
}

impl Answered {
    /// The batch committed: the write's own result goes out. (A requester
    /// that went away, its client disconnected, just misses its answer.)
    pub fn send(self) {
        drop(self.reply.send(self.result));
    }

    /// The batch did not commit: an error goes out instead.
    pub fn fail(self, message: &str) {
        drop(self.reply.send(Err(StoreError::Unavailable(message.to_owned()))));
    }
}

pub(super) fn writer_gone() -> StoreError {
    StoreError::Unavailable("the database writer stopped".into())
}

/// Waits for the answer to a queued write.
pub(super) async fn answer(answer: oneshot::Receiver<StoreResult<()>>) -> StoreResult<()> {
    answer.await.map_err(|_| writer_gone())?
}
