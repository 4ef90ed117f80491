//! What the channels keep (migration `0014_channels`): each inbound platform message once,
//! rejected payloads for an admin, outbound deliveries (a row and a job each, so a cause
//! is delivered once and in order), and the per-ticket state of customer notifications.
//!
//! [`ChannelStore`] is reached through [`crate::Store::channels`]; both backends implement
//! it from one macro (`channel_store.rs`) over the steps in `channel_ops.rs`.

use crate::StoreResult;
use crate::jobs::JobId;
use async_trait::async_trait;
use jiff::Timestamp;
use kefu_domain::{Actor, EventKind, TicketId};
use std::time::Duration;

/// Claiming a platform message before writing it.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundClaim {
    pub adapter: String,
    /// The platform's message id.
    pub external_id: String,
    pub thread: Option<String>,
    /// `private` or `public`.
    pub visibility: String,
    pub at: Timestamp,
    /// A claim older than this whose message was never written is taken over (its node
    /// died mid-write).
    pub stale_after: Duration,
}

/// What claiming a platform message found.
#[derive(Debug, Clone, PartialEq)]
pub enum InboundClaimed {
    /// Ours to write: call [`ChannelStore::finish_inbound`] (or `release_inbound`).
    New,
    /// Received before: on this ticket (and message).
    Duplicate {
        ticket: TicketId,
        message: Option<i64>,
    },
    /// Another request is writing it right now.
    InProgress,
}

/// A received platform message.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundRecord {
    pub adapter: String,
    pub external_id: String,
    pub thread: Option<String>,
    pub visibility: String,
    pub ticket: TicketId,
    pub message: Option<i64>,
    pub received_at: Timestamp,
}

/// A payload kefu could not read, kept for an admin.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedPayload {
    pub adapter: String,
    pub reason: String,
    pub payload: String,
    pub at: Timestamp,
}

/// A kept payload.
#[derive(Debug, Clone, PartialEq)]
pub struct RejectedRecord {
    pub id: i64,
    pub adapter: String,
    pub reason: String,
    pub payload: String,
    pub received_at: Timestamp,
}

/// How a delivery's job is written.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryJob {
    pub kind: String,
    pub max_attempts: u32,
    /// Deliveries with the same key go out one at a time in order (`deliver:ticket:<id>`).
    pub ordering_key: String,
}

/// A delivery to write (with its job, when `job` is given, in the same transaction).
#[derive(Debug, Clone, PartialEq)]
pub struct NewDelivery {
    pub ticket: TicketId,
    /// What caused it; unique (`message:<id>`): a cause is delivered once.
    pub source: String,
    pub adapter: Option<String>,
    pub kind: String,
    pub visibility: String,
    pub body: String,
    /// Notification topics (JSON), for notifications.
    pub topics: Option<serde_json::Value>,
    /// `pending` (with a job) or `undeliverable` (no adapter: recorded, never sent).
    pub status: String,
    pub job: Option<DeliveryJob>,
    pub at: Timestamp,
}

/// A stored delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRecord {
    pub id: i64,
    pub ticket: TicketId,
    pub source: String,
    pub adapter: Option<String>,
    pub kind: String,
    pub visibility: String,
    pub body: String,
    pub topics: Option<serde_json::Value>,
    /// pending | delivered | failed | undeliverable
    pub status: String,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub remote_id: Option<String>,
    pub created_at: Timestamp,
    pub finished_at: Option<Timestamp>,
}

/// The outcome of one delivery attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryOutcome {
    pub id: i64,
    /// `pending` (will be retried), `delivered` or `failed` (for good).
    pub status: String,
    pub attempts: u32,
    pub error: Option<String>,
    pub remote_id: Option<String>,
    pub at: Timestamp,
    /// An event for the ticket's log, written in the same transaction.
    pub event: Option<(Actor, EventKind)>,
}

