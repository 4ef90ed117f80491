//! The live numbers `/metrics` reports, read at each scrape in one use-case: waiting tickets
//! by domain, the oldest waiting ticket's age, agents by presence, jobs by state and tickets
//! by status. Every query is a grouped count; no caller check (the
//! figures carry no personal data, and `/metrics` is for the operator's scraper).
//!
//! The bot's decisions and SLA breaches are counters instead ([`record_decision`],
//! [`record_breach`]): they are events, not state, counted where they happen (counting
//! them in the database at each scrape would read every event ever logged).

use crate::core::Core;
use crate::error::ServiceResult;
use jiff::Timestamp;
use kefu_bot::Decision;
use kefu_domain::{AgentPresence, CategoryCode, TicketStatus};
use kefu_store::JobCounts;
use std::collections::BTreeMap;

/// The counter of bot decisions, labelled `decision`.
pub const BOT_DECISIONS: &str = "kefu_bot_decisions_total";
/// The counter of SLA breaches (`sla_breached` events), labelled `target`.
pub const SLA_BREACHES: &str = "kefu_sla_breaches_total";

/// What one scrape reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Gauges {
    pub tickets_by_status: Vec<(TicketStatus, i64)>,
    /// Unowned queued or escalated tickets per domain (all priorities and lanes together).
    pub waiting_by_domain: BTreeMap<CategoryCode, u64>,
    /// Seconds since the oldest waiting ticket was opened; 0 when nothing waits.
    pub oldest_waiting_seconds: f64,
    /// Every presence, zero when no agent has it (offline: agents who set it explicitly).
    pub agents_by_presence: Vec<(AgentPresence, u64)>,
    pub jobs: JobCounts,
}

/// Reads the gauges now.
pub async fn read(core: &Core) -> ServiceResult<Gauges> {
    let now = Timestamp::now();
    let live = core.store.live_counts().await?;
    let mut waiting_by_domain = BTreeMap::new();
    for lane in &live.waiting {
        *waiting_by_domain.entry(lane.category.clone()).or_insert(0) += lane.count;
    }
    let oldest_waiting_seconds = live.oldest_waiting_since.map_or(0.0, |since| {
        now.duration_since(since).as_secs_f64().max(0.0)
    });
    let agents_by_presence = AgentPresence::ALL
        .iter()
        .map(|p| {
            let n = live
                .presence
                .iter()
                .filter(|(q, _)| q == p)
                .map(|(_, n)| n)
                .sum();
            (*p, n)
        })
        .collect();
    Ok(Gauges {
        tickets_by_status: core.store.count_by_status().await?,
        waiting_by_domain,
        oldest_waiting_seconds,
        agents_by_presence,
        jobs: core.store.job_counts(now).await?,
    })
}

/// The `decision` label of a bot decision.
pub fn decision_label(decision: &Decision) -> &'static str {
    match decision {
        Decision::Answer { .. } => "answered",
        Decision::Suggest { .. } => "suggested",
        Decision::Handoff { .. } => "handed_over",
        Decision::Collect { .. } => "collecting_details",
        Decision::SmallTalk { .. } => "small_talk",
    }
}

/// Counts one bot decision on a customer's message (in the process-wide recorder, if any).
pub fn record_decision(decision: &Decision) {
    metrics::counter!(BOT_DECISIONS, "decision" => decision_label(decision)).increment(1);
}

/// Counts one breached SLA deadline; `target` is the clock's name (`first_response`,
/// `resolution` …, a closed set).
pub fn record_breach(target: &str) {
    metrics::counter!(SLA_BREACHES, "target" => target.to_owned()).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use kefu_bot::HandoffReason;

    #[test]
    fn each_decision_has_its_own_label() {
        let answer = Decision::Answer {
            id: "a".into(),
            score: 0.9,
        };
        let handoff = Decision::Handoff {
            reason: HandoffReason::CustomerAsked,
        };
        assert_eq!(decision_label(&answer), "answered");
        assert_eq!(decision_label(&handoff), "handed_over");
        assert_eq!(
            decision_label(&Decision::Suggest { candidates: vec![] }),
            "suggested"
        );
    }
}
