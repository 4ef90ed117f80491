//! Report rollups over `Arc<dyn Store>`: a fold step adds each event once, moves the cursor
//! with its rows, and the rollups equal a recomputation from scratch even when fold steps
//! are cut off at random points (a property test). Run on SQLite always and on PostgreSQL
//! when `KEFU_TEST_POSTGRES_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::report::{Counter, Timing};
use kefu_domain::*;
use kefu_store::*;
use proptest::prelude::*;
use std::sync::Arc;

mod common;
use common::{at, new_ticket};

fn step(limit: u32) -> RollupStep {
    RollupStep {
        limit,
        settled_before: at(100_000_000),
    }
}

fn everything(group: RollupGroup) -> RollupQuery {
    RollupQuery {
        from_ms: 0,
        to_ms: i64::MAX,
        channel: None,
        category: None,
        team: None,
        agent: None,
        group,
        hours: None,
        sketches: true,
    }
}

async fn fold_all(store: &Arc<dyn Store>) {
    while store.fold_report_events(step(7)).await.unwrap().events > 0 {}
}

async fn agent(store: &Arc<dyn Store>, email: &str, team: TeamId) -> AgentId {
    store
        .create_agent(NewAgent {
            email: email.into(),
            display_name: email.into(),
            role: AgentRole::Agent,
            team_id: Some(team),
            password_hash: None,
            skills: vec![],
            chat_capacity: 5,
            at: at(0),
        })
        .await
        .unwrap()
        .id
}

async fn team(store: &Arc<dyn Store>, code: &str) -> TeamId {
    store
        .create_team(NewTeam {
            code: code.into(),
            name: code.into(),
            specialist: code != "frontline",
        })
        .await
        .unwrap()
        .id
}

fn message(t: TicketId, kind: MessageKind, who: Option<AgentId>, sec: i64) -> NewMessage {
    NewMessage {
        ticket_id: t,
        kind,
        actor: who.map_or(Actor::Customer, |id| Actor::Agent { id }),
        author_agent: who,
        body: "…".into(),
        attachments: vec![],
        then_status: None,
        at: at(sec),
    }
}

fn status(t: TicketId, to: TicketStatus, sec: i64) -> StatusChange {
    StatusChange {
        ticket_id: t,
        to,
        actor: Actor::System,
        reason: None,
        at: at(sec),
    }
}

async fn a_fold_step_counts_each_event_once_and_moves_the_cursor(store: &Arc<dyn Store>) {
    let front = team(store, "frontline").await;
    let a = agent(store, "a@example.com", front).await;
    let t = store
        .open_ticket(new_ticket("c1", None))
        .await
        .unwrap()
        .ticket;
    store
        .assign_ticket(Assignment {
            ticket_id: t.id,
            agent_id: a,
            actor: Actor::System,
            reason: "skill".into(),
            at: at(600),
        })
        .await
        .unwrap();
    store
        .add_message(message(t.id, MessageKind::Agent, Some(a), 1200))
        .await
        .unwrap();
    store
        .change_status(status(t.id, TicketStatus::Resolved, 4000))
        .await
        .unwrap();
    assert_eq!(store.report_cursor().await.unwrap(), 0);
    let done = store.fold_report_events(step(1000)).await.unwrap();
    assert!(done.events >= 5, "{done:?}");
    assert_eq!(store.report_cursor().await.unwrap(), done.cursor);
    assert_eq!(
        store.fold_report_events(step(1000)).await.unwrap().events,
        0
    );

    let all = store
        .report_totals(&everything(RollupGroup::All))
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    let row = &all[0];
    assert_eq!(row.get(Counter::Opened), 1);
    assert_eq!(row.get(Counter::FirstResponses), 1);
    assert_eq!(row.get(Counter::Within24h), 1);
    assert_eq!(row.get(Counter::Resolved), 1);
    assert_eq!(row.get(Counter::BotResolved), 0);
    let frt = row.timing(Timing::FirstResponse);
    assert_eq!((frt.count, frt.sum_ms), (1, 1_200_000));
    let p50 = frt.sketch.as_ref().unwrap().quantile(0.5).unwrap();
    assert!((p50 - 1_200_000.0).abs() < 24_000.0, "{p50}");
    assert_eq!(row.timing(Timing::QueueWait).sum_ms, 600_000);
    assert_eq!(row.timing(Timing::Resolution).sum_ms, 4_000_000);

    let by_agent = store
        .report_totals(&everything(RollupGroup::Agent))
        .await
        .unwrap();
    assert_eq!(by_agent.len(), 1);
    assert_eq!(by_agent[0].key, a.0.to_string());
    assert_eq!(by_agent[0].get(Counter::FirstResponses), 1);
    let by_team = store
        .report_totals(&everything(RollupGroup::Team))
        .await
        .unwrap();
    assert!(by_team.iter().any(|r| r.key == front.0.to_string()));

    let mut q = everything(RollupGroup::All);
    q.channel = Some("web".into());
    let none = store.report_totals(&q).await.unwrap();
    assert_eq!(none[0].get(Counter::Opened), 0);
    let labels = store
        .report_labels(&everything(RollupGroup::All))
        .await
        .unwrap();
    assert!(
        labels
            .iter()
            .any(|l| l.metric == "sla_done" && l.label == "first_response/normal" && l.n == 1),
        "{labels:?}"
    );
}

