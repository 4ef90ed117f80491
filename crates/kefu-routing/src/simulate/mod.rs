//! A discrete-event simulation of a day or week of traffic over the same [`Router`] the
//! server uses: Poisson arrivals per hour and domain, bot containment, handle times and
//! patience from distributions, agents on the roster's shifts.
//!
//! Time is kept in integer milliseconds from the local start of the first day; arrival
//! rates follow elapsed hours (a DST day still has 24 rate slots). Arrivals stop at the end
//! of the horizon and the run continues until every ticket is answered or abandoned (at
//! most two more days); statistics cover tickets that arrived within the horizon, and
//! occupancy covers work done within it.

mod report;
mod rng;
mod scenario;

pub use report::{AgentReport, CategoryReport, Report, render_table};
pub use rng::Rng;
pub use scenario::{AgentGroup, CategoryScenario, Distribution, MAX_DAYS, Scenario, ScenarioError};

use crate::assign::{AgentSkills, AgentState, CategorySkill, PerKind, Presence, QueuedTicket};
use crate::router::{Assignment, Placement, Router};
use crate::shift::time_zone;
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{AgentId, TicketId};
use report::Tally;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

const HOUR_MS: i64 = 3_600_000;
const TICK_MS: i64 = 60_000;
const DRAIN_MS: i64 = 2 * 24 * HOUR_MS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Arrival { category: usize },
    Complete { ticket: usize, service: u32 },
    Abandon { ticket: usize },
    RosterTick,
}

#[derive(Debug, Clone)]
struct TicketSim {
    category: usize,
    arrived: i64,
    answered: Option<i64>,
    abandoned: bool,
    service: u32,
    agent: usize,
    service_start: i64,
}

/// Seconds to milliseconds, clamped to a range that fits any run.
#[expect(
    clippy::cast_possible_truncation,
    reason = "the value is clamped to ±1e15 ms first, well inside i64"
)]
fn to_ms(seconds: f64) -> i64 {
    let ms = (seconds * 1000.0).round();
    if ms.is_nan() {
        return 0;
    }
    ms.clamp(-1e15, 1e15) as i64
}

struct Sim<'a> {
    scenario: &'a Scenario,
    tz: TimeZone,
    t0: Timestamp,
    horizon: i64,
    rng: Rng,
    router: Router,
    heap: BinaryHeap<Reverse<(i64, u64, Event)>>,
    seq: u64,
    tickets: Vec<TicketSim>,
    agent_group: Vec<usize>,
    tally: Tally,
    events: u64,
}

/// Runs the scenario and reports on it.
pub fn run(scenario: &Scenario) -> Result<Report, ScenarioError> {
    scenario.validate()?;
    let tz = time_zone(&scenario.time_zone).map_err(|e| ScenarioError {
        field: "time_zone".into(),
        message: e.to_string(),
    })?;
    let t0 = scenario
        .start_date
        .to_zoned(tz.clone())
        .map_err(|e| ScenarioError {
            field: "start_date".into(),
            message: e.to_string(),
        })?
        .timestamp();
    let mut sim = Sim {
        scenario,
        tz,
        t0,
        horizon: i64::from(scenario.days) * 24 * HOUR_MS,
        rng: Rng::seeded(scenario.seed),
        router: Router::new(scenario.policy.clone()),
        heap: BinaryHeap::new(),
        seq: 0,
        tickets: Vec::new(),
        agent_group: Vec::new(),
        tally: Tally::new(scenario),
        events: 0,
    };
    sim.setup();
    sim.run_events();
    Ok(sim
        .tally
        .finish(scenario, sim.events, sim.router.queue().len()))
}

