//! Reporting rules: what each ticket event adds to the hourly report rollups.
//!
//! A ticket's events are folded in `seq` order over a small per-ticket state,
//! [`TicketFacts`] (when it opened, whether a person touched it, since when the customer
//! waits, …). Each event yields [`Contribution`]s to the bucket of the hour the event
//! happened in, under the ticket's dimensions at that moment (channel, domain, team, and the
//! agent who acted or owns it). So a contribution is never revised later: rollups grow by
//! adding, and folding the same log twice from scratch gives the same rows.
//!
//! The rules, in short:
//! - *first response*: the first agent message; its time is measured from opening;
//! - *next response*: an agent message answering a customer message written after the
//!   first response, measured from the earliest unanswered customer message;
//! - *resolution*: each move to `resolved`, measured from opening (a reopened ticket
//!   resolved again counts twice, and once as `reopened`);
//! - *bot-resolved* (containment): resolved while no person has touched the ticket
//!   (assigned, escalated, transferred or answered by an agent);
//! - *queue wait*: from opening (intake may queue a ticket at once) or the latest move to
//!   `queued` to the next assignment;
//! - *time with specialists*: from escalation to being sent back or resolved;
//! - SLA warnings and breaches count what the timers wrote (paused clocks are the timers'
//!   business: a paused target simply writes no breach);
//! - a survey counts as sent once per resolution (reminders are not counted again).

use crate::{Actor, EventKind, Priority, TicketEvent};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Milliseconds in an hour: the width of a rollup bucket.
pub const HOUR_MS: i64 = 3_600_000;
/// The product's promise: a first response within 24 hours.
pub const PROMISE_MS: i64 = 24 * HOUR_MS;

/// An exact count kept per bucket. The stored column is [`Counter::column`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    Opened,
    HandedOff,
    Resolved,
    BotResolved,
    Reopened,
    Escalated,
    SentBack,
    FirstResponses,
    Within24h,
    SurveysSent,
    CsatAnswers,
    CsatSum,
    CsatLow,
    HelpfulYes,
    HelpfulNo,
    SlaWarnings,
    SlaBreaches,
    ReviewsOpened,
}

impl Counter {
    /// Every counter, in column order.
    pub const ALL: [Counter; 18] = [
        Self::Opened,
        Self::HandedOff,
        Self::Resolved,
        Self::BotResolved,
        Self::Reopened,
        Self::Escalated,
        Self::SentBack,
        Self::FirstResponses,
        Self::Within24h,
        Self::SurveysSent,
        Self::CsatAnswers,
        Self::CsatSum,
        Self::CsatLow,
        Self::HelpfulYes,
        Self::HelpfulNo,
        Self::SlaWarnings,
        Self::SlaBreaches,
        Self::ReviewsOpened,
    ];

    /// The rollup column (and the name in report output).
    pub fn column(self) -> &'static str {
        match self {
            Self::Opened => "opened",
            Self::HandedOff => "handed_off",
            Self::Resolved => "resolved",
            Self::BotResolved => "bot_resolved",
            Self::Reopened => "reopened",
            Self::Escalated => "escalated",
            Self::SentBack => "sent_back",
            Self::FirstResponses => "first_responses",
            Self::Within24h => "within_24h",
            Self::SurveysSent => "surveys_sent",
            Self::CsatAnswers => "csat_answers",
            Self::CsatSum => "csat_sum",
            Self::CsatLow => "csat_low",
            Self::HelpfulYes => "helpful_yes",
            Self::HelpfulNo => "helpful_no",
            Self::SlaWarnings => "sla_warnings",
            Self::SlaBreaches => "sla_breaches",
            Self::ReviewsOpened => "reviews_opened",
        }
    }

    /// Its index in [`Counter::ALL`].
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }
}

/// A duration measured per ticket, kept per bucket as count, exact sum and a sketch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timing {
    FirstResponse,
    NextResponse,
    Resolution,
    QueueWait,
    Specialist,
}

impl Timing {
    pub const ALL: [Timing; 5] = [
        Self::FirstResponse,
        Self::NextResponse,
        Self::Resolution,
        Self::QueueWait,
        Self::Specialist,
    ];

    /// The column prefix (`frt` → `frt_count`, `frt_sum_ms`, `frt_sketch`).
    pub fn column(self) -> &'static str {
        match self {
            Self::FirstResponse => "frt",
            Self::NextResponse => "nrt",
            Self::Resolution => "res",
            Self::QueueWait => "wait",
            Self::Specialist => "spec",
        }
    }

    /// The name in report output.
    pub fn name(self) -> &'static str {
        match self {
            Self::FirstResponse => "first_response",
            Self::NextResponse => "next_response",
            Self::Resolution => "resolution",
            Self::QueueWait => "queue_wait",
            Self::Specialist => "with_specialists",
        }
    }

    pub fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// Counts under a free-form label (hand-over reasons, SLA targets per priority, review
