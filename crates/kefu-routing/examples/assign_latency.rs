//! Decision latency percentiles (criterion reports means only): 10,000 timed assignment
//! decisions with 5,000 agents and 100,000 queued tickets, the same setup as
//! `benches/assign.rs`. Prints decisions per second, p50, p99 and max for each kind.
//! Run: `cargo run --release -p kefu-routing --example assign_latency [-- DECISIONS]`.

#![expect(
    clippy::unwrap_used,
    reason = "benchmark setup: a failure should abort the run"
)]

#[path = "../benches/support/fixture.rs"]
mod fixture;

use fixture::{AGENTS, QUEUED, loaded_router, ticket, ts};
use kefu_domain::AgentId;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort_unstable();
    let n = samples.len();
    let total: Duration = samples.iter().sum();
    // Nearest-rank percentile.
    let at = |percent: usize| samples[(n * percent).div_ceil(100).clamp(1, n) - 1];
    println!(
        "{name}: {n} decisions, {:.0} decisions/s, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs",
        f64::from(u32::try_from(n).unwrap()) / total.as_secs_f64(),
        at(50).as_secs_f64() * 1e6,
        at(99).as_secs_f64() * 1e6,
        samples[n - 1].as_secs_f64() * 1e6,
    );
}

fn main() {
    let decisions: i64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(10_000);
    let setup = Instant::now();
    let mut r = loaded_router();
    println!(
        "setup: {AGENTS} agents, {QUEUED} queued tickets in {:.2} s",
        setup.elapsed().as_secs_f64()
    );

    // An agent finishes a chat and pulls the most urgent ticket they can take; a new ticket
    // arrives to keep the queue at 100,000.
    let mut samples = Vec::with_capacity(usize::try_from(decisions).unwrap());
    // The whole step as the criterion bench times it: the decision plus restoring the
    // agent's load and submitting a new ticket (itself a decision over every agent).
    let mut whole = Vec::with_capacity(usize::try_from(decisions).unwrap());
    let mut given = 0usize;
    for t in 1..=decisions {
        let next = QUEUED + t;
        let agent = AgentId(1 + (t % AGENTS));
        let state = r.agent(agent).unwrap().clone();
        let mut freed = state.clone();
        freed.load.chat -= 1;
        let start = Instant::now();
        r.upsert_agent(freed);
        let got = r.fill(agent, ts(t)).unwrap();
        samples.push(start.elapsed());
        given += got.len();
        r.upsert_agent(state);
        r.submit(ticket(next), ts(t)).unwrap();
        whole.push(start.elapsed());
        black_box(got);
    }
    report("agent_frees_capacity_and_pulls_next", samples);
    println!("  tickets handed out: {given}");
    report(
        "  whole step incl. restore + submit (criterion's loop)",
        whole,
    );

    // A new ticket is matched against every agent with its skill (nobody free: worst case).
    let r = loaded_router();
    let mut samples = Vec::with_capacity(usize::try_from(decisions).unwrap());
    for k in 1..=decisions {
        let t = ticket(k);
        let start = Instant::now();
        let choice = r.choose(&t, ts(k));
        samples.push(start.elapsed());
        black_box(choice);
    }
    report("choose_for_new_ticket", samples);
}