impl Sim<'_> {
    fn ts(&self, ms: i64) -> Timestamp {
        self.t0
            .checked_add(SignedDuration::from_millis(ms))
            .unwrap_or(self.t0)
    }

    fn schedule(&mut self, at: i64, e: Event) {
        self.seq += 1;
        self.heap.push(Reverse((at, self.seq, e)));
    }

    fn setup(&mut self) {
        let mut id = 0i64;
        for (g, group) in self.scenario.agents.iter().enumerate() {
            for _ in 0..group.count {
                id += 1;
                let skills = AgentSkills {
                    categories: group
                        .categories
                        .iter()
                        .map(|c| CategorySkill {
                            category: c.clone(),
                            level: 3,
                            certified: true,
                        })
                        .collect(),
                    languages: group.languages.clone(),
                };
                self.router.upsert_agent(AgentState {
                    id: AgentId(id),
                    skills,
                    capacity: PerKind {
                        chat: group.chat_capacity,
                        asynchronous: group.async_capacity,
                    },
                    load: PerKind::default(),
                    presence: Presence::Online,
                    on_shift: group.shifts.is_empty(),
                    last_assigned_at: None,
                });
                self.agent_group.push(g);
                self.tally.add_agent(id, g);
            }
        }
        for c in 0..self.scenario.categories.len() {
            if let Some(at) = self.next_arrival(c, 0) {
                self.schedule(at, Event::Arrival { category: c });
            }
        }
        if self.scenario.agents.iter().any(|g| !g.shifts.is_empty()) {
            self.schedule(0, Event::RosterTick);
        }
    }

    /// The next Poisson arrival of a category after `from`, following the hourly rates.
    fn next_arrival(&mut self, category: usize, from: i64) -> Option<i64> {
        let rates = &self.scenario.categories[category].arrivals_per_hour;
        let mut t = from;
        while t < self.horizon {
            let hour = t.div_euclid(HOUR_MS);
            let slot = usize::try_from(hour).ok()? % rates.len();
            let rate = rates[slot];
            let end = (hour + 1) * HOUR_MS;
            if rate > 0.0 {
                // Exponential gaps restart at each slot boundary (memorylessness).
                let at = t + to_ms(self.rng.exponential(3600.0 / rate)).max(1);
                if at < end {
                    return (at < self.horizon).then_some(at);
                }
            }
            t = end;
        }
        None
    }

    fn run_events(&mut self) {
        while let Some(Reverse((now, _, event))) = self.heap.pop() {
            if now > self.horizon + DRAIN_MS {
                break;
            }
            self.events += 1;
            match event {
                Event::Arrival { category } => self.arrive(category, now),
                Event::Complete { ticket, service } => self.complete(ticket, service, now),
                Event::Abandon { ticket } => self.abandon(ticket, now),
                Event::RosterTick => self.tick(now),
            }
        }
    }

    fn arrive(&mut self, category: usize, now: i64) {
        if let Some(at) = self.next_arrival(category, now) {
            self.schedule(at, Event::Arrival { category });
        }
        let c = &self.scenario.categories[category];
        let containment = c.bot_containment.unwrap_or(self.scenario.bot_containment);
        self.tally.categories[category].offered += 1;
        if self.rng.chance(containment) {
            self.tally.categories[category].contained += 1;
            return;
        }
        let idx = self.tickets.len();
        let Ok(id) = i64::try_from(idx) else {
            return;
        };
        let at = self.ts(now);
        let ticket = QueuedTicket {
            id: TicketId(id),
            priority: c.priority,
            category: c.code.clone(),
            language: c.language.clone(),
            channel: c.channel,
            created_at: at,
            sla_deadline: self.ts(now + to_ms(c.first_response_target_seconds)),
        };
        let patience = c.patience;
        self.tickets.push(TicketSim {
            category,
            arrived: now,
            answered: None,
            abandoned: false,
            service: 0,
            agent: 0,
            service_start: 0,
        });
        self.tally.categories[category].routed += 1;
        match self.router.submit(ticket, at) {
            Ok(Placement::Assigned(choice)) => self.start(idx, choice.agent_id, now),
            Ok(Placement::Queued { .. }) => {
                if let Some(p) = patience {
                    let wait = to_ms(self.rng.sample(&p));
                    self.schedule(now + wait, Event::Abandon { ticket: idx });
                }
            }
            Err(_) => {}
        }
    }

    fn start(&mut self, idx: usize, agent: AgentId, now: i64) {
        let Some(agent_idx) = usize::try_from(agent.0 - 1).ok() else {
            return;
        };
        let category = self.tickets[idx].category;
        let handle = to_ms(
            self.rng
                .sample(&self.scenario.categories[category].handle_time),
        )
        .max(1);
        let t = &mut self.tickets[idx];
        if t.answered.is_none() {
            t.answered = Some(now);
            let wait = now - t.arrived;
            self.tally
                .answered(category, wait, t.arrived < self.horizon);
        }
        t.service += 1;
        t.agent = agent_idx;
        t.service_start = now;
        let service = t.service;
        self.schedule(
            now + handle,
            Event::Complete {
                ticket: idx,
                service,
            },
        );
    }

    fn start_all(&mut self, assignments: Vec<Assignment>, now: i64) {
        for a in assignments {
            if let Ok(idx) = usize::try_from(a.ticket_id.0) {
                self.start(idx, a.choice.agent_id, now);
            }
        }
    }

    /// Records the busy time of a service that ends (or is cut short) at `now`.
    fn end_service(&mut self, idx: usize, now: i64) {
        let t = &self.tickets[idx];
        let kind = self.scenario.categories[t.category].channel;
        let group = &self.scenario.agents[self.agent_group[t.agent]];
        let capacity = (PerKind {
            chat: group.chat_capacity,
            asynchronous: group.async_capacity,
        })
        .get(kind)
        .max(1);
        let busy = now.min(self.horizon) - t.service_start.min(self.horizon);
        self.tally.agents[t.agent].busy_ms += busy as f64 / f64::from(capacity);
        self.tally.agents[t.agent].handled += 1;
    }

    fn complete(&mut self, idx: usize, service: u32, now: i64) {
        if self.tickets[idx].service != service {
            return; // handed back to the queue before it finished
        }
        self.end_service(idx, now);
        let Ok(id) = i64::try_from(idx) else {
            return;
        };
        if let Ok(next) = self.router.release(TicketId(id), self.ts(now)) {
            self.start_all(next, now);
        }
    }

    fn abandon(&mut self, idx: usize, now: i64) {
        let Ok(id) = i64::try_from(idx) else {
            return;
        };
        if self.tickets[idx].answered.is_some() || self.router.withdraw(TicketId(id)).is_none() {
            return;
        }
        let t = &mut self.tickets[idx];
        t.abandoned = true;
        let (category, arrived) = (t.category, t.arrived);
        self.tally
            .abandoned(category, now - arrived, arrived < self.horizon);
    }

    fn tick(&mut self, now: i64) {
        let at = self.ts(now);
        let on: Vec<bool> = self
            .scenario
            .agents
            .iter()
            .map(|g| g.shifts.is_empty() || g.shifts.iter().any(|s| s.covers(&self.tz, at)))
            .collect();
        for agent_idx in 0..self.agent_group.len() {
            let on_shift = on[self.agent_group[agent_idx]];
            if on_shift && now < self.horizon {
                self.tally.agents[agent_idx].on_shift_ms += TICK_MS.min(self.horizon - now);
            }
            let Ok(raw) = i64::try_from(agent_idx + 1) else {
                continue;
            };
            let Ok(changes) = self.router.set_on_shift(AgentId(raw), on_shift, at) else {
                continue;
            };
            for r in &changes.requeued {
                if let Ok(idx) = usize::try_from(r.ticket_id.0) {
                    self.end_service(idx, now);
                    self.tickets[idx].service += 1;
                    if let Placement::Assigned(c) = &r.placement {
                        self.start(idx, c.agent_id, now);
                    }
                }
            }
            self.start_all(changes.assigned, now);
        }
        let busy = !self.router.queue().is_empty()
            || self
                .heap
                .iter()
                .any(|Reverse((_, _, e))| !matches!(e, Event::RosterTick));
        if now < self.horizon || busy {
            self.schedule(now + TICK_MS, Event::RosterTick);
        }
    }
}

#[cfg(test)]
mod tests;