/// outcomes).
pub mod label {
    /// Why the bot handed over (`label` = the reason).
    pub const HANDOFF_REASON: &str = "handoff_reason";
    /// A target completed (first response, next response, resolution), `target/priority`.
    pub const SLA_DONE: &str = "sla_done";
    /// An SLA warning, `target/priority`.
    pub const SLA_WARNING: &str = "sla_warning";
    /// An SLA breach, `target/priority`.
    pub const SLA_BREACH: &str = "sla_breach";
    /// A closed low-score review, by outcome.
    pub const REVIEW_OUTCOME: &str = "review_outcome";
}

/// What a contribution adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Amount {
    Count(Counter, i64),
    Sample(Timing, i64),
    Label(&'static str, String),
}

/// One addition to the bucket of `hour_ms` under the ticket's dimensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// The bucket: the event's time rounded down to the hour (UTC milliseconds).
    pub hour_ms: i64,
    pub channel: String,
    pub category: String,
    /// The team handling the ticket, 0 for none.
    pub team: i64,
    /// The agent who acted (or owns the ticket), 0 for none.
    pub agent: i64,
    pub amount: Amount,
}

/// The per-ticket state the fold keeps between events (stored as JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketFacts {
    pub channel: String,
    pub category: String,
    pub priority: String,
    pub team: i64,
    pub agent: i64,
    pub opened_ms: i64,
    pub first_response_ms: Option<i64>,
    /// The earliest customer message not answered yet (after the first response).
    pub awaiting_ms: Option<i64>,
    pub queued_ms: Option<i64>,
    pub escalated_ms: Option<i64>,
    /// A person has touched it.
    pub human: bool,
    pub resolved: bool,
    pub survey_counted: bool,
}

impl TicketFacts {
    /// A ticket as it was opened: its original channel, domain and priority.
    pub fn opened(channel: &str, category: &str, priority: Priority, opened_ms: i64) -> Self {
        Self {
            channel: channel.to_owned(),
            category: category.to_owned(),
            priority: priority.as_str().to_owned(),
            team: 0,
            agent: 0,
            opened_ms,
            first_response_ms: None,
            awaiting_ms: None,
            queued_ms: None,
            escalated_ms: None,
            human: false,
            resolved: false,
            survey_counted: false,
        }
    }
}

/// Teams of agents and team ids by code: the directory the fold reads dimensions from.
#[derive(Debug, Clone, Default)]
pub struct Directory {
    pub agent_team: HashMap<i64, i64>,
    pub team_by_code: HashMap<String, i64>,
}

impl Directory {
    fn team_of(&self, agent: i64) -> i64 {
        self.agent_team.get(&agent).copied().unwrap_or(0)
    }
}

/// The UTC hour an instant (milliseconds) falls in.
pub fn hour_of(ms: i64) -> i64 {
    ms.div_euclid(HOUR_MS) * HOUR_MS
}

