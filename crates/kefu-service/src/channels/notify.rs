//! Customer notifications: on assignment, escalation (with the expected resolution time),
//! a status change the customer must know of (waiting for them), an SLA-driven "we are
//! still on it", and resolution — through the customer's own channel, in their language
//! ([`crate::messages::notify`]), at most one per ticket per `notify_interval`.
//!
//! Coalescing: a change adds a *topic* to the ticket's waiting list and makes sure one
//! `channel.notify` job will send it, due now or `notify_interval` after the last one sent
//! (the store, [`kefu_store::ChannelStore::note_notification`]). The job renders every
//! waiting topic into one message (a resolution says it all; otherwise one line per topic,
//! the latest of each) and takes the list only if nothing was added meanwhile, in the same
//! transaction as the delivery it enqueues; so each topic goes out once, in one message.
//!
//! "Still on it": with an expected resolution time, a `channel.still_on_it` job is due
//! `still_on_it_before` ahead of it (or halfway, when that is closer). It notes its topic
//! only while the ticket is unresolved and the promise still ahead; and a waiting
//! still-on-it topic whose time has passed is dropped when the notification is rendered,
//! so it never goes out after the promised time.
//!
//! Agent replies are not topics: on a channel with an adapter the reply itself is
//! delivered at once (never coalesced, which would hold back an answer).

use crate::core::Core;
use crate::jobs::runner::JobError;
use crate::messages::notify::texts;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{Ticket, TicketId, TicketStatus};
use kefu_store::{Job, NewJob};
use serde::Deserialize;
use std::sync::Arc;

/// The job that sends a ticket's waiting notifications.
pub const NOTIFY: &str = "channel.notify";
/// The job that notes "still on it" ahead of the promised time.
pub const STILL_ON_IT: &str = "channel.still_on_it";

/// A reason to tell the customer something.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Assigned,
    Escalated,
    Status(TicketStatus),
    StillOnIt,
    Resolved,
}

impl Topic {
    pub fn name(self) -> &'static str {
        match self {
            Self::Assigned => "assigned",
            Self::Escalated => "escalated",
            Self::Status(_) => "status",
            Self::StillOnIt => "still_on_it",
            Self::Resolved => "resolved",
        }
    }
}

/// Notes a topic for `ticket` (and, for an escalation, schedules "still on it"). Does
/// nothing when notifications are off or the ticket's channel has no adapter.
pub async fn note(
    core: &Core,
    ticket: &Ticket,
    topic: Topic,
    event: i64,
) -> crate::ServiceResult<()> {
    let settings = &core.settings.channels;
    if !settings.notify || super::outbound::adapter_for(core, ticket).await?.is_none() {
        return Ok(());
    }
    let now = Timestamp::now();
    let by = match topic {
        Topic::Escalated | Topic::StillOnIt => {
            crate::sla::expected_resolution(&core.catalogue(), ticket)
        }
        _ => None,
    };
    let mut value = serde_json::json!({ "topic": topic.name(), "event": event });
    if let Topic::Status(s) = topic {
        value["status"] = s.as_str().into();
    }
    if let Some(by) = by {
        value["by_ms"] = by.as_millisecond().into();
    }
    core.store
        .channels()
        .note_notification(ticket.id, value, NOTIFY, settings.notify_interval, now)
        .await?;
    core.jobs_enqueued();
    if topic == Topic::Escalated
        && let Some(by) = by
    {
        schedule_still_on_it(core, ticket.id, by, now).await?;
    }
    Ok(())
}

/// When "still on it" is due for a promise at `by`: `still_on_it_before` ahead of it, or
/// halfway from `now` when that is later; `None` once the promise has passed.
pub fn still_on_it_at(
    by: Timestamp,
    now: Timestamp,
    before: std::time::Duration,
) -> Option<Timestamp> {
    if by <= now {
        return None;
    }
    let before = SignedDuration::try_from(before).unwrap_or(SignedDuration::MAX);
    let ahead = by.checked_sub(before).unwrap_or(now);
    let halfway = now.checked_add(by.duration_since(now) / 2).unwrap_or(now);
    Some(ahead.max(halfway))
}