/// A ticket's notification state.
#[derive(Debug, Clone, PartialEq)]
pub struct NotifyState {
    pub ticket: TicketId,
    /// Topics waiting to go out (JSON objects), oldest first.
    pub pending: Vec<serde_json::Value>,
    /// Bumped by every change of `pending`.
    pub version: i64,
    pub sent_count: i64,
    pub last_sent_at: Option<Timestamp>,
}

/// The channels' storage (see the module header). Every method is one transaction.
#[async_trait]
pub trait ChannelStore: Send + Sync {
    /// Claims a platform message id (see [`InboundClaimed`]).
    async fn claim_inbound(&self, claim: InboundClaim) -> StoreResult<InboundClaimed>;
    /// Records where a claimed message went.
    async fn finish_inbound(
        &self,
        adapter: &str,
        external_id: &str,
        ticket: TicketId,
        message: Option<i64>,
        at: Timestamp,
    ) -> StoreResult<()>;
    /// Drops an unfinished claim (writing failed): a repeat delivery may try again.
    async fn release_inbound(&self, adapter: &str, external_id: &str) -> StoreResult<()>;
    /// The received message with this platform id.
    async fn inbound(&self, adapter: &str, external_id: &str)
    -> StoreResult<Option<InboundRecord>>;
    /// The ticket of the latest message received in this platform thread.
    async fn thread_ticket(&self, adapter: &str, thread: &str) -> StoreResult<Option<TicketId>>;
    /// The latest platform message received on a ticket.
    async fn latest_inbound(&self, ticket: TicketId) -> StoreResult<Option<InboundRecord>>;
    /// Keeps a payload kefu could not read; its id.
    async fn keep_rejected(&self, rejected: RejectedPayload) -> StoreResult<i64>;
    /// Kept payloads, newest first, with ids below `before`.
    async fn rejected_payloads(
        &self,
        limit: u32,
        before: Option<i64>,
    ) -> StoreResult<Vec<RejectedRecord>>;
    /// Writes a delivery and its job; `None` (nothing written) when its source was
    /// delivered (or is being delivered) already.
    async fn enqueue_delivery(&self, new: NewDelivery)
    -> StoreResult<Option<(i64, Option<JobId>)>>;
    async fn delivery(&self, id: i64) -> StoreResult<Option<DeliveryRecord>>;
    /// The delivery that posted `remote_id` through `adapter` (e-mail threading).
    async fn delivery_by_remote(
        &self,
        adapter: &str,
        remote_id: &str,
    ) -> StoreResult<Option<DeliveryRecord>>;
    /// A ticket's deliveries, oldest first.
    async fn deliveries(&self, ticket: TicketId) -> StoreResult<Vec<DeliveryRecord>>;
    /// Records an attempt's outcome (and its event, locking the ticket).
    async fn finish_delivery(&self, outcome: DeliveryOutcome) -> StoreResult<()>;
    /// Adds a topic to a ticket's waiting notifications and makes sure one job of
    /// `job_kind` (payload `{"ticket": id}`) will send them: due at `at`, or `interval`
    /// after the last notification sent, whichever is later. Jobs are deduplicated per
    /// notification (`<job_kind>:<ticket>:<sent count>`), so topics noted before a send are
    /// coalesced into it and a topic noted after gets the next one.
    async fn note_notification(
        &self,
        ticket: TicketId,
        topic: serde_json::Value,
        job_kind: &str,
        interval: Duration,
        at: Timestamp,
    ) -> StoreResult<()>;
    async fn notify_state(&self, ticket: TicketId) -> StoreResult<Option<NotifyState>>;
    /// Takes the waiting topics if they are still at `version`: clears them, counts a
    /// notification sent at `at`, and writes `delivery` (with its job). False (nothing
    /// changed) when topics arrived since.
    async fn take_notification(
        &self,
        ticket: TicketId,
        version: i64,
        delivery: Option<NewDelivery>,
        at: Timestamp,
    ) -> StoreResult<bool>;
}
