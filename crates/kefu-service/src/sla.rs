//! SLA clocks and their durable timers. kefu-routing's `SlaTracker` holds a ticket's three
//! clocks (first response, next response, resolution; paused while waiting on the
//! customer); after each event the store keeps, per target, the one timer the tracker says
//! is next, in the same transaction as the tracker's new state. The calendar is 24×7 until
//! business calendars are configurable.

use crate::core::{Catalogue, Core};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{Priority, SlaTargets, Ticket, TicketId};
use kefu_routing::{BusinessCalendar, SlaTarget, SlaTimers, SlaTracker, TimerKind};
use kefu_store::{
    Breach, BreachPolicy, BreachResponse, NewTimer, SlaSchedule, SlaTimerKind, SlaUpdate,
};

/// What happened to a ticket, as far as its SLA clocks care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaEvent {
    Opened,
    AgentReplied,
    CustomerReplied,
    WaitingOnCustomer,
    StoppedWaiting,
    Resolved,
    Reopened,
    /// The category or priority changed: new targets, time already counted stays.
    Retargeted,
}

/// The targets for a category and priority: the category's own policy, else the catch-all
/// one, else the default policy for the priority.
pub fn targets(catalogue: &Catalogue, category: &str, priority: Priority) -> SlaTargets {
    let pick = |cat: Option<&str>| {
        catalogue
            .sla
            .iter()
            .find(|p| p.priority == priority && p.category.as_deref() == cat)
            .map(|p| p.targets)
    };
    pick(Some(category))
        .or_else(|| pick(None))
        .or_else(|| {
            kefu_domain::sla::default_policies()
                .into_iter()
                .find(|p| p.priority == priority)
                .map(|p| p.targets)
        })
        .unwrap_or(SlaTargets {
            first_response_minutes: kefu_domain::sla::FIRST_RESPONSE_CEILING_MINUTES,
            next_response_minutes: kefu_domain::sla::FIRST_RESPONSE_CEILING_MINUTES,
            resolution_minutes: 3 * kefu_domain::sla::FIRST_RESPONSE_CEILING_MINUTES,
        })
}

/// When the ticket should be resolved by, counted from intake (24×7, pauses not deducted).
pub fn expected_resolution(catalogue: &Catalogue, t: &Ticket) -> Option<Timestamp> {
    let minutes = targets(catalogue, t.category.as_str(), t.priority).resolution_minutes;
    t.created_at
        .checked_add(SignedDuration::from_mins(i64::from(minutes)))
        .ok()
}

fn schedule(
    tracker: &SlaTracker,
    timers: SlaTimers,
    only: Option<SlaTarget>,
) -> Option<SlaSchedule> {
    let state = serde_json::to_string(tracker).ok()?;
    let timers = timers
        .iter()
        .filter(|(target, _)| only.is_none_or(|o| o == *target))
        .map(|(target, timer)| {
            let timer = timer.map(|(kind, due_at)| NewTimer {
                kind: match kind {
                    TimerKind::Warning => SlaTimerKind::Warning,
                    TimerKind::Breach => SlaTimerKind::Breach,
                },
                due_at,
            });
            (target.as_str().to_owned(), timer)
        })
        .collect();
    Some(SlaSchedule { state, timers })
}

fn restore(
    stored: Option<String>,
    targets: SlaTargets,
    opened: Timestamp,
    calendar: &BusinessCalendar,
) -> SlaTracker {
    stored
        .and_then(|s| serde_json::from_str::<SlaTracker>(&s).ok())
        .unwrap_or_else(|| {
            // Tickets from before SLA tracking start their clocks at intake.
            let mut t = SlaTracker::new(targets);
            t.ticket_opened(calendar, opened);
            t
        })
}

/// The clocks and first timers of a ticket opened now, written with the ticket itself.
pub fn opening(
    calendar: &BusinessCalendar,
    catalogue: &Catalogue,
    category: &str,
    priority: Priority,
    now: Timestamp,
) -> Option<SlaSchedule> {
    let mut tracker = SlaTracker::new(targets(catalogue, category, priority));
    let timers = tracker.ticket_opened(calendar, now);
    schedule(&tracker, timers, None)
}