async fn schedule_still_on_it(
    core: &Core,
    ticket: TicketId,
    by: Timestamp,
    now: Timestamp,
) -> crate::ServiceResult<()> {
    let Some(at) = still_on_it_at(by, now, core.settings.channels.still_on_it_before) else {
        return Ok(());
    };
    let ms = by.as_millisecond();
    let job = NewJob::new(STILL_ON_IT, serde_json::json!({ "ticket": ticket.0 }), at)
        .deduped_by(format!("{STILL_ON_IT}:{}:{ms}", ticket.0));
    crate::jobs::enqueue(core, job).await?;
    Ok(())
}

#[derive(Deserialize)]
struct TicketPayload {
    ticket: i64,
}

fn ticket_of(job: &Job) -> Result<TicketId, JobError> {
    serde_json::from_value::<TicketPayload>(job.payload.clone())
        .map(|p| TicketId(p.ticket))
        .map_err(|e| JobError::Permanent(format!("bad {} payload: {e}", job.kind)))
}

/// The handler of `channel.still_on_it`.
pub async fn run_still_on_it(core: Arc<Core>, job: Job) -> Result<(), JobError> {
    let ticket = core.store.ticket(ticket_of(&job)?).await?;
    if matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return Ok(());
    }
    let promised = crate::sla::expected_resolution(&core.catalogue(), &ticket);
    if promised.is_none_or(|by| by <= Timestamp::now()) {
        return Ok(());
    }
    note(&core, &ticket, Topic::StillOnIt, 0).await?;
    Ok(())
}

/// The handler of `channel.notify`.
pub async fn run_notify(core: Arc<Core>, job: Job) -> Result<(), JobError> {
    let id = ticket_of(&job)?;
    let store = core.store.channels();
    // A topic noted while rendering makes the take fail: render again with it.
    for _ in 0..5 {
        let Some(state) = store.notify_state(id).await? else {
            return Ok(());
        };
        if state.pending.is_empty() {
            return Ok(());
        }
        let ticket = core.store.ticket(id).await?;
        let language = core.store.customer(ticket.customer_id).await?.language;
        let now = Timestamp::now();
        let body = render(&state.pending, &ticket, &language, now);
        let delivery = match body {
            None => None,
            Some(body) => Some(
                super::outbound::new_delivery(
                    &core,
                    &ticket,
                    super::outbound::NewOutbound {
                        source: format!("notification:{}:{}", id.0, state.sent_count),
                        kind: super::OutboundKind::Notification,
                        visibility: super::Visibility::Private,
                        body,
                        topics: Some(serde_json::Value::Array(state.pending.clone())),
                    },
                    now,
                )
                .await?,
            ),
        };
        let sent = delivery.is_some();
        if store
            .take_notification(id, state.version, delivery, now)
            .await?
        {
            if sent {
                core.jobs_enqueued();
                tracing::debug!(ticket.number = %ticket.number, "customer notification queued");
            }
            return Ok(());
        }
    }
    Err(JobError::Retry(
        "the ticket's notifications kept changing; will try again".into(),
    ))
}

