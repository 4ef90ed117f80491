//! Resolved tickets close: a resolution enqueues a `ticket.close` job, in the same
//! transaction, due `Settings::close_after` later (7 days by default). When it runs, the
//! ticket is closed only if it is still resolved *by that resolution* (same `resolved_at`);
//! a ticket reopened since (and perhaps resolved again, with its own job) is left alone.

use super::kinds::TICKET_CLOSE;
use super::runner::JobError;
use crate::core::Core;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{Actor, TicketId, TicketStatus};
use kefu_store::{Job, NewJob, StatusChange};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The reason written on the `status_changed` event of an automatic close.
pub const REASON: &str = "closed_after_resolution";

#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    ticket: i64,
    /// The resolution this job closes (ms since the epoch, as stored).
    resolved_at_ms: i64,
}

/// The job closing `ticket` after the resolution at `resolved_at`; one per resolution.
pub fn job(core: &Core, ticket: TicketId, resolved_at: Timestamp) -> NewJob {
    let after = SignedDuration::try_from(core.settings.close_after).unwrap_or(SignedDuration::MAX);
    let run_at = resolved_at.checked_add(after).unwrap_or(Timestamp::MAX);
    let ms = resolved_at.as_millisecond();
    NewJob::new(
        TICKET_CLOSE,
        serde_json::json!({"ticket": ticket.0, "resolved_at_ms": ms}),
        run_at,
    )
    .deduped_by(format!("{TICKET_CLOSE}:{}:{ms}", ticket.0))
}

/// The handler of `ticket.close`.
pub async fn run(core: Arc<Core>, job: Job) -> Result<(), JobError> {
    let p: Payload = serde_json::from_value(job.payload)
        .map_err(|e| JobError::Permanent(format!("bad ticket.close payload: {e}")))?;
    let ticket = match core.store.ticket(TicketId(p.ticket)).await {
        Ok(t) => t,
        Err(kefu_store::StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let same_resolution = ticket.resolved_at.map(|t| t.as_millisecond()) == Some(p.resolved_at_ms);
    if ticket.status != TicketStatus::Resolved || !same_resolution {
        tracing::debug!(ticket.number = %ticket.number, "ticket reopened since; not closed");
        return Ok(());
    }
    let change = StatusChange {
        ticket_id: ticket.id,
        to: TicketStatus::Closed,
        actor: Actor::System,
        reason: Some(REASON.into()),
        at: Timestamp::now(),
    };
    core.store.change_status(change).await?;
    core.events_written();
    tracing::info!(ticket.number = %ticket.number, "resolved ticket closed");
    Ok(())
}
