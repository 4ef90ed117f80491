//! kefu's persistence: one [`Store`] trait, spoken in domain types, with a SQLite backend
//! (the default: one embedded file, group-committed writes) and a PostgreSQL backend (many
//! stateless nodes). Each method is one whole step in one transaction: a ticket change and
//! its event-log row are written together or not at all.
//!
//! # The transactional outbox: jobs written with a ticket change
//!
//! A use-case that must cause later work when a ticket changes (a survey after resolving,
//! an outbound message in order, an auto-close timer) enqueues that work as [`NewJob`]s
//! *in the change's transaction*, so the job exists if and only if the change committed:
//! call the `*_with_jobs` variant of the step (`change_status_with_jobs`,
//! `add_message_with_jobs`, …); the plain method is the same step with no jobs. To give
//! another step an outbox:
//!
//! 1. add `async fn <step>_with_jobs(&self, input, jobs: Vec<NewJob>) -> …` to [`Store`]
//!    (the trait only grows: existing signatures stay as they are);
//! 2. in `store_impl_jobs.rs`, run the step's `ops::<step>` and then `ops::insert_jobs(c, &jobs,
//!    at)` inside the same `self.write` closure (see `change_status_with_jobs` there), and
//!    make the plain method call the new one with `Vec::new()`.
//!
//! `insert_jobs` is the one place jobs are written, for both backends (`jobs_ops.rs`), so
//! any step's transaction can take jobs the same way. Standalone work uses
//! [`Store::enqueue_job`]; runners claim with [`Store::claim_jobs`] (see `jobs.rs` for the
//! states, leases, ordering and dedupe keys).

mod attachment_ops;
mod attachments;
mod audit;
mod audit_ops;
mod canned;
mod canned_ops;
mod channel_ops;
mod channel_store;
mod channels;
mod dashboard;
mod dashboard_ops;
mod decode;
mod error;
mod event_ops;
mod inputs;
mod jobs;
mod jobs_ops;
mod kb_ops;
mod learning;
mod learning_ops;
mod message_ops;
mod migrate;
mod notices;
mod opening;
mod ops;
mod policies;
mod policy_ops;
mod postgres;
mod report_acc;
mod report_ops;
mod report_query;
mod reports;
mod routing;
mod routing_ops;
pub(crate) mod sqlite;
mod store_impl;
mod store_impl_jobs;
mod store_impl_policies;
mod survey_ops;
mod surveys;
pub mod testing;

use async_trait::async_trait;
use kefu_domain::{
    Agent, AgentId, Category, Customer, Message, SlaPolicy, Team, TeamId, Ticket, TicketEvent,
    TicketId, TicketNumber, TicketStatus,
};
use std::sync::Arc;
use std::time::Duration;

pub use attachments::{AttachmentBinding, AttachmentRecord, NewAttachment};
pub use audit::{AuditActor, AuditEntry, AuditFilter, AuditOf, AuditRecord, no_audit};
pub use canned::{CannedReplyPatch, NewCannedReply};
pub use channels::*;
pub use dashboard::{DashboardCounts, LiveCounts, SlaDue, WaitingCount};
pub use error::{Conflict, StoreError};
pub use inputs::*;
pub use jobs::{FailedJob, Job, JobCounts, JobId, NewJob, retry_delay};
pub use learning::{AnswerMark, Dismissal, HANDLED_TICKETS_SQL, HandledTicket, VersionAnswers};
pub use migrate::MIGRATION_NAMES;
pub use notices::{EVENTS_CHANNEL, EventNotice};
pub use policies::{Acknowledgement, NewPolicy, PolicyAck, PolicyUpdate};
pub use reports::{
    Deadline, HourWindow, LabelCount, RollupGroup, RollupProgress, RollupQuery, RollupRow,
    RollupStep, Sketch, TimingTotals,
};
pub use routing::*;
pub use sqlite::database_file;
pub use surveys::*;

/// The result type of every store method.
pub type StoreResult<T> = Result<T, StoreError>;