/// One message for the waiting topics, or `None` when none is still worth sending.
pub fn render(
    topics: &[serde_json::Value],
    ticket: &Ticket,
    language: &str,
    now: Timestamp,
) -> Option<String> {
    let t = texts(language);
    let number = ticket.number.to_string();
    let zone = kefu_routing::shift::time_zone(kefu_routing::shift::DEFAULT_TIME_ZONE).ok();
    let when = |v: &serde_json::Value| {
        let by = v.get("by_ms")?.as_i64()?;
        let by = Timestamp::from_millisecond(by).ok()?;
        Some((
            by,
            match &zone {
                Some(z) => by
                    .to_zoned(z.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string(),
                None => by.strftime("%Y-%m-%d %H:%M UTC").to_string(),
            },
        ))
    };
    fn name(v: &serde_json::Value) -> &str {
        v.get("topic").and_then(|x| x.as_str()).unwrap_or("")
    }
    if topics.iter().any(|v| name(v) == "resolved") {
        return Some((t.resolved)(&number));
    }
    let mut lines: Vec<(String, String)> = Vec::new();
    for v in topics {
        let line = match name(v) {
            "assigned" => (t.assigned)(&number),
            "escalated" => (t.escalated)(&number, when(v).map(|(_, s)| s).as_deref()),
            "status" => match v
                .get("status")
                .and_then(|s| s.as_str())
                .and_then(|s| s.parse().ok())
            {
                Some(status) => (t.status)(&number, status),
                None => continue,
            },
            // Never after the promised time.
            "still_on_it" => match when(v) {
                Some((by, text)) if by > now => (t.still_on_it)(&number, &text),
                _ => continue,
            },
            _ => continue,
        };
        let key = name(v).to_owned();
        lines.retain(|(k, _)| *k != key);
        lines.push((key, line));
    }
    if lines.is_empty() {
        None
    } else {
        Some(
            lines
                .into_iter()
                .map(|(_, l)| l)
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_domain::{AgentId, CategoryCode, Channel, CustomerId, Priority, TicketNumber};
    use serde_json::json;

    fn ticket() -> Ticket {
        let at = Timestamp::UNIX_EPOCH;
        Ticket {
            id: TicketId(1),
            number: TicketNumber::new(jiff::civil::date(2026, 11, 30), 7),
            customer_id: CustomerId(1),
            channel: Channel::Social,
            subject: "s".into(),
            category: CategoryCode::general(),
            priority: Priority::Normal,
            status: TicketStatus::Assigned,
            assignee: Some(AgentId(1)),
            team: None,
            context: json!({}),
            created_at: at,
            updated_at: at,
            first_response_at: None,
            first_response_due: None,
            resolved_at: None,
        }
    }

    fn at(s: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + s).unwrap()
    }

    #[test]
    fn many_topics_make_one_message_with_one_line_each() {
        let topics = [
            json!({"topic": "assigned"}),
            json!({"topic": "status", "status": "pending_customer"}),
            json!({"topic": "assigned"}),
        ];
        let body = render(&topics, &ticket(), "en", at(0)).unwrap();
        assert_eq!(body.lines().count(), 2, "{body}");
        assert!(body.contains("with one of our agents"));
    }

    #[test]
    fn a_resolution_says_it_all() {
        let topics = [json!({"topic": "assigned"}), json!({"topic": "resolved"})];
        let body = render(&topics, &ticket(), "zh-CN", at(0)).unwrap();
        assert!(body.contains("已解决") && !body.contains('\n'), "{body}");
    }

    #[test]
    fn still_on_it_never_goes_out_after_the_promised_time() {
        let promise = json!({"topic": "still_on_it", "by_ms": at(60).as_millisecond()});
        assert!(render(std::slice::from_ref(&promise), &ticket(), "en", at(0)).is_some());
        assert_eq!(
            render(std::slice::from_ref(&promise), &ticket(), "en", at(60)),
            None
        );
        assert_eq!(render(&[promise], &ticket(), "en", at(61)), None);
    }

    #[test]
    fn still_on_it_is_due_ahead_of_the_promise_or_halfway() {
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(
            still_on_it_at(at(10 * 3600), at(0), hour),
            Some(at(9 * 3600))
        );
        assert_eq!(still_on_it_at(at(3600), at(0), hour * 2), Some(at(1800)));
        assert_eq!(still_on_it_at(at(0), at(0), hour), None);
        assert_eq!(still_on_it_at(at(-1), at(0), hour), None);
    }
}
