//! Outbound: every delivery to a customer is a `channel_deliveries` row written with one
//! `channel.deliver` job in the same transaction. The job runner gives the jobs of one
//! ticket one at a time in order (ordering key `deliver:ticket:<id>`), retries a failed
//! attempt after an exponential backoff with full jitter, and dead-letters it after
//! `channels.max_attempts` attempts — an admin may queue a dead one again
//! (`POST /api/v1/jobs/{id}/retry`), and it is attempted anew.
//!
//! - A cause is delivered once: the row's `source` (`message:<id>`, `redirect:…`,
//!   `notification:…`) is unique, so a second enqueue of it writes nothing.
//! - Adapters get [`Outbound::idempotency_key`], the same on every attempt, so a retry
//!   after a lost answer is dropped by the platform rather than posted twice.
//! - A ticket whose channel has no adapter installed gets an `undeliverable` row (the
//!   customer reads it in the app, the help center or the live stream) and no job.
//! - The outcome of a notification, and any delivery that fails for good, is written in
//!   the ticket's event log.

use super::{ChannelAdapter, Delivered, DeliveryError, Outbound, OutboundKind, Visibility};
use crate::core::Core;
use crate::error::ServiceResult;
use crate::jobs::runner::JobError;
use jiff::Timestamp;
use kefu_domain::{Actor, EventKind, Ticket};
use kefu_store::{DeliveryJob, DeliveryOutcome, DeliveryRecord, Job, NewDelivery, StoreError};
use std::sync::Arc;

/// The job kind of one delivery.
pub const DELIVER: &str = "channel.deliver";

/// Something to deliver on a ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOutbound {
    /// What caused it; delivered once per source.
    pub source: String,
    pub kind: OutboundKind,
    pub visibility: Visibility,
    pub body: String,
    /// Notification topics (for the event log).
    pub topics: Option<serde_json::Value>,
}

/// The adapter that talks to this ticket's customer: the one their last message came
/// through, else the one the ticket was opened by, else the first for its channel.
pub async fn adapter_for(
    core: &Core,
    ticket: &Ticket,
) -> ServiceResult<Option<Arc<dyn ChannelAdapter>>> {
    if let Some(last) = core.store.channels().latest_inbound(ticket.id).await?
        && let Some(a) = core.channels.get(&last.adapter)
    {
        return Ok(Some(a));
    }
    if let Some(name) = ticket
        .context
        .get("channel_adapter")
        .and_then(|v| v.as_str())
        && let Some(a) = core.channels.get(name)
    {
        return Ok(Some(a));
    }
    Ok(core.channels.for_channel(ticket.channel))
}

/// The ordering key deliveries of a ticket share.
pub fn ordering_key(ticket: &Ticket) -> String {
    format!("deliver:ticket:{}", ticket.id.0)
}

/// The delivery row (with its job when an adapter will deliver it) for `out` on `ticket`.
pub async fn new_delivery(
    core: &Core,
    ticket: &Ticket,
    out: NewOutbound,
    now: Timestamp,
) -> ServiceResult<NewDelivery> {
    let adapter = adapter_for(core, ticket).await?;
    Ok(NewDelivery {
        ticket: ticket.id,
        source: out.source,
        adapter: adapter.as_ref().map(|a| a.name().to_owned()),
        kind: out.kind.as_str().to_owned(),
        visibility: out.visibility.as_str().to_owned(),
        body: out.body,
        topics: out.topics,
        status: if adapter.is_some() {
            "pending"
        } else {
            "undeliverable"
        }
        .to_owned(),
        job: adapter.as_ref().map(|_| DeliveryJob {
            kind: DELIVER.to_owned(),
            max_attempts: core.settings.channels.max_attempts.max(1),
            ordering_key: ordering_key(ticket),
        }),
        at: now,
    })
}

/// Writes a delivery (and its job) unless its source was delivered before; its id.
pub async fn enqueue(core: &Core, ticket: &Ticket, out: NewOutbound) -> ServiceResult<Option<i64>> {
    let now = Timestamp::now();
    let kind = out.kind;
    let new = new_delivery(core, ticket, out, now).await?;
    let topics = new.topics.clone();
    let Some((id, job)) = core.store.channels().enqueue_delivery(new).await? else {
        return Ok(None);
    };
    if job.is_some() {
        core.jobs_enqueued();
    } else if kind == OutboundKind::Notification {
        // Nobody to send it to: the log still says the customer was (not) told, and why.
        let outcome = DeliveryOutcome {
            id,
            status: "undeliverable".into(),
            attempts: 0,
            error: Some(format!(
                "no outbound adapter for channel {}",
                ticket.channel
            )),
            remote_id: None,
            at: now,
            event: Some((
                Actor::System,
                notified(topics.as_ref(), id, "undeliverable"),
            )),
        };
        core.store.channels().finish_delivery(outcome).await?;
        core.events_written();
    }
    Ok(Some(id))
}

