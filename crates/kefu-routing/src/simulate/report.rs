//! What a simulation run reports, how it is tallied, and its readable table.
//!
//! Service level = answered within the threshold / (answered + abandoned); ASA is over
//! answered tickets; SLA attainment = first response within the domain's target / tickets
//! routed to people (abandoned and never-answered tickets miss it); occupancy = busy time
//! (a chat counts 1/capacity of an agent) / time on shift within the horizon.

use super::scenario::Scenario;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// One domain's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryReport {
    pub code: String,
    pub offered: u64,
    pub contained_by_bot: u64,
    pub routed: u64,
    pub answered: u64,
    pub abandoned: u64,
    pub service_level: f64,
    pub asa_seconds: f64,
    pub sla_attainment: f64,
}

/// One agent's outcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentReport {
    pub agent_id: i64,
    pub group: String,
    pub handled: u64,
    pub on_shift_hours: f64,
    pub occupancy: f64,
}

/// The outcome of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub days: u32,
    pub offered: u64,
    pub contained_by_bot: u64,
    /// Tickets that reached the routing queue (simulated tickets).
    pub routed: u64,
    pub answered: u64,
    pub abandoned: u64,
    /// Still waiting when the run stopped (two days after the horizon).
    pub unanswered_at_end: u64,
    pub service_level_seconds: f64,
    pub service_level: f64,
    pub asa_seconds: f64,
    pub abandonment_rate: f64,
    pub average_occupancy: f64,
    pub events: u64,
    pub categories: Vec<CategoryReport>,
    pub agents: Vec<AgentReport>,
}

#[derive(Debug, Clone, Default)]
pub(super) struct CategoryTally {
    pub offered: u64,
    pub contained: u64,
    pub routed: u64,
    answered: u64,
    within_sl: u64,
    within_target: u64,
    abandoned: u64,
    wait_ms: f64,
}

#[derive(Debug, Clone, Default)]
pub(super) struct AgentTally {
    id: i64,
    group: usize,
    pub handled: u64,
    pub busy_ms: f64,
    pub on_shift_ms: i64,
}

