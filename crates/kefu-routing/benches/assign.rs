//! Assignment decisions with 5,000 agents and 100,000 queued tickets, and simulation speed.
//! Run: `cargo bench -p kefu-routing --bench assign`.

#![expect(
    clippy::unwrap_used,
    reason = "benchmark setup: a failure should abort the run"
)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jiff::Timestamp;
use kefu_domain::{AgentId, Priority, TicketId};
use kefu_routing::simulate::{Scenario, run};
use kefu_routing::{
    AgentSkills, AgentState, AssignmentPolicy, CategorySkill, ChannelKind, PerKind, Presence,
    QueuedTicket, Router,
};
use std::hint::black_box;

const CATEGORIES: [&str; 7] = [
    "content_review",
    "live_streaming",
    "account",
    "advertising",
    "creator_incentives",
    "reports_complaints",
    "general",
];

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + s).unwrap()
}

fn agent(i: i64) -> AgentState {
    let idx = usize::try_from(i).unwrap();
    AgentState {
        id: AgentId(i),
        skills: AgentSkills {
            categories: (0..3)
                .map(|k| CategorySkill {
                    category: CATEGORIES[(idx + k * 2) % 7].to_owned(),
                    level: 3,
                    certified: true,
                })
                .collect(),
            languages: if i % 5 == 0 {
                vec!["zh".into(), "en".into()]
            } else {
                vec!["zh".into()]
            },
        },
        capacity: PerKind {
            chat: 3,
            asynchronous: 5,
        },
        load: PerKind {
            chat: 3,
            asynchronous: 5,
        },
        presence: Presence::Online,
        on_shift: true,
        last_assigned_at: Some(ts(-i)),
    }
}

fn ticket(i: i64) -> QueuedTicket {
    let idx = usize::try_from(i).unwrap();
    QueuedTicket {
        id: TicketId(i),
        priority: Priority::ALL[idx % 4],
        category: CATEGORIES[idx % 7].to_owned(),
        language: if i % 10 == 0 {
            "en".into()
        } else {
            "zh".into()
        },
        channel: if i % 3 == 0 {
            ChannelKind::Async
        } else {
            ChannelKind::Chat
        },
        created_at: ts(i % 3600),
        sla_deadline: ts(i % 3600 + 900),
    }
}

/// 5,000 agents, all full, and 100,000 tickets waiting.
fn loaded_router() -> Router {
    let mut r = Router::new(AssignmentPolicy::default());
    for i in 1..=5_000 {
        r.upsert_agent(agent(i));
    }
    for i in 1..=100_000 {
        r.submit(ticket(i), ts(i)).unwrap();
    }
    r
}

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