async fn a_reset_forgets_every_rollup(store: &Arc<dyn Store>) {
    store.open_ticket(new_ticket("c1", None)).await.unwrap();
    fold_all(store).await;
    store.reset_report_rollups().await.unwrap();
    assert_eq!(store.report_cursor().await.unwrap(), 0);
    let all = store
        .report_totals(&everything(RollupGroup::All))
        .await
        .unwrap();
    assert_eq!(all[0].get(Counter::Opened), 0);
    fold_all(store).await;
    let all = store
        .report_totals(&everything(RollupGroup::All))
        .await
        .unwrap();
    assert_eq!(all[0].get(Counter::Opened), 1);
}

/// One step a generated ticket may take (illegal moves are refused by the store and skipped).
#[derive(Debug, Clone)]
enum Op {
    Customer,
    Agent(usize),
    Assign(usize),
    Resolve,
    Reopen,
    Escalate,
    SendBack(usize),
    Fold { limit: u32, cut_after_us: u64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::Customer),
        (0..2usize).prop_map(Op::Agent),
        (0..2usize).prop_map(Op::Assign),
        Just(Op::Resolve),
        Just(Op::Reopen),
        Just(Op::Escalate),
        (0..2usize).prop_map(Op::SendBack),
        (1..20u32, 0..3000u64).prop_map(|(limit, cut_after_us)| Op::Fold {
            limit,
            cut_after_us
        }),
    ]
}

/// Every rollup number, in a comparable form.
async fn snapshot(store: &Arc<dyn Store>) -> Vec<String> {
    let mut out = Vec::new();
    for group in [RollupGroup::Hour, RollupGroup::Agent, RollupGroup::Team] {
        for r in store.report_totals(&everything(group)).await.unwrap() {
            let timings: Vec<_> = r
                .timings
                .iter()
                .map(|t| {
                    let n = t.sketch.as_ref().map_or(0, Sketch::count);
                    let p90 = t.sketch.as_ref().and_then(|s| s.quantile(0.9));
                    (t.count, t.sum_ms, n, p90.map(|v| v.round()))
                })
                .collect();
            out.push(format!("{group:?} {} {:?} {timings:?}", r.key, r.counters));
        }
    }
    for l in store
        .report_labels(&everything(RollupGroup::All))
        .await
        .unwrap()
    {
        out.push(format!("{l:?}"));
    }
    out
}

