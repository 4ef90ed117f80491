//! Contract of the SLA timers: each fires once with its effects, the breach applies what the
//! policy decides, concurrent claimers split the work, and a timer survives a restart — on
//! SQLite always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::*;
use kefu_store::testing::TestDatabase;
use kefu_store::*;
use std::collections::HashSet;
use std::sync::Arc;

mod common;
use common::at;
use common::routing::{agent, open, routed};

async fn suite(db: &TestDatabase) {
    let store = &db.store;
    timers_fire_once_with_their_effects(store).await;
    breach_applies_what_the_policy_decides(store).await;
    concurrent_claimers_get_disjoint_timers(store).await;
    timers_survive_a_restart(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sla_timers_contract_holds_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn sla_timers_contract_holds_on_postgres() {
    let Some(db) = common::postgres_database("SLA timers contract").await else {
        return;
    };
    suite(&db).await;
}

fn schedule(warning: i64, breach: i64) -> SlaUpdate {
    Box::new(move |old: Option<String>| {
        Some(SlaSchedule {
            state: format!("{}+", old.unwrap_or_default()),
            timers: vec![
                (
                    "first_response".into(),
                    Some(NewTimer {
                        kind: SlaTimerKind::Warning,
                        due_at: at(warning),
                    }),
                ),
                (
                    "resolution".into(),
                    Some(NewTimer {
                        kind: SlaTimerKind::Breach,
                        due_at: at(breach),
                    }),
                ),
            ],
        })
    })
}

/// The product's rule as kefu-routing states it, restated here (the store may not depend on
/// routing): raise one step, a note for the lead, requeue when the owner is not online.
fn policy() -> BreachPolicy {
    Box::new(|b: &Breach<'_>| {
        let raised = b.ticket.priority.raised();
        BreachResponse {
            raise_to: (raised != b.ticket.priority).then_some(raised),
            lead_note: Some(format!("lead: {} breached", b.target)),
            requeue_reason: b
                .owner_presence
                .filter(|p| *p != AgentPresence::Online)
                .map(|_| "owner not online".to_owned()),
        }
    })
}

/// The store applies what the policy decides and nothing else, and tells it the owner's
/// presence while the ticket is assigned.
async fn breach_applies_what_the_policy_decides(store: &Arc<dyn Store>) {
    let a = agent(store, "breach-owner@example.com", 3).await;
    store
        .set_presence(PresenceChange {
            agent_id: a.id,
            presence: AgentPresence::Online,
            hand_back_note: None,
            actor: Actor::System,
            at: at(1),
        })
        .await
        .unwrap();
    let t = open(store, "br-1").await;
    store
        .assign_if_room(routed(&t, &a, 3))
        .await
        .unwrap()
        .unwrap();
    store
        .update_sla(t.id, at(0), schedule(100, 200))
        .await
        .unwrap();
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let keep_priority_but_requeue: BreachPolicy = Box::new(move |b: &Breach<'_>| {
        log.lock()
            .unwrap()
            .push((b.ticket.id, b.target.to_owned(), b.owner_presence));
        BreachResponse {
            raise_to: None,
            lead_note: None,
            requeue_reason: Some("told to".into()),
        }
    });
    let fired: Vec<_> = store
        .claim_due_timers(at(10_000), "n1", 100, keep_priority_but_requeue)
        .await
        .unwrap()
        .into_iter()
        .filter(|f| f.ticket_id == t.id)
        .collect();
    assert_eq!(fired.len(), 2);
    assert!(fired.iter().any(|f| f.outcome
        == TimerOutcome::Breached {
            priority: Priority::Normal,
            requeued: true
        }));
    let seen = seen.lock().unwrap().clone();
    assert!(seen.contains(&(t.id, "resolution".to_owned(), Some(AgentPresence::Online))));
    let after = store.ticket(t.id).await.unwrap();
    assert_eq!(
        (after.status, after.assignee, after.priority),
        (TicketStatus::Queued, None, Priority::Normal)
    );
    let events = store.events(t.id).await.unwrap();
    assert!(events.iter().any(|e| matches!(&e.kind,
        EventKind::StatusChanged { reason: Some(r), .. } if r == "told to")));
    assert!(!events.iter().any(|e| e.kind.name() == "priority_changed"));
    let notes = store.messages(t.id, true).await.unwrap();
    assert!(!notes.iter().any(|m| m.kind == MessageKind::InternalNote));
}

