//! The store's one error type. Driver errors (rusqlite's, sqlx's) are turned
//! into `Database` inside each backend module, so nothing outside `store/`
//! names a driver.

/// A boxed driver error, kept as the source of `StoreError::Database`.
pub type DriverError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. a username taken in the realm), or
    /// a row is still referred to (a config that jobs use).
    #[error("conflict")]
    Conflict,
    /// The job is no longer open (completed, revoked or expired meanwhile).
    #[error("job not open")]
    JobNotOpen,
    /// The credential ID is already registered.
    #[error("credential already registered")]
    CredentialExists,
    /// The database failed (the driver's error is the source).
    #[error("database: {0}")]
    Database(#[source] DriverError),
    /// A group-commit write that could not be done or committed, with the reason.
    #[error("database: {0}")]
    Failed(String),
    /// A write the database could not take at the moment (its writer failed
    /// or is restarting, the batch did not commit): nothing was written and a
    /// retry may succeed (503 `unavailable`).
    #[error("database unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    pub(super) fn database(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        StoreError::Database(Box::new(e))
    }
}

/// A stored enum spelling that none of ours matches (a row written by
/// something else): a database failure, not a caller's mistake.
impl From<super::types::UnknownValue> for StoreError {
    fn from(e: super::types::UnknownValue) -> Self {
        StoreError::database(e)
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