async fn apply(store: &Arc<dyn Store>, agents: &[AgentId], specialists: TeamId, ops: &[Op]) {
    let mut sec = 0;
    let mut ticket = None;
    for (i, o) in ops.iter().enumerate() {
        sec += 977;
        if i % 6 == 0 {
            let mut new = new_ticket(&format!("c{i}"), None);
            new.at = at(sec);
            ticket = Some(store.open_ticket(new).await.unwrap().ticket.id);
        }
        let Some(t) = ticket else { continue };
        // Refused steps (illegal moves) are part of the generated data: skip them.
        let _ = match o {
            Op::Customer => store
                .add_message(message(t, MessageKind::Customer, None, sec))
                .await
                .map(|_| ()),
            Op::Agent(a) => store
                .add_message(message(t, MessageKind::Agent, Some(agents[*a]), sec))
                .await
                .map(|_| ()),
            Op::Assign(a) => store
                .assign_ticket(Assignment {
                    ticket_id: t,
                    agent_id: agents[*a],
                    actor: Actor::System,
                    reason: "r".into(),
                    at: at(sec),
                })
                .await
                .map(|_| ()),
            Op::Resolve => store
                .change_status(status(t, TicketStatus::Resolved, sec))
                .await
                .map(|_| ()),
            Op::Reopen => store
                .change_status(status(t, TicketStatus::Queued, sec))
                .await
                .map(|_| ()),
            Op::Escalate => store
                .escalate_ticket(Escalation {
                    ticket_id: t,
                    team_id: specialists,
                    reason: "hard".into(),
                    actor: Actor::System,
                    at: at(sec),
                })
                .await
                .map(|_| ()),
            Op::SendBack(a) => store
                .send_back(SendBack {
                    ticket_id: t,
                    findings: "f".into(),
                    reason: "r".into(),
                    author: agents[*a],
                    actor: Actor::Agent { id: agents[*a] },
                    at: at(sec),
                })
                .await
                .map(|_| ()),
            Op::Fold {
                limit,
                cut_after_us,
            } => {
                // A fold step cut off at a random point: its transaction commits whole or
                // not at all.
                let s = store.clone();
                let limit = *limit;
                let running = tokio::spawn(async move { s.fold_report_events(step(limit)).await });
                tokio::time::sleep(std::time::Duration::from_micros(*cut_after_us)).await;
                running.abort();
                let _ = running.await;
                Ok(())
            }
        };
    }
}

async fn rollups_equal_a_recomputation_despite_cut_off_steps(store: &Arc<dyn Store>) {
    let front = team(store, "frontline").await;
    let specialists = team(store, "account_security").await;
    let agents = [
        agent(store, "a@example.com", front).await,
        agent(store, "b@example.com", specialists).await,
    ];
    let cases = if store.backend() == "sqlite" { 12 } else { 6 };
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases));
    let handle = tokio::runtime::Handle::current();
    let store = store.clone();
    tokio::task::spawn_blocking(move || {
        runner
            .run(&prop::collection::vec(op(), 1..60), |ops| {
                let got = handle.block_on(async {
                    apply(&store, &agents, specialists, &ops).await;
                    fold_all(&store).await;
                    let incremental = snapshot(&store).await;
                    store.reset_report_rollups().await.unwrap();
                    fold_all(&store).await;
                    (incremental, snapshot(&store).await)
                });
                prop_assert_eq!(got.0, got.1);
                Ok(())
            })
            .unwrap();
    })
    .await
    .unwrap();
}

/// Tickets over four days in four domains and two channels, answered and resolved after
/// varying times: sketches with many distinct values in each domain.
async fn tickets_in_four_domains(store: &Arc<dyn Store>) {
    let front = team(store, "frontline").await;
    let a = agent(store, "a@example.com", front).await;
    for i in 0..48i64 {
        let sec = i * 7_919;
        let mut new = new_ticket(&format!("c{i}"), None);
        let domains = ["account", "live", "ads", "general"];
        new.category = CategoryCode::parse(domains[usize::try_from(i % 4).unwrap()]).unwrap();
        if i % 3 == 0 {
            new.channel = Channel::WebForm;
        }
        new.at = at(sec);
        let t = store.open_ticket(new).await.unwrap().ticket.id;
        store
            .assign_ticket(Assignment {
                ticket_id: t,
                agent_id: a,
                actor: Actor::System,
                reason: "skill".into(),
                at: at(sec + 30),
            })
            .await
            .unwrap();
        let answered = sec + 60 + (i * i * 37) % 5_000;
        store
            .add_message(message(t, MessageKind::Agent, Some(a), answered))
            .await
            .unwrap();
        store
            .change_status(status(t, TicketStatus::Resolved, answered + i * 611))
            .await
            .unwrap();
    }
    fold_all(store).await;
}

