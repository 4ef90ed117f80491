//! kefu's persistence: one [`Store`] trait, spoken in domain types, with a SQLite backend
//! (the default: one embedded file, group-committed writes) and a PostgreSQL backend (many
//! stateless nodes). Each method is one whole step in one transaction: a ticket change and
//! its event-log row are written together or not at all.

mod decode;
mod error;
mod inputs;
mod migrate;
mod ops;
mod postgres;
pub(crate) mod sqlite;
pub mod testing;

use async_trait::async_trait;
use kefu_domain::{
    Agent, AgentId, Category, Customer, Message, SlaPolicy, Team, Ticket, TicketEvent, TicketId,
    TicketNumber, TicketStatus,
};
use std::sync::Arc;

pub use error::{Conflict, StoreError};
pub use inputs::*;
pub use migrate::MIGRATION_NAMES;
pub use sqlite::database_file;

/// The result type of every store method.
pub type StoreResult<T> = Result<T, StoreError>;

/// Everything kefu keeps. Implemented by the SQLite and PostgreSQL backends; the server holds
/// an `Arc<dyn Store>`.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Which backend this is (`sqlite` or `postgres`), for logs and metrics.
    fn backend(&self) -> &'static str;
    /// A cheap round trip proving the database answers.
    async fn ping(&self) -> StoreResult<()>;

    // --- tickets ---------------------------------------------------------------------------

    /// Opens a ticket: customer (created or updated), ticket with a fresh unique number, first
    /// message, `opened` event and the idempotency record, in one transaction. A repeated
    /// idempotency key with the same fingerprint returns the first ticket (`replayed`).
    async fn open_ticket(&self, new: NewTicket) -> StoreResult<OpenedTicket>;
    async fn ticket_by_number(&self, number: &TicketNumber) -> StoreResult<Option<Ticket>>;
    async fn ticket(&self, id: TicketId) -> StoreResult<Ticket>;
    /// One page of tickets matching the filter, newest or most urgent first.
    async fn list_tickets(&self, filter: &TicketFilter) -> StoreResult<Vec<Ticket>>;
    /// Adds a message, with its event, and applies the status change it implies, if any.
    async fn add_message(&self, new: NewMessage) -> StoreResult<Message>;
    async fn messages(&self, ticket: TicketId, include_internal: bool)
    -> StoreResult<Vec<Message>>;
    async fn events(&self, ticket: TicketId) -> StoreResult<Vec<TicketEvent>>;
    /// Moves a ticket through the status machine (rejecting illegal moves) with its event.
    async fn change_status(&self, change: StatusChange) -> StoreResult<Ticket>;
    /// Gives a ticket to an agent (status `assigned`), with the reason in the event log.
    async fn assign_ticket(&self, assignment: Assignment) -> StoreResult<Ticket>;
    /// Changes category and/or priority, one event per changed field.
    async fn update_ticket(&self, patch: TicketPatch) -> StoreResult<Ticket>;
    /// Ticket counts per status (for metrics).
    async fn count_by_status(&self) -> StoreResult<Vec<(TicketStatus, i64)>>;

    // --- customers -------------------------------------------------------------------------

    async fn customer(&self, id: kefu_domain::CustomerId) -> StoreResult<Customer>;
    async fn find_customer(&self, key: &CustomerLookup) -> StoreResult<Option<Customer>>;

    // --- staff, teams, catalogue -----------------------------------------------------------

    async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent>;
    async fn agent(&self, id: AgentId) -> StoreResult<Agent>;
    /// The agent and their password hash, by e-mail (case-insensitive).
    async fn agent_login(&self, email: &str) -> StoreResult<Option<(Agent, Option<String>)>>;
    async fn list_agents(&self) -> StoreResult<Vec<Agent>>;
    async fn update_agent(&self, patch: AgentPatch) -> StoreResult<Agent>;
    async fn create_team(&self, new: NewTeam) -> StoreResult<Team>;
    async fn list_teams(&self) -> StoreResult<Vec<Team>>;
    async fn upsert_category(&self, category: Category) -> StoreResult<Category>;
    async fn list_categories(&self) -> StoreResult<Vec<Category>>;
    async fn upsert_sla_policy(&self, policy: SlaPolicy) -> StoreResult<()>;
    async fn list_sla_policies(&self) -> StoreResult<Vec<SlaPolicy>>;

    // --- credentials (sessions and API keys) ----------------------------------------------

    async fn create_credential(&self, new: NewCredential) -> StoreResult<Credential>;
    /// A credential by the hash of its token, if it is neither revoked nor expired at `now_ms`.
    async fn credential_by_token(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> StoreResult<Option<Credential>>;
    async fn list_credentials(&self, kind: CredentialKind) -> StoreResult<Vec<Credential>>;
    /// Revokes a credential; revoking twice is not an error.
    async fn revoke_credential(&self, id: kefu_domain::ApiKeyId, now_ms: i64) -> StoreResult<()>;

    // --- meta ------------------------------------------------------------------------------

    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;
}

/// Opens (creating if needed) the database at `url` and applies migrations.
/// `sqlite://PATH` or a plain path selects SQLite; `postgres://…` selects PostgreSQL.
pub async fn open(url: &str) -> StoreResult<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(postgres::PgStore::open(url).await?))
    } else {
        Ok(Arc::new(sqlite::SqliteStore::open(url).await?))
    }
}
