//! The channel follower: one worker per node reads the ticket event log in id order from a
//! durable cursor (`meta` key [`CURSOR_KEY`]) and turns what customers must hear into
//! deliveries and notification topics. Use-cases stay unaware of channels: an agent reply,
//! a bot answer, a survey, a status change written by any node on any path is seen here.
//!
//! - A customer-visible message written by kefu (agent, bot, system, survey) on a ticket
//!   whose channel has an adapter becomes a delivery (source `message:<id>`, so once).
//! - `assigned`, `escalated`, `status_changed` (to waiting-for-customer or resolved) become
//!   notification topics ([`super::notify`]).
//!
//! Several nodes may follow at once: deliveries are unique by source, and the cursor only
//! moves forward. On PostgreSQL an event id can become visible after a higher one; the
//! follower reads only events older than [`SETTLE`] there, by which time the transactions
//! that wrote lower ids have committed. Events are handled at least once: a node that dies
//! before saving its cursor handles them again (a topic noted twice is still sent once,
//! coalesced).

use crate::core::Core;
use crate::workers::Stop;
use jiff::Timestamp;
use kefu_domain::{EventKind, MessageKind, TicketEvent, TicketStatus};
use kefu_store::StoreResult;
use std::sync::Arc;
use std::time::Duration;

/// Where the follower is in the event log.
pub const CURSOR_KEY: &str = "channels.follower.cursor";
/// How old an event must be before the follower reads it on PostgreSQL.
pub const SETTLE: Duration = Duration::from_secs(2);
const PAGE: u32 = 500;

/// Follows the event log until stopped.
pub async fn run(core: Arc<Core>, mut stop: Stop) {
    let mut pause = Duration::from_millis(50);
    while !stop.is_stopped() {
        match round(&core, Timestamp::now()).await {
            Ok(n) if n > 0 => pause = Duration::from_millis(20),
            Ok(_) => pause = (pause * 2).min(Duration::from_millis(500)),
            Err(e) => {
                tracing::warn!(error = %e, "following the event log for channels failed; will retry");
                pause = Duration::from_secs(2);
            }
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = stop.stopped() => break,
        }
    }
}

/// Handles the events after the cursor (those settled at `now`); how many.
pub async fn round(core: &Core, now: Timestamp) -> StoreResult<usize> {
    let store = &core.store;
    let cursor = match store
        .meta(CURSOR_KEY)
        .await?
        .and_then(|v| v.parse::<i64>().ok())
    {
        Some(c) => c,
        None => {
            // First start: from now on, without replaying history.
            let last = store.last_event_id().await?;
            store.set_meta(CURSOR_KEY, &last.to_string()).await?;
            last
        }
    };
    let settle = if store.backend() == "postgres" {
        jiff::SignedDuration::try_from(SETTLE).unwrap_or_default()
    } else {
        jiff::SignedDuration::ZERO
    };
    let horizon = now.checked_sub(settle).unwrap_or(now);
    let events = store.events_since(cursor, PAGE).await?;
    let mut last = cursor;
    let mut handled = 0;
    for e in events.iter().take_while(|e| e.at <= horizon) {
        if let Err(err) = handle(core, e).await {
            tracing::warn!(event.id = e.id.0, error = %err.detail, "a channel delivery for an event failed; will retry");
            break;
        }
        last = e.id.0;
        handled += 1;
    }
    if last != cursor {
        store.set_meta(CURSOR_KEY, &last.to_string()).await?;
    }
    Ok(handled)
}

async fn handle(core: &Core, e: &TicketEvent) -> crate::ServiceResult<()> {
    use super::notify::{Topic, note};
    let topic = match &e.kind {
        EventKind::MessageAdded {
            message_id,
            message_kind,
        } => {
            let kind = match message_kind.parse::<MessageKind>() {
                Ok(MessageKind::Agent) => super::OutboundKind::Reply,
                Ok(MessageKind::Bot) => super::OutboundKind::Bot,
                Ok(MessageKind::System) => super::OutboundKind::System,
                Ok(MessageKind::Survey) => super::OutboundKind::Survey,
                _ => return Ok(()),
            };
            return deliver_message(core, e, *message_id, kind).await;
        }
        EventKind::Assigned { .. } => Topic::Assigned,
        EventKind::Escalated { .. } => Topic::Escalated,
        EventKind::StatusChanged { to, .. } => match to.parse::<TicketStatus>() {
            Ok(TicketStatus::Resolved) => Topic::Resolved,
            Ok(s @ TicketStatus::PendingCustomer) => Topic::Status(s),
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    let ticket = core.store.ticket(e.ticket_id).await?;
    note(core, &ticket, topic, e.id.0).await
}

async fn deliver_message(
    core: &Core,
    e: &TicketEvent,
    message_id: i64,
    kind: super::OutboundKind,
) -> crate::ServiceResult<()> {
    let ticket = core.store.ticket(e.ticket_id).await?;
    if super::outbound::adapter_for(core, &ticket).await?.is_none() {
        return Ok(());
    }
    let page = core
        .store
        .messages_page(ticket.id, false, Some(message_id - 1), 1)
        .await?;
    let Some(message) = page.into_iter().find(|m| m.id.0 == message_id) else {
        return Ok(());
    };
    // A survey travels with its link: these channels show no ticket view to answer in.
    let body = match crate::survey::link(core, &ticket.number, &message) {
        Some(link) if kind == super::OutboundKind::Survey => format!("{}\n{link}", message.body),
        _ => message.body,
    };
    let out = super::outbound::NewOutbound {
        source: format!("message:{message_id}"),
        kind,
        visibility: super::Visibility::Private,
        body,
        topics: None,
    };
    super::outbound::enqueue(core, &ticket, out).await?;
    Ok(())
}