#[derive(Debug, Clone)]
pub(super) struct Tally {
    sl_ms: f64,
    target_ms: Vec<f64>,
    pub categories: Vec<CategoryTally>,
    pub agents: Vec<AgentTally>,
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl Tally {
    pub fn new(s: &Scenario) -> Self {
        Self {
            sl_ms: s.service_level_seconds * 1000.0,
            target_ms: s
                .categories
                .iter()
                .map(|c| c.first_response_target_seconds * 1000.0)
                .collect(),
            categories: vec![CategoryTally::default(); s.categories.len()],
            agents: Vec::new(),
        }
    }

    pub fn add_agent(&mut self, id: i64, group: usize) {
        self.agents.push(AgentTally {
            id,
            group,
            ..AgentTally::default()
        });
    }

    pub fn answered(&mut self, category: usize, wait_ms: i64, counted: bool) {
        if !counted {
            return;
        }
        let w = wait_ms as f64;
        let c = &mut self.categories[category];
        c.answered += 1;
        c.wait_ms += w;
        c.within_sl += u64::from(w <= self.sl_ms);
        c.within_target += u64::from(w <= self.target_ms[category]);
    }

    pub fn abandoned(&mut self, category: usize, _waited_ms: i64, counted: bool) {
        if counted {
            self.categories[category].abandoned += 1;
        }
    }

    pub fn finish(self, s: &Scenario, events: u64, still_queued: usize) -> Report {
        let horizon_ms = f64::from(s.days) * 86_400_000.0;
        let categories: Vec<CategoryReport> = self
            .categories
            .iter()
            .zip(&s.categories)
            .map(|(t, c)| CategoryReport {
                code: c.code.clone(),
                offered: t.offered,
                contained_by_bot: t.contained,
                routed: t.routed,
                answered: t.answered,
                abandoned: t.abandoned,
                service_level: ratio(t.within_sl as f64, (t.answered + t.abandoned) as f64),
                asa_seconds: ratio(t.wait_ms, t.answered as f64) / 1000.0,
                sla_attainment: ratio(t.within_target as f64, t.routed as f64),
            })
            .collect();
        let agents: Vec<AgentReport> = self
            .agents
            .iter()
            .map(|a| {
                let group = &s.agents[a.group];
                let on_ms = if group.shifts.is_empty() {
                    horizon_ms
                } else {
                    a.on_shift_ms as f64
                };
                AgentReport {
                    agent_id: a.id,
                    group: group.name.clone(),
                    handled: a.handled,
                    on_shift_hours: on_ms / 3_600_000.0,
                    occupancy: ratio(a.busy_ms, on_ms),
                }
            })
            .collect();
        let sum = |f: fn(&CategoryTally) -> u64| self.categories.iter().map(f).sum::<u64>();
        let answered = sum(|c| c.answered);
        let abandoned = sum(|c| c.abandoned);
        let routed = sum(|c| c.routed);
        let wait: f64 = self.categories.iter().map(|c| c.wait_ms).sum();
        let busy: f64 = self.agents.iter().map(|a| a.busy_ms).sum();
        let on: f64 = agents.iter().map(|a| a.on_shift_hours * 3_600_000.0).sum();
        Report {
            days: s.days,
            offered: sum(|c| c.offered),
            contained_by_bot: sum(|c| c.contained),
            routed,
            answered,
            abandoned,
            unanswered_at_end: u64::try_from(still_queued).unwrap_or(u64::MAX),
            service_level_seconds: s.service_level_seconds,
            service_level: ratio(sum(|c| c.within_sl) as f64, (answered + abandoned) as f64),
            asa_seconds: ratio(wait, answered as f64) / 1000.0,
            abandonment_rate: ratio(abandoned as f64, routed as f64),
            average_occupancy: ratio(busy, on),
            events,
            categories,
            agents,
        }
    }
}

/// A readable summary: totals, one row per domain, one row per agent group.
pub fn render_table(r: &Report) -> String {
    let mut out = String::new();
    let pct = |x: f64| format!("{:.1}%", x * 100.0);
    let _ = writeln!(out, "simulated {} day(s), {} events", r.days, r.events);
    let _ = writeln!(
        out,
        "offered {}  bot-contained {}  to agents {}  answered {}  abandoned {} ({})  unanswered {}",
        r.offered,
        r.contained_by_bot,
        r.routed,
        r.answered,
        r.abandoned,
        pct(r.abandonment_rate),
        r.unanswered_at_end
    );
    let _ = writeln!(
        out,
        "service level {} within {} s  ASA {:.1} s  occupancy {}\n",
        pct(r.service_level),
        r.service_level_seconds,
        r.asa_seconds,
        pct(r.average_occupancy)
    );
    let _ = writeln!(
        out,
        "{:<22} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9} {:>8}",
        "category", "offered", "bot", "routed", "abandoned", "SL", "ASA s", "SLA met"
    );
    for c in &r.categories {
        let _ = writeln!(
            out,
            "{:<22} {:>8} {:>8} {:>8} {:>9} {:>8} {:>9.1} {:>8}",
            c.code,
            c.offered,
            c.contained_by_bot,
            c.routed,
            c.abandoned,
            pct(c.service_level),
            c.asa_seconds,
            pct(c.sla_attainment)
        );
    }
    let mut groups: Vec<(&str, usize, u64, f64, f64, f64)> = Vec::new();
    for a in &r.agents {
        match groups.iter_mut().find(|g| g.0 == a.group) {
            Some(g) => {
                g.1 += 1;
                g.2 += a.handled;
                g.3 += a.occupancy;
                g.4 = g.4.min(a.occupancy);
                g.5 = g.5.max(a.occupancy);
            }
            None => groups.push((
                &a.group,
                1,
                a.handled,
                a.occupancy,
                a.occupancy,
                a.occupancy,
            )),
        }
    }
    let _ = writeln!(
        out,
        "\n{:<22} {:>8} {:>8} {:>10} {:>8} {:>8}",
        "agent group", "agents", "handled", "occupancy", "min", "max"
    );
    for (name, n, handled, occ, min, max) in groups {
        let _ = writeln!(
            out,
            "{:<22} {:>8} {:>8} {:>10} {:>8} {:>8}",
            name,
            n,
            handled,
            pct(occ / n as f64),
            pct(min),
            pct(max)
        );
    }
    out
}