/// Applies an event to the ticket's clocks and reschedules its timers. Failures are
/// logged: the change that caused the event has been made, and a ticket without timers
/// still shows its first-response deadline.
pub async fn record(state: &Core, ticket: &Ticket, event: SlaEvent, now: Timestamp) {
    let targets = targets(
        &state.catalogue(),
        ticket.category.as_str(),
        ticket.priority,
    );
    let opened = ticket.created_at;
    let calendar = state.settings.calendar.clone();
    let update: SlaUpdate = Box::new(move |stored| {
        let mut tracker = restore(stored, targets, opened, &calendar);
        let timers = match event {
            SlaEvent::Opened => tracker.ticket_opened(&calendar, now),
            SlaEvent::AgentReplied => tracker.agent_replied(&calendar, now),
            SlaEvent::CustomerReplied => tracker.customer_replied(&calendar, now),
            SlaEvent::WaitingOnCustomer => tracker.waiting_on_customer(&calendar, now),
            SlaEvent::StoppedWaiting => tracker.stopped_waiting(&calendar, now),
            SlaEvent::Resolved => tracker.resolved(&calendar, now),
            SlaEvent::Reopened => tracker.reopened(&calendar, now),
            SlaEvent::Retargeted => tracker.set_targets(&calendar, now, targets),
        };
        schedule(&tracker, timers, None)
    });
    if let Err(e) = state.store.update_sla(ticket.id, now, update).await {
        tracing::warn!(ticket.number = %ticket.number, error = %e, "updating SLA timers failed");
    }
}

/// After a warning fired, the same target's next timer (its breach) is scheduled.
pub async fn after_warning(
    state: &Core,
    ticket: TicketId,
    target: &str,
    due_at: Timestamp,
) -> Result<(), kefu_store::StoreError> {
    let Some(target) = SlaTarget::ALL.into_iter().find(|t| t.as_str() == target) else {
        return Ok(());
    };
    let calendar = state.settings.calendar.clone();
    let update: SlaUpdate = Box::new(move |stored| {
        let tracker = serde_json::from_str::<SlaTracker>(&stored?).ok()?;
        // Stored due times are whole milliseconds, a hair before the clock's own threshold:
        // look a second later, and never schedule that warning again.
        let after = due_at
            .checked_add(SignedDuration::from_secs(1))
            .unwrap_or(due_at);
        let mut timers = tracker.timers(&calendar, after);
        let next = timers
            .get(target)
            .filter(|(kind, _)| *kind == TimerKind::Breach);
        match target {
            SlaTarget::FirstResponse => timers.first_response = next,
            SlaTarget::NextResponse => timers.next_response = next,
            SlaTarget::Resolution => timers.resolution = next,
        }
        schedule(&tracker, timers, Some(target))
    });
    state
        .store
        .update_sla(ticket, due_at, update)
        .await
        .map(|_| ())
}

/// The first-response deadline of a ticket under its (new) category and priority, counted
/// from intake; `None` once a person has answered.
pub fn first_response_due(catalogue: &Catalogue, t: &Ticket) -> Option<Timestamp> {
    if t.first_response_at.is_some() {
        return None;
    }
    let minutes = targets(catalogue, t.category.as_str(), t.priority).first_response_minutes;
    t.created_at
        .checked_add(SignedDuration::from_mins(i64::from(minutes)))
        .ok()
}

/// What a breach does, decided by kefu-routing's [`kefu_routing::breach_actions`] (raise
/// one step; requeue when the owner is not present) and worded from `messages` (the staff
/// language): the store asks it once per breach inside the claiming transaction.
pub fn breach_policy(messages: &'static crate::messages::Messages) -> BreachPolicy {
    Box::new(move |b: &Breach<'_>| {
        let decided = kefu_routing::breach_actions(b.ticket.priority, b.owner_presence);
        let priority = decided.raise_to.unwrap_or(b.ticket.priority);
        BreachResponse {
            raise_to: decided.raise_to,
            lead_note: Some((messages.sla_breach_lead_note)(
                b.target, b.due_at, priority,
            )),
            requeue_reason: decided
                .requeue
                .then(|| (messages.sla_breach_requeued)(b.target)),
        }
    })
}
