//! Store errors: what a caller can act on, decided once from sqlx's error.

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The row the operation needs does not exist.
    #[error("not found")]
    NotFound,
    /// The operation conflicts with what is stored (a unique value taken, an idempotency key
    /// reused with another request, an illegal status change).
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The database cannot be reached or is shutting down; retrying later may work.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Anything else from the database.
    #[error("database error: {0}")]
    Backend(String),
}

/// The kinds of conflict a caller tells apart.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    #[error("the idempotency key was used with a different request")]
    IdempotencyKeyReused,
    #[error("{0} is already taken")]
    Duplicate(&'static str),
    #[error(transparent)]
    IllegalTransition(#[from] kefu_domain::IllegalTransition),
    /// The first request with this idempotency key has not finished yet.
    #[error("the first request with this idempotency key is still running")]
    IdempotencyKeyInProgress,
    /// The ticket is closed; a new one must be opened.
    #[error("the ticket is closed; open a new one")]
    TicketClosed,
    /// The agent named is deactivated.
    #[error("the agent is deactivated")]
    AgentDeactivated,
    /// The operation needs an escalated ticket.
    #[error("the ticket is not escalated")]
    NotEscalated,
    /// The article has no such version.
    #[error("no such version")]
    VersionNotFound,
    /// The survey was answered already (its token is single-use).
    #[error("the survey was answered already")]
    SurveyAnswered,
    /// The review is closed; it changes no more.
    #[error("the review is closed")]
    ReviewClosed,
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::RowNotFound => Self::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Self::Unavailable(e.to_string())
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                Self::Conflict(Conflict::Duplicate("a unique value"))
            }
            other => Self::Backend(other.to_string()),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Backend(e.to_string())
    }
}

impl From<Conflict> for StoreError {
    fn from(c: Conflict) -> Self {
        Self::Conflict(c)
    }
}

impl From<kefu_domain::IllegalTransition> for StoreError {
    fn from(e: kefu_domain::IllegalTransition) -> Self {
        Self::Conflict(Conflict::IllegalTransition(e))
    }
}
