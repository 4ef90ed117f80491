//! Assignment decisions with 5,000 agents and 100,000 queued tickets, and simulation speed.
//! Run: `cargo bench -p kefu-routing --bench assign`.

#![expect(
    clippy::unwrap_used,
    reason = "benchmark setup: a failure should abort the run"
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
#[path = "support/fixture.rs"]
mod fixture;

use fixture::{loaded_router, ticket, ts};
use kefu_domain::AgentId;
use kefu_routing::simulate::{Scenario, run};
use std::hint::black_box;

fn decisions(c: &mut Criterion) {
    let mut g = c.benchmark_group("assign");
    g.throughput(Throughput::Elements(1));
    let mut r = loaded_router();
    // A ticket completes and its agent pulls the most urgent ticket it can take.
    let mut next = 100_001;
    let mut t = 0;
    g.bench_function(
        "agent_frees_capacity_and_pulls_next/5k_agents_100k_queued",
        |b| {
            b.iter(|| {
                t += 1;
                let agent = AgentId(1 + (t % 5_000));
                let state = r.agent(agent).unwrap().clone();
                let mut freed = state.clone();
                freed.load.chat -= 1;
                r.upsert_agent(freed);
                let got = r.fill(agent, ts(t)).unwrap();
                r.upsert_agent(state);
                r.submit(ticket(next), ts(t)).unwrap();
                next += 1;
                black_box(got)
            })
        },
    );
    // A new ticket is matched against every agent with its skill (nobody free: worst case).
    let r = loaded_router();
    let mut k = 0;
    g.bench_function("choose_for_new_ticket/5k_agents", |b| {
        b.iter(|| {
            k += 1;
            black_box(r.choose(&ticket(k), ts(k)))
        })
    });
    g.finish();
}

fn simulation(c: &mut Criterion) {
    let scenario: Scenario = toml::from_str(include_str!("../scenarios/day.toml")).unwrap();
    let routed = run(&scenario).unwrap().routed;
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(routed));
    g.bench_function("day_toml_tickets", |b| {
        b.iter(|| black_box(run(&scenario).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, decisions, simulation);
criterion_main!(benches);