/// What a report shows of a row: counters, timing counts and sums, sketch sizes and
/// quantiles (exact `f64`s).
fn figures(r: &RollupRow) -> Vec<String> {
    let mut out = vec![format!("{:?}", r.counters)];
    for t in &r.timings {
        let q: Vec<Option<f64>> = [0.1, 0.5, 0.9, 0.99]
            .iter()
            .map(|q| t.sketch.as_ref().and_then(|s| s.quantile(*q)))
            .collect();
        let n = t.sketch.as_ref().map_or(0, Sketch::count);
        out.push(format!("{} {} {n} {q:?}", t.count, t.sum_ms));
    }
    out
}

async fn the_overall_row_is_the_merge_of_the_domain_rows(store: &Arc<dyn Store>) {
    tickets_in_four_domains(store).await;
    let hour = kefu_domain::report::HOUR_MS;
    let start = at(0).as_millisecond().div_euclid(hour) * hour;
    // Everything (whole UTC days), and a range from mid-day to mid-day (hours at both ends).
    for (from_ms, to_ms) in [(0, i64::MAX), (start + 5 * hour, start + 77 * hour)] {
        let q = |group| RollupQuery {
            from_ms,
            to_ms,
            ..everything(group)
        };
        let all = store.report_totals(&q(RollupGroup::All)).await.unwrap();
        let domains = store
            .report_totals(&q(RollupGroup::Category))
            .await
            .unwrap();
        assert_eq!(domains.len(), 4);
        let mut merged = RollupRow::empty(String::new());
        for d in &domains {
            merged.absorb(d).unwrap();
        }
        let frt = &merged.timings[Timing::FirstResponse.index()];
        assert!(frt.count > 20 && frt.sketch.as_ref().unwrap().count() > 20);
        assert_eq!(figures(&merged), figures(&all[0]));
    }
}

async fn an_hour_filter_reads_only_the_buckets_of_its_utc_hours(store: &Arc<dyn Store>) {
    tickets_in_four_domains(store).await;
    let hour = kefu_domain::report::HOUR_MS;
    let start = at(0).as_millisecond().div_euclid(hour) * hour;
    let per_hour = store
        .report_totals(&everything(RollupGroup::Hour))
        .await
        .unwrap();
    // UTC hours 0-5 and 20-23 in the first two days, hour 12 after.
    let windows = vec![
        HourWindow {
            from_ms: start,
            to_ms: start + 48 * hour,
            utc_hours: 0b1111 << 20 | 0b11_1111,
        },
        HourWindow {
            from_ms: start + 48 * hour,
            to_ms: start + 200 * hour,
            utc_hours: 1 << 12,
        },
    ];
    let expected: i64 = per_hour
        .iter()
        .filter(|r| {
            let h: i64 = r.key.parse().unwrap();
            windows.iter().any(|w| {
                (w.from_ms..w.to_ms).contains(&h) && w.utc_hours & (1 << (h / hour % 24)) != 0
            })
        })
        .map(|r| r.get(Counter::Opened))
        .sum();
    assert!(expected > 0 && expected < 48, "{expected}");
    let q = |group| RollupQuery {
        from_ms: start,
        to_ms: start + 200 * hour,
        hours: Some(windows.clone()),
        ..everything(group)
    };
    let all = store.report_totals(&q(RollupGroup::All)).await.unwrap();
    assert_eq!(all[0].get(Counter::Opened), expected);
    let by_hour = store.report_totals(&q(RollupGroup::Hour)).await.unwrap();
    assert_eq!(
        by_hour.iter().map(|r| r.get(Counter::Opened)).sum::<i64>(),
        expected
    );
    // No hours at all: nothing.
    let none = RollupQuery {
        hours: Some(vec![]),
        ..q(RollupGroup::All)
    };
    let rows = store.report_totals(&none).await.unwrap();
    assert!(rows.iter().all(|r| r.get(Counter::Opened) == 0));
}

contract_steps!(
    the_overall_row_is_the_merge_of_the_domain_rows,
    an_hour_filter_reads_only_the_buckets_of_its_utc_hours,
    a_fold_step_counts_each_event_once_and_moves_the_cursor,
    a_reset_forgets_every_rollup,
    rollups_equal_a_recomputation_despite_cut_off_steps,
);