fn notified(topics: Option<&serde_json::Value>, delivery: i64, result: &str) -> EventKind {
    let topics = topics
        .and_then(|t| t.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("topic").and_then(|v| v.as_str()).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    EventKind::CustomerNotified {
        topics,
        delivery_id: delivery,
        result: result.to_owned(),
    }
}

#[derive(serde::Deserialize)]
struct DeliverPayload {
    delivery: i64,
}

/// The handler of `channel.deliver`.
pub async fn run_deliver(core: Arc<Core>, job: Job) -> Result<(), JobError> {
    let p: DeliverPayload = serde_json::from_value(job.payload.clone())
        .map_err(|e| JobError::Permanent(format!("bad channel.deliver payload: {e}")))?;
    let store = core.store.channels();
    let Some(d) = store.delivery(p.delivery).await? else {
        return Ok(());
    };
    // `failed` runs again only when an admin queued its dead job again.
    if !matches!(d.status.as_str(), "pending" | "failed") {
        return Ok(());
    }
    let ticket = match core.store.ticket(d.ticket).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let adapter = match d.adapter.as_deref().and_then(|n| core.channels.get(n)) {
        Some(a) => a,
        None => {
            let why = format!(
                "the adapter {:?} is not installed on this node",
                d.adapter.as_deref().unwrap_or_default()
            );
            return Err(JobError::Retry(why));
        }
    };
    let out = outbound(&core, &ticket, &d).await?;
    let timeout = core.settings.channels.delivery_timeout;
    let result = match tokio::time::timeout(timeout, adapter.deliver(&out)).await {
        Ok(r) => r,
        Err(_) => Err(DeliveryError::Retry(format!(
            "no answer within {} s",
            timeout.as_secs()
        ))),
    };
    let last_attempt = job.attempts >= job.max_attempts;
    let now = Timestamp::now();
    let (status, error, remote, outcome) = match result {
        Ok(Delivered { remote_id }) => ("delivered", None, remote_id, Ok(())),
        Err(DeliveryError::Permanent(e)) => {
            ("failed", Some(e.clone()), None, Err(JobError::Permanent(e)))
        }
        Err(DeliveryError::Retry(e)) if last_attempt => {
            ("failed", Some(e.clone()), None, Err(JobError::Retry(e)))
        }
        Err(DeliveryError::Retry(e)) => ("pending", Some(e.clone()), None, Err(JobError::Retry(e))),
    };
    let event = match (status, d.kind.as_str()) {
        ("pending", _) => None,
        (_, "notification") => Some((Actor::System, notified(d.topics.as_ref(), d.id, status))),
        ("failed", kind) => Some((
            Actor::System,
            EventKind::DeliveryFailed {
                delivery_id: d.id,
                delivery_kind: kind.to_owned(),
                error: error.clone().unwrap_or_default(),
            },
        )),
        _ => None,
    };
    let wrote_event = event.is_some();
    store
        .finish_delivery(DeliveryOutcome {
            id: d.id,
            status: status.to_owned(),
            attempts: job.attempts,
            error,
            remote_id: remote,
            at: now,
            event,
        })
        .await?;
    if wrote_event {
        core.events_written();
    }
    match status {
        "delivered" => {
            tracing::debug!(ticket.number = %ticket.number, delivery.id = d.id, channel = %adapter.name(), "delivered")
        }
        "failed" => {
            tracing::warn!(ticket.number = %ticket.number, delivery.id = d.id, channel = %adapter.name(), "delivery failed for good")
        }
        _ => {}
    }
    outcome
}

/// What the adapter gets for a stored delivery.
async fn outbound(core: &Core, ticket: &Ticket, d: &DeliveryRecord) -> Result<Outbound, JobError> {
    let customer = core.store.customer(ticket.customer_id).await?;
    let last = core.store.channels().latest_inbound(ticket.id).await?;
    Ok(Outbound {
        delivery_id: d.id,
        idempotency_key: format!("kefu-delivery-{}", d.id),
        kind: OutboundKind::parse(&d.kind).unwrap_or(OutboundKind::System),
        visibility: if d.visibility == "public" {
            Visibility::Public
        } else {
            Visibility::Private
        },
        ticket_number: ticket.number,
        subject: ticket.subject.clone(),
        customer_external_id: customer.identity.external_id,
        customer_email: customer.email,
        customer_name: customer.display_name,
        language: customer.language,
        thread: last.as_ref().and_then(|l| l.thread.clone()),
        in_reply_to: last.map(|l| l.external_id),
        body: d.body.clone(),
    })
}

/// A ticket's deliveries, oldest first (staff who may follow the ticket).
pub async fn list(
    core: &Core,
    caller: &crate::Caller,
    number: &kefu_domain::TicketNumber,
) -> ServiceResult<Vec<DeliveryRecord>> {
    let staff = caller.staff()?;
    let ticket = core
        .store
        .ticket_by_number(number)
        .await?
        .filter(|t| staff.may_follow(t))
        .ok_or_else(crate::ServiceError::ticket_not_found)?;
    Ok(core.store.channels().deliveries(ticket.id).await?)
}
