//! The load both routing benchmarks use (`benches/assign.rs` and
//! `examples/assign_latency.rs` include this file): 5,000 full agents over the seven
//! domains and 100,000 queued tickets.

use jiff::Timestamp;
use kefu_domain::{AgentId, Priority, TicketId};
use kefu_routing::{
    AgentSkills, AgentState, AssignmentPolicy, CategorySkill, ChannelKind, PerKind, Presence,
    QueuedTicket, Router,
};

pub const AGENTS: i64 = 5_000;
pub const QUEUED: i64 = 100_000;
pub const CATEGORIES: [&str; 7] = [
    "content_review",
    "live_streaming",
    "account",
    "advertising",
    "creator_incentives",
    "reports_complaints",
    "general",
];

pub fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + s).unwrap()
}

pub fn agent(i: i64) -> AgentState {
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

pub fn ticket(i: i64) -> QueuedTicket {
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
pub fn loaded_router() -> Router {
    let mut r = Router::new(AssignmentPolicy::default());
    for i in 1..=AGENTS {
        r.upsert_agent(agent(i));
    }
    for i in 1..=QUEUED {
        r.submit(ticket(i), ts(i)).unwrap();
    }
    r
}