/// Everything kefu keeps. Implemented by the SQLite and PostgreSQL backends; the server holds
/// an `Arc<dyn Store>`.
#[async_trait]
pub trait Store: PolicyStore + Send + Sync + 'static {
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
    /// One page of a ticket's messages, oldest first: those after message id `after`
    /// (`None`: the newest `limit`, still oldest first).
    async fn messages_page(
        &self,
        ticket: TicketId,
        include_internal: bool,
        after: Option<i64>,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    async fn events(&self, ticket: TicketId) -> StoreResult<Vec<TicketEvent>>;
    /// Moves a ticket through the status machine (rejecting illegal moves) with its event.
    async fn change_status(&self, change: StatusChange) -> StoreResult<Ticket>;
    /// Gives a ticket to an agent (status `assigned`), with the reason in the event log.
    async fn assign_ticket(&self, assignment: Assignment) -> StoreResult<Ticket>;
    /// Changes category and/or priority, one event per changed field.
    async fn update_ticket(&self, patch: TicketPatch) -> StoreResult<Ticket>;
    /// Ticket counts per status (for metrics).
    async fn count_by_status(&self) -> StoreResult<Vec<(TicketStatus, i64)>>;

    // --- routing, escalation, SLA timers (routing.rs) ------------------------------------

    /// Sets an agent's presence; with a `hand_back_note` (the caller's presence rule says
    /// they are leaving) their live chat tickets go back to the queue with that note.
    /// Returns the requeued tickets.
    async fn set_presence(&self, change: PresenceChange) -> StoreResult<Vec<TicketId>>;
    /// Returns an agent's assigned live chats to the queue with a handover note (their
    /// asynchronous tickets stay owned). Returns the requeued tickets.
    async fn hand_over_chats(&self, handover: Handover) -> StoreResult<Vec<TicketId>>;
    /// Creates or replaces an agent's roster (`NotFound` for an unknown agent).
    async fn set_roster(&self, roster: AgentRoster) -> StoreResult<AgentRoster>;
    /// An agent's roster; `None` when they have none (always on shift).
    async fn roster(&self, agent: AgentId) -> StoreResult<Option<AgentRoster>>;
    /// Every stored roster, by agent id.
    async fn rosters(&self) -> StoreResult<Vec<AgentRoster>>;
    /// An agent's presence (`offline` when never set).
    async fn agent_presence(&self, agent: AgentId) -> StoreResult<kefu_domain::AgentPresence>;
    /// Active online agents (or just `only`, whatever their presence) with their loads.
    async fn routing_agents(&self, only: Option<AgentId>) -> StoreResult<Vec<RoutingAgent>>;
    /// The most urgent queued, unowned tickets.
    async fn queued_tickets(&self, limit: u32) -> StoreResult<Vec<QueuedEntry>>;
    /// Escalated tickets waiting for a member of `team`, most urgent first.
    async fn team_queue(&self, team: TeamId, limit: u32) -> StoreResult<Vec<QueuedEntry>>;
    /// Every active agent with presence (offline when never set), load and roster.
    async fn staff_board(&self) -> StoreResult<Vec<RoutingAgent>>;
    /// Tickets ahead of this one in its lane (category × channel kind); `None` unless queued.
    async fn queue_position(&self, ticket: TicketId) -> StoreResult<Option<u64>>;
    /// Assigns a queued ticket if the agent is still online and under capacity, checked
    /// and applied in one transaction with the agent's routing row locked. `None` when not.
    async fn assign_if_room(&self, assignment: RoutedAssignment) -> StoreResult<Option<Ticket>>;
    async fn escalate_ticket(&self, escalation: Escalation) -> StoreResult<Ticket>;
    /// Back to the frontline owner (or the queue), findings as an internal note.
    async fn send_back(&self, send_back: SendBack) -> StoreResult<Ticket>;
    async fn transfer_ticket(&self, transfer: Transfer) -> StoreResult<Ticket>;
    /// Rewrites a ticket's SLA state and pending timers with `f`, in one transaction.
    async fn update_sla(
        &self,
        ticket: TicketId,
        at: jiff::Timestamp,
        f: SlaUpdate,
    ) -> StoreResult<bool>;
    async fn pending_timers(&self, ticket: TicketId) -> StoreResult<Vec<PendingTimer>>;
    /// Claims up to `limit` due timers, marks them fired and applies them, in one
    /// transaction; on PostgreSQL rows other nodes hold are skipped (`SKIP LOCKED`). What a
    /// breach does is `policy`'s decision, asked once per breach inside the transaction.
    async fn claim_due_timers(
        &self,
        now: jiff::Timestamp,
        node_id: &str,
        limit: u32,
        policy: BreachPolicy,
    ) -> StoreResult<Vec<FiredTimer>>;

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
    /// Revokes every unrevoked session of a staff account (a password change, a
    /// deactivation); returns how many. API keys acting as the agent are left alone.
    async fn revoke_sessions(&self, agent: AgentId, now_ms: i64) -> StoreResult<u64>;

    // --- knowledge base and bot ----------------------------------------------------------

    /// Creates articles or new versions (only where content changed), all or nothing.
    async fn save_articles(&self, save: SaveArticles) -> StoreResult<SaveReport>;
    /// Publishes a version (the latest when `None`); the bot index follows.
    async fn publish_article(
        &self,
        slug: &str,
        version: Option<u32>,
        at: jiff::Timestamp,
    ) -> StoreResult<kefu_domain::KbArticle>;
    /// One article: published content, or the latest version when `latest`.
    async fn article(
        &self,
        slug: &str,
        latest: bool,
    ) -> StoreResult<Option<kefu_domain::KbArticle>>;
    /// Every article, with its published content only, or with its latest version.
    async fn articles(&self, published_only: bool) -> StoreResult<Vec<kefu_domain::KbArticle>>;
    async fn article_versions(&self, slug: &str) -> StoreResult<Vec<ArticleVersion>>;
    /// The bot's conversation state on a ticket (JSON), if the bot has spoken there.
    async fn bot_state(&self, ticket: TicketId) -> StoreResult<Option<String>>;
    /// The bot's conversation states (JSON) last changed at or after `since`, newest first,
    /// at most `limit`: what the bot answered lately (the help center's popular questions).
    async fn recent_bot_states(
        &self,
        since: jiff::Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<String>>;
    /// Writes one bot turn and its consequences in one transaction.
    async fn record_bot_exchange(&self, exchange: BotExchange) -> StoreResult<Vec<Message>>;
    /// Writes `kind` in the ticket's log unless an event of that kind is there already:
    /// a flag raised once per ticket (`unroutable`). True when it was written now.
    async fn flag_ticket(
        &self,
        ticket: TicketId,
        kind: kefu_domain::EventKind,
        at: jiff::Timestamp,
    ) -> StoreResult<bool>;
    /// Questions the bot could not answer, newest first.
    async fn unanswered(&self, limit: u32) -> StoreResult<Vec<UnansweredRecord>>;

    // --- learning loop (learning_ops.rs) ---------------------------------------------------

    /// Marks how the bot's latest answer on a ticket ended; false when the bot never
    /// answered there with a published article.
    async fn mark_bot_answer(&self, ticket: TicketId, mark: AnswerMark) -> StoreResult<bool>;
    /// Bot answers per article version and how they ended, by article and version.
    async fn answers_by_version(&self) -> StoreResult<Vec<VersionAnswers>>;
    /// Tickets people resolved (an agent replied; the bot did not contain them), newest
    /// resolution first, at most `limit`.
    async fn handled_tickets(&self, limit: u32) -> StoreResult<Vec<HandledTicket>>;
    /// Hides a cluster or proposal; dismissing twice is the same as once.
    async fn dismiss(&self, dismissal: Dismissal) -> StoreResult<()>;
    /// The keys dismissed of a kind.
    async fn dismissed(&self, kind: &str) -> StoreResult<Vec<String>>;

    // --- ticket steps with jobs: the transactional outbox (see the crate header) ---------

    /// [`Store::change_status`], writing `jobs` in the same transaction (none if it fails).
    async fn change_status_with_jobs(
        &self,
        change: StatusChange,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Ticket>;
    /// [`Store::add_message`], writing `jobs` in the same transaction.
    async fn add_message_with_jobs(
        &self,
        new: NewMessage,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Message>;
    /// [`Store::assign_ticket`], writing `jobs` in the same transaction.
    async fn assign_ticket_with_jobs(
        &self,
        assignment: Assignment,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Ticket>;
    /// [`Store::assign_if_room`], writing `jobs` in the same transaction only when the
    /// ticket was assigned.
    async fn assign_if_room_with_jobs(
        &self,
        assignment: RoutedAssignment,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Option<Ticket>>;
    /// [`Store::escalate_ticket`], writing `jobs` in the same transaction.
    async fn escalate_ticket_with_jobs(
        &self,
        escalation: Escalation,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Ticket>;
    /// [`Store::send_back`], writing `jobs` in the same transaction.
    async fn send_back_with_jobs(
        &self,
        send_back: SendBack,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Ticket>;
    /// [`Store::transfer_ticket`], writing `jobs` in the same transaction.
    async fn transfer_ticket_with_jobs(
        &self,
        transfer: Transfer,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Ticket>;
    /// [`Store::record_bot_exchange`], writing `jobs` in the same transaction.
    async fn record_bot_exchange_with_jobs(
        &self,
        exchange: BotExchange,
        jobs: Vec<NewJob>,
    ) -> StoreResult<Vec<Message>>;

    // --- durable jobs (jobs.rs) ------------------------------------------------------------

    /// Enqueues a job on its own (`at`: when it was asked for). A job whose dedupe key is
    /// outstanding is not enqueued again: the outstanding job's id is returned.
    async fn enqueue_job(&self, job: NewJob, at: jiff::Timestamp) -> StoreResult<JobId>;
    /// Leases up to `limit` due jobs (of `kinds`, or any) to `node` until `now + lease`,
    /// counting an attempt each: not dead, not under another live lease, and first of their
    /// ordering key. On PostgreSQL rows other nodes are claiming are skipped
    /// (`SKIP LOCKED`), so no job is leased twice at once. Due first, then by id.
    async fn claim_jobs(
        &self,
        node: &str,
        kinds: Option<&[&str]>,
        now: jiff::Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Job>>;
    /// Deletes a done job if `node` still holds it; `false` (nothing changed) when it does
    /// not (its lease expired and another node took it, or it is gone or dead).
    async fn complete_job(&self, id: JobId, node: &str) -> StoreResult<bool>;
    /// Records a failed attempt by `node`: claimable again from `retry_at`, or dead when
    /// `retry_at` is `None` or the attempts are used up. See [`retry_delay`].
    async fn fail_job(
        &self,
        id: JobId,
        node: &str,
        error: &str,
        now: jiff::Timestamp,
        retry_at: Option<jiff::Timestamp>,
    ) -> StoreResult<FailedJob>;
    /// Gives back every job `node` holds without counting the attempt (graceful shutdown,
    /// after in-flight jobs are finished). Returns how many.
    async fn release_jobs(&self, node: &str) -> StoreResult<u64>;
    async fn job(&self, id: JobId) -> StoreResult<Option<Job>>;
    /// Dead jobs, most recently dead first (the admin list).
    async fn dead_jobs(&self, limit: u32) -> StoreResult<Vec<Job>>;
    /// Queues a dead job again from `now` with fresh attempts (`NotFound` unless dead).
    async fn retry_dead_job(&self, id: JobId, now: jiff::Timestamp) -> StoreResult<()>;
    /// Deletes a dead job for good (`NotFound` unless dead).
    async fn discard_dead_job(&self, id: JobId) -> StoreResult<()>;
    /// Jobs by state at `now` (a scan of the table: for metrics every few seconds, not per
    /// request).
    async fn job_counts(&self, now: jiff::Timestamp) -> StoreResult<JobCounts>;

    // --- the event log and live notices (event_ops.rs, notices.rs) -------------------------

    /// A ticket's events with `seq > after_seq`, in order (catch-up after a notice).
    async fn events_after(&self, ticket: TicketId, after_seq: i64)
    -> StoreResult<Vec<TicketEvent>>;
    /// Up to `limit` events of every ticket with `id > after_event_id`, in id order (a node
    /// tailing the log). On PostgreSQL ids can become visible out of order (see
    /// `event_ops.rs`): check each ticket's `seq` for holes.
    async fn events_since(&self, after_event_id: i64, limit: u32) -> StoreResult<Vec<TicketEvent>>;
    /// The highest event id visible now (0 when there is none): where a node that starts
    /// tailing the log begins, without replaying history.
    async fn last_event_id(&self) -> StoreResult<i64>;
    /// Notices of events committed by any node (PostgreSQL); `None` on SQLite, where the
    /// service layer fans out in process.
    fn event_notices(&self) -> Option<tokio::sync::broadcast::Receiver<EventNotice>>;

    // --- channels (channels.rs) --------------------------------------------------------------

    /// What the channels keep: inbound messages, deliveries, notifications.
    fn channels(&self) -> &dyn ChannelStore;

    // --- meta ------------------------------------------------------------------------------

    async fn meta(&self, key: &str) -> StoreResult<Option<String>>;
    async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()>;

    // --- the audit log (audit.rs): admin steps with their rows in one transaction ---------

    /// Writes audit rows on their own (for steps without an `*_audited` variant).
    async fn record_audit(&self, entries: Vec<AuditEntry>) -> StoreResult<()>;
    /// One page of the audit log, newest first.
    async fn audit_log(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditRecord>>;
    /// [`Store::create_agent`] with the rows `audit` builds from the new agent.
    async fn create_agent_audited(
        &self,
        new: NewAgent,
        audit: AuditOf<Agent>,
    ) -> StoreResult<Agent>;
    /// [`Store::update_agent`] with the rows `audit` builds from the changed agent.
    async fn update_agent_audited(
        &self,
        patch: AgentPatch,
        audit: AuditOf<Agent>,
    ) -> StoreResult<Agent>;
    /// [`Store::upsert_sla_policy`] with its audit rows.
    async fn upsert_sla_policy_audited(
        &self,
        policy: SlaPolicy,
        audit: AuditOf<()>,
    ) -> StoreResult<()>;
    /// [`Store::create_credential`] with the rows `audit` builds from the new credential.
    async fn create_credential_audited(
        &self,
        new: NewCredential,
        audit: AuditOf<Credential>,
    ) -> StoreResult<Credential>;
    /// [`Store::revoke_credential`] with its audit rows.
    async fn revoke_credential_audited(
        &self,
        id: kefu_domain::ApiKeyId,
        now_ms: i64,
        audit: AuditOf<()>,
    ) -> StoreResult<()>;
    /// [`Store::save_articles`] with the rows `audit` builds from the report.
    async fn save_articles_audited(
        &self,
        save: SaveArticles,
        audit: AuditOf<SaveReport>,
    ) -> StoreResult<SaveReport>;
    /// [`Store::publish_article`] with the rows `audit` builds from the published article.
    async fn publish_article_audited(
        &self,
        slug: &str,
        version: Option<u32>,
        at: jiff::Timestamp,
        audit: AuditOf<kefu_domain::KbArticle>,
    ) -> StoreResult<kefu_domain::KbArticle>;

    // --- attachments -----------------------------------------------------------------------

    /// Records an uploaded file (its bytes are already stored).
    async fn save_attachment(&self, new: NewAttachment) -> StoreResult<()>;
    async fn attachment(&self, id: &str) -> StoreResult<Option<AttachmentRecord>>;
    /// Binds files to a ticket in one transaction: each must be unbound and the uploader's,
    /// or already on that ticket; otherwise nothing changes and the answer is `NotFound`.
    async fn bind_attachments(
        &self,
        binding: AttachmentBinding,
    ) -> StoreResult<Vec<AttachmentRecord>>;
    /// Files never used by a message, uploaded before `before`, oldest first.
    async fn stale_attachments(
        &self,
        before: jiff::Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<AttachmentRecord>>;
    /// Deletes an attachment row if it is still unbound; whether it did.
    async fn forget_attachment(&self, id: &str) -> StoreResult<bool>;

    // --- the satisfaction follow-up (surveys.rs) -------------------------------------------

    /// Sends the survey of one resolution: the survey row, its message (kind `survey`, with
    /// the invite) and its `message_added` event, and `jobs` (the reminder), in one
    /// transaction — only while the ticket is still resolved by that resolution, and once
    /// per resolution (a second call answers `AlreadySent` and writes nothing).
    async fn send_survey(&self, new: NewSurvey, jobs: Vec<NewJob>) -> StoreResult<SurveySent>;
    async fn survey(&self, id: &str) -> StoreResult<Option<SurveyRecord>>;
    /// The ticket's most recent survey.
    async fn latest_survey(&self, ticket: TicketId) -> StoreResult<Option<SurveyRecord>>;
    /// Records the answer once (`Conflict::SurveyAnswered` after that), its
    /// `survey_answered` event, the review it opens (with its `review_opened` event) and
    /// the rows `audit` builds, in one transaction. `NotFound` for an unknown survey.
    async fn answer_survey(
        &self,
        answer: SurveyAnswer,
        audit: AuditOf<AnsweredSurvey>,
    ) -> StoreResult<AnsweredSurvey>;
    /// Writes the reminder message if the survey is still unanswered, not reminded yet and
    /// its resolution still stands; whether it did.
    async fn remind_survey(&self, reminder: SurveyReminder) -> StoreResult<bool>;
    /// Answered surveys, oldest answer first, with what they were about.
    async fn satisfaction_scores(
        &self,
        filter: &ScoreFilter,
    ) -> StoreResult<Vec<SatisfactionScore>>;
    async fn review(&self, id: i64) -> StoreResult<Option<Review>>;
    /// Reviews by id, oldest first.
    async fn reviews(&self, filter: &ReviewFilter) -> StoreResult<Vec<Review>>;
    /// Assigns or closes a review with its ticket event and the rows `audit` builds;
    /// `Conflict::ReviewClosed` once closed, `NotFound` for an unknown review (or agent).
    async fn change_review(
        &self,
        change: ReviewChange,
        audit: AuditOf<Review>,
    ) -> StoreResult<Review>;

    // --- report rollups (reports.rs, report_ops.rs) ---------------------------------------

    /// Folds up to `step.limit` events after the rollup cursor into the hourly rollups and
    /// moves the cursor, in one transaction (a crash or a second runner never counts an
    /// event twice).
    async fn fold_report_events(&self, step: RollupStep) -> StoreResult<RollupProgress>;
    /// Forgets every rollup and puts the cursor back to the start (for a rebuild).
    async fn reset_report_rollups(&self) -> StoreResult<()>;
    /// The last event id folded into the rollups.
    async fn report_cursor(&self) -> StoreResult<i64>;
    /// Totals of the rollup buckets `query` selects, grouped as it asks.
    async fn report_totals(&self, query: &RollupQuery) -> StoreResult<Vec<RollupRow>>;
    /// Labelled counts (hand-over reasons, SLA targets, review outcomes) `query` selects.
    async fn report_labels(&self, query: &RollupQuery) -> StoreResult<Vec<LabelCount>>;
    /// Pending SLA breach deadlines, soonest first (the tickets nearest to a breach now).
    async fn nearest_deadlines(&self, limit: u32) -> StoreResult<Vec<Deadline>>;

    // --- canned replies (canned_ops.rs) ------------------------------------------------------

    /// Every canned reply, by language and title.
    async fn canned_replies(&self) -> StoreResult<Vec<kefu_domain::CannedReply>>;
    /// `NotFound` for an unknown id.
    async fn canned_reply(&self, id: i64) -> StoreResult<kefu_domain::CannedReply>;
    /// `Conflict::Duplicate("title")` when the language has that title already.
    async fn create_canned_reply(
        &self,
        new: NewCannedReply,
    ) -> StoreResult<kefu_domain::CannedReply>;
    /// `NotFound` for an unknown id; `Conflict::Duplicate("title")` as for create.
    async fn update_canned_reply(
        &self,
        id: i64,
        patch: CannedReplyPatch,
    ) -> StoreResult<kefu_domain::CannedReply>;
    /// `NotFound` for an unknown id.
    async fn delete_canned_reply(&self, id: i64) -> StoreResult<()>;
}

/// "Must read" policy updates (policies.rs) and the supervisor dashboard's counts
/// (dashboard.rs): a trait of their own beside [`Store`], implemented by both backends.
#[async_trait]
pub trait PolicyStore: Send + Sync + 'static {
    /// Publishes an update with the rows `audit` builds from it, in one transaction.
    async fn publish_policy(
        &self,
        new: NewPolicy,
        audit: AuditOf<PolicyUpdate>,
    ) -> StoreResult<PolicyUpdate>;
    /// The newest `limit` updates, newest first.
    async fn policy_updates(&self, limit: u32) -> StoreResult<Vec<PolicyUpdate>>;
    async fn policy_update(&self, id: i64) -> StoreResult<Option<PolicyUpdate>>;
    /// The must-read updates `agent` has not acknowledged, oldest first.
    async fn unread_policies(&self, agent: AgentId) -> StoreResult<Vec<PolicyUpdate>>;
    /// Records the acknowledgement once and returns its time (the first one when repeated);
    /// `NotFound` for an unknown update.
    async fn acknowledge_policy(&self, ack: PolicyAck) -> StoreResult<jiff::Timestamp>;
    /// Who acknowledged an update, earliest first.
    async fn policy_acknowledgements(&self, policy: i64) -> StoreResult<Vec<Acknowledgement>>;
    /// The dashboard's counts: waiting lanes now, arrivals and the bot's share in
    /// `[from, to)`, and the `nearest` tickets closest to an SLA breach.
    async fn dashboard_counts(
        &self,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
        nearest: u32,
    ) -> StoreResult<DashboardCounts>;
    /// The live gauges behind `/metrics`: waiting lanes, the oldest waiting ticket and agents
    /// by presence.
    async fn live_counts(&self) -> StoreResult<LiveCounts>;
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