/// Folds one event into `facts`, returning what it adds to the rollups.
pub fn fold(facts: &mut TicketFacts, event: &TicketEvent, dir: &Directory) -> Vec<Contribution> {
    let at = event.at.as_millisecond();
    let actor_agent = match event.actor {
        Actor::Agent { id } => Some(id.0),
        _ => None,
    };
    let mut out = Vec::new();
    // Dimensions are taken after the event changed them (an assignment counts for its agent).
    let mut add = |facts: &TicketFacts, agent: Option<i64>, amount: Amount| {
        out.push(Contribution {
            hour_ms: hour_of(at),
            channel: facts.channel.clone(),
            category: facts.category.clone(),
            team: facts.team,
            agent: agent.unwrap_or(facts.agent),
            amount,
        });
    };
    let done = |facts: &TicketFacts, target: &str| {
        Amount::Label(label::SLA_DONE, format!("{target}/{}", facts.priority))
    };
    match &event.kind {
        EventKind::Opened { .. } => {
            facts.opened_ms = at;
            facts.queued_ms = Some(at);
            add(facts, None, Amount::Count(Counter::Opened, 1));
        }
        EventKind::HandedOff { reason, .. } => {
            add(facts, None, Amount::Count(Counter::HandedOff, 1));
            add(
                facts,
                None,
                Amount::Label(label::HANDOFF_REASON, reason.clone()),
            );
        }
        EventKind::MessageAdded { message_kind, .. } => match message_kind.as_str() {
            "agent" => {
                facts.human = true;
                if facts.first_response_ms.is_none() {
                    facts.first_response_ms = Some(at);
                    let took = at - facts.opened_ms;
                    add(
                        facts,
                        actor_agent,
                        Amount::Count(Counter::FirstResponses, 1),
                    );
                    add(
                        facts,
                        actor_agent,
                        Amount::Sample(Timing::FirstResponse, took),
                    );
                    add(facts, actor_agent, done(facts, "first_response"));
                    if took <= PROMISE_MS {
                        add(facts, actor_agent, Amount::Count(Counter::Within24h, 1));
                    }
                } else if let Some(since) = facts.awaiting_ms.take() {
                    add(
                        facts,
                        actor_agent,
                        Amount::Sample(Timing::NextResponse, at - since),
                    );
                    add(facts, actor_agent, done(facts, "next_response"));
                }
            }
            "customer" if facts.first_response_ms.is_some() && facts.awaiting_ms.is_none() => {
                facts.awaiting_ms = Some(at);
            }
            "survey" if facts.resolved && !facts.survey_counted => {
                facts.survey_counted = true;
                add(facts, None, Amount::Count(Counter::SurveysSent, 1));
            }
            _ => {}
        },
        EventKind::StatusChanged { from, to, .. } => {
            if from == "resolved" && to != "closed" && to != "resolved" {
                facts.resolved = false;
                add(facts, None, Amount::Count(Counter::Reopened, 1));
            }
            match to.as_str() {
                "queued" => facts.queued_ms = Some(at),
                "resolved" if from != "resolved" => {
                    facts.resolved = true;
                    facts.survey_counted = false;
                    facts.awaiting_ms = None;
                    add(facts, None, Amount::Count(Counter::Resolved, 1));
                    add(
                        facts,
                        None,
                        Amount::Sample(Timing::Resolution, at - facts.opened_ms),
                    );
                    add(facts, None, done(facts, "resolution"));
                    if !facts.human {
                        add(facts, None, Amount::Count(Counter::BotResolved, 1));
                    }
                    if let Some(since) = facts.escalated_ms.take() {
                        add(facts, None, Amount::Sample(Timing::Specialist, at - since));
                    }
                }
                _ => {}
            }
        }
        EventKind::Assigned { agent_id, .. } => {
            facts.human = true;
            facts.agent = agent_id.0;
            facts.team = dir.team_of(agent_id.0);
            if let Some(since) = facts.queued_ms.take() {
                add(facts, None, Amount::Sample(Timing::QueueWait, at - since));
            }
        }
        EventKind::Escalated { team, .. } => {
            facts.human = true;
            facts.escalated_ms = Some(at);
            facts.team = dir.team_by_code.get(team).copied().unwrap_or(0);
            add(facts, actor_agent, Amount::Count(Counter::Escalated, 1));
        }
        EventKind::SentBack { to_agent, .. } => {
            add(facts, actor_agent, Amount::Count(Counter::SentBack, 1));
            if let Some(since) = facts.escalated_ms.take() {
                add(
                    facts,
                    actor_agent,
                    Amount::Sample(Timing::Specialist, at - since),
                );
            }
            facts.agent = to_agent.map_or(0, |a| a.0);
            facts.team = dir.team_of(facts.agent);
        }
        EventKind::Transferred { to_agent, team, .. } => {
            facts.human = true;
            facts.agent = to_agent.map_or(0, |a| a.0);
            facts.team = match team {
                Some(code) => dir.team_by_code.get(code).copied().unwrap_or(0),
                None => dir.team_of(facts.agent),
            };
        }
        EventKind::CategoryChanged { to, .. } => facts.category = to.clone(),
        EventKind::PriorityChanged { to, .. } => facts.priority = to.clone(),
        EventKind::SlaWarning { target, .. } => {
            add(facts, None, Amount::Count(Counter::SlaWarnings, 1));
            let l = format!("{target}/{}", facts.priority);
            add(facts, None, Amount::Label(label::SLA_WARNING, l));
        }
        EventKind::SlaBreached { target, .. } => {
            add(facts, None, Amount::Count(Counter::SlaBreaches, 1));
            let l = format!("{target}/{}", facts.priority);
            add(facts, None, Amount::Label(label::SLA_BREACH, l));
        }
        EventKind::SurveyAnswered { score, helpful, .. } => {
            if let Some(s) = score {
                add(facts, None, Amount::Count(Counter::CsatAnswers, 1));
                add(facts, None, Amount::Count(Counter::CsatSum, i64::from(*s)));
                if *s <= 2 {
                    add(facts, None, Amount::Count(Counter::CsatLow, 1));
                }
            }
            match helpful {
                Some(true) => add(facts, None, Amount::Count(Counter::HelpfulYes, 1)),
                Some(false) => add(facts, None, Amount::Count(Counter::HelpfulNo, 1)),
                None => {}
            }
        }
        EventKind::ReviewOpened { .. } => {
            add(facts, None, Amount::Count(Counter::ReviewsOpened, 1));
        }
        EventKind::ReviewClosed { outcome, .. } => {
            add(
                facts,
                None,
                Amount::Label(label::REVIEW_OUTCOME, outcome.clone()),
            );
        }
        // Deliveries and notifications change no report figure (yet).
        EventKind::Unroutable { .. }
        | EventKind::ReviewAssigned { .. }
        | EventKind::CustomerNotified { .. }
        | EventKind::DeliveryFailed { .. } => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AgentId, EventId, TicketId};

    fn ev(seq: i64, min: i64, actor: Actor, kind: EventKind) -> TicketEvent {
        TicketEvent {
            id: EventId(seq),
            ticket_id: TicketId(1),
            seq,
            actor,
            kind,
            at: jiff::Timestamp::from_millisecond(min * 60_000).unwrap_or_default(),
        }
    }

    fn status(from: &str, to: &str) -> EventKind {
        EventKind::StatusChanged {
            from: from.into(),
            to: to.into(),
            reason: None,
        }
    }

    fn msg(kind: &str) -> EventKind {
        EventKind::MessageAdded {
            message_id: 1,
            message_kind: kind.into(),
        }
    }

    fn run(events: &[TicketEvent]) -> Vec<Contribution> {
        let mut dir = Directory::default();
        dir.agent_team.insert(7, 3);
        let mut facts = TicketFacts::opened("app", "account", Priority::Normal, 0);
        events
            .iter()
            .flat_map(|e| fold(&mut facts, e, &dir))
            .collect()
    }

    fn samples(c: &[Contribution], t: Timing) -> Vec<i64> {
        c.iter()
            .filter_map(|c| match c.amount {
                Amount::Sample(tt, v) if tt == t => Some(v),
                _ => None,
            })
            .collect()
    }

    fn count(c: &[Contribution], k: Counter) -> i64 {
        c.iter()
            .map(|c| match c.amount {
                Amount::Count(kk, n) if kk == k => n,
                _ => 0,
            })
            .sum()
    }

    #[test]
    fn bot_resolved_ticket_is_contained_and_has_no_first_response() {
        let c = run(&[
            ev(
                1,
                0,
                Actor::Customer,
                EventKind::Opened {
                    channel: "app".into(),
                },
            ),
            ev(2, 1, Actor::Bot, msg("bot")),
            ev(3, 5, Actor::Customer, status("new", "resolved")),
        ]);
        assert_eq!(count(&c, Counter::BotResolved), 1);
        assert_eq!(count(&c, Counter::FirstResponses), 0);
        assert_eq!(samples(&c, Timing::Resolution), vec![5 * 60_000]);
    }

    #[test]
    fn agent_work_reopen_and_next_response_are_measured() {
        let agent = Actor::Agent { id: AgentId(7) };
        let c = run(&[
            ev(
                1,
                0,
                Actor::Customer,
                EventKind::Opened {
                    channel: "app".into(),
                },
            ),
            ev(2, 0, Actor::Bot, status("new", "queued")),
            ev(
                3,
                10,
                Actor::System,
                EventKind::Assigned {
                    agent_id: AgentId(7),
                    reason: "r".into(),
                },
            ),
            ev(4, 30, agent.clone(), msg("agent")),
            ev(5, 40, Actor::Customer, msg("customer")),
            ev(6, 45, Actor::Customer, msg("customer")),
            ev(7, 100, agent.clone(), msg("agent")),
            ev(8, 120, agent.clone(), status("assigned", "resolved")),
            ev(9, 200, Actor::Customer, status("resolved", "assigned")),
            ev(10, 260, agent, status("assigned", "resolved")),
        ]);
        assert_eq!(samples(&c, Timing::QueueWait), vec![10 * 60_000]);
        assert_eq!(samples(&c, Timing::FirstResponse), vec![30 * 60_000]);
        assert_eq!(samples(&c, Timing::NextResponse), vec![60 * 60_000]);
        assert_eq!(
            samples(&c, Timing::Resolution),
            vec![120 * 60_000, 260 * 60_000]
        );
        assert_eq!(count(&c, Counter::Reopened), 1);
        assert_eq!(count(&c, Counter::BotResolved), 0);
        assert!(
            c.iter()
                .filter(|c| c.hour_ms > 0)
                .all(|c| c.team == 3 && c.agent == 7)
        );
    }

    #[test]
    fn hours_round_down_before_the_epoch_too() {
        assert_eq!(hour_of(-1), -HOUR_MS);
        assert_eq!(hour_of(HOUR_MS + 5), HOUR_MS);
    }
}