async fn timers_fire_once_with_their_effects(store: &Arc<dyn Store>) {
    let t = open(store, "tm-1").await;
    assert!(
        store
            .update_sla(t.id, at(0), schedule(100, 200))
            .await
            .unwrap()
    );
    // Rescheduling replaces, never adds.
    assert!(
        store
            .update_sla(t.id, at(0), schedule(100, 200))
            .await
            .unwrap()
    );
    assert_eq!(store.pending_timers(t.id).await.unwrap().len(), 2);
    let mine = |v: Vec<FiredTimer>| {
        v.into_iter()
            .filter(|f| f.ticket_id == t.id)
            .collect::<Vec<_>>()
    };
    assert!(
        mine(
            store
                .claim_due_timers(at(99), "n1", 100, policy())
                .await
                .unwrap()
        )
        .is_empty()
    );
    let fired = mine(
        store
            .claim_due_timers(at(150), "n1", 100, policy())
            .await
            .unwrap(),
    );
    assert_eq!(fired.len(), 1);
    assert_eq!(fired[0].outcome, TimerOutcome::Warned);
    let fired = mine(
        store
            .claim_due_timers(at(10_000), "n1", 100, policy())
            .await
            .unwrap(),
    );
    assert_eq!(fired.len(), 1);
    assert!(matches!(
        fired[0].outcome,
        TimerOutcome::Breached {
            priority: Priority::High,
            requeued: false
        }
    ));
    assert!(
        mine(
            store
                .claim_due_timers(at(20_000), "n1", 100, policy())
                .await
                .unwrap()
        )
        .is_empty()
    );
    let events = store.events(t.id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind.name() == "sla_warning")
            .count(),
        1
    );
    assert_eq!(
        events
            .iter()
            .filter(|e| e.kind.name() == "sla_breached")
            .count(),
        1
    );
    assert_eq!(store.ticket(t.id).await.unwrap().priority, Priority::High);
    let notes = store.messages(t.id, true).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|m| m.kind == MessageKind::InternalNote && m.body == "lead: resolution breached")
    );
    assert!(store.pending_timers(t.id).await.unwrap().is_empty());
}

async fn concurrent_claimers_get_disjoint_timers(store: &Arc<dyn Store>) {
    let mut tickets = Vec::new();
    for i in 0..20 {
        let t = open(store, &format!("cc-{i}")).await;
        store
            .update_sla(t.id, at(0), schedule(500, 600))
            .await
            .unwrap();
        tickets.push(t.id);
    }
    let claimer = |node: &'static str| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut got = Vec::new();
            loop {
                let batch = store
                    .claim_due_timers(at(100_000), node, 3, policy())
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break;
                }
                got.extend(batch.into_iter().map(|f| f.id));
            }
            got
        })
    };
    let (a, b) = (claimer("node-a"), claimer("node-b"));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let all: HashSet<i64> = a.iter().chain(&b).copied().collect();
    assert_eq!(all.len(), a.len() + b.len(), "a timer fired twice");
    assert_eq!(all.len(), 40);
    for id in tickets {
        let breaches = store
            .events(id)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.kind.name() == "sla_breached")
            .count();
        assert_eq!(breaches, 1);
    }
}

/// A timer scheduled before a restart fires after it, once: the new process (a second store
/// on the same database) fires it, and the old one finds nothing left.
async fn timers_survive_a_restart(db: &TestDatabase) {
    let before = db.store.clone();
    let t = open(&before, "tm-restart").await;
    assert!(
        before
            .update_sla(t.id, at(0), schedule(100, 200))
            .await
            .unwrap()
    );
    let after = kefu_store::open(&db.url).await.unwrap();
    let mine = |v: Vec<FiredTimer>| v.into_iter().filter(|f| f.ticket_id == t.id).count();
    assert_eq!(
        mine(
            after
                .claim_due_timers(at(10_000), "restarted", 100, policy())
                .await
                .unwrap()
        ),
        2
    );
    assert_eq!(
        mine(
            before
                .claim_due_timers(at(10_000), "old", 100, policy())
                .await
                .unwrap()
        ),
        0
    );
    assert_eq!(
        mine(
            after
                .claim_due_timers(at(20_000), "restarted", 100, policy())
                .await
                .unwrap()
        ),
        0
    );
}
