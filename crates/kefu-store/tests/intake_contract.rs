//! Concurrent intake over `Arc<dyn Store>`: many intakes at once share a batch on both
//! backends (SQLite's writer, PostgreSQL's batch writers), and every one must come back
//! complete. Run on SQLite always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::*;
use kefu_store::testing::TestDatabase;
use kefu_store::*;
use std::sync::Arc;

mod common;
use common::{at, new_ticket, stored};

async fn suite(store: Arc<dyn Store>) {
    concurrent_intake_gives_distinct_numbers(&store).await;
    concurrent_retries_with_one_idempotency_key_give_one_ticket(&store).await;
    concurrent_keyed_intakes_replay_their_own_tickets(&store).await;
}

async fn concurrent_intake_gives_distinct_numbers(store: &Arc<dyn Store>) {
    // Concurrent intakes share batches (SQLite writes a batch's tickets together): every one
    // must come back complete, readable and with its own rows.
    let mut tasks = vec![];
    for i in 0..200 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut new = new_ticket(&format!("c-{}", i % 150), None);
            new.body = format!("第{i}个问题");
            // Customers c-0…c-49 come twice, once with an email and once with a phone, often
            // in one batch: both must stay on the profile.
            if i < 50 {
                new.customer.email = Some(format!("c{i}@example.com"));
            } else if i >= 150 {
                new.customer.phone = Some(format!("+86 138 0000 {:04}", i - 150));
            }
            new.sla = Some(SlaSchedule {
                state: format!("{{\"clock\":{i}}}"),
                timers: vec![
                    (
                        "first_response".into(),
                        Some(NewTimer {
                            kind: SlaTimerKind::Warning,
                            due_at: at(1000 + i),
                        }),
                    ),
                    ("next_response".into(), None),
                ],
            });
            (i, store.open_ticket(new).await)
        }));
    }
    let mut numbers = std::collections::HashSet::new();
    let mut customer_ids = std::collections::HashMap::new();
    for t in tasks {
        let (i, opened) = t.await.unwrap();
        let opened = opened.unwrap();
        assert!(!opened.replayed);
        numbers.insert(opened.ticket.number);
        let found = stored(store, &opened).await;
        let customer = store.customer(found.customer_id).await.unwrap();
        assert_eq!(customer.identity.external_id, format!("c-{}", i % 150));
        customer_ids.insert(i % 150, customer.id);
        let messages = store.messages(found.id, false).await.unwrap();
        assert_eq!(messages.len(), 1);
        assert_eq!(messages[0].body, format!("第{i}个问题"));
        assert_eq!(Some(&messages[0]), opened.first_message.as_ref());
        let kinds: Vec<_> = store
            .events(found.id)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        assert!(matches!(kinds[0], EventKind::Opened { .. }), "{kinds:?}");
        assert!(
            matches!(kinds[1], EventKind::MessageAdded { .. }),
            "{kinds:?}"
        );
        assert_eq!(kinds.len(), 2);
        let timers = store.pending_timers(found.id).await.unwrap();
        assert_eq!(timers.len(), 1);
        assert_eq!(timers[0].target, "first_response");
        assert_eq!(timers[0].due_at, at(1000 + i));
    }
    assert_eq!(numbers.len(), 200);
    for i in 0..50 {
        let customer = store.customer(customer_ids[&i]).await.unwrap();
        assert_eq!(customer.email, Some(format!("c{i}@example.com")));
        assert_eq!(customer.phone, Some(format!("+86 138 0000 {i:04}")));
    }
}

async fn concurrent_retries_with_one_idempotency_key_give_one_ticket(store: &Arc<dyn Store>) {
    // Retries racing each other (and plain intakes around them) land in one batch: the key
    // must still give one ticket, replayed to every retry with the same body.
    let mut tasks = vec![];
    for i in 0..40 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let idem = if i % 4 == 0 {
                Some(("race", "same"))
            } else {
                None
            };
            (
                i,
                store.open_ticket(new_ticket(&format!("r-{i}"), idem)).await,
            )
        }));
    }
    let mut keyed = vec![];
    for t in tasks {
        let (i, opened) = t.await.unwrap();
        let opened = opened.unwrap();
        if i % 4 == 0 {
            keyed.push(opened);
        } else {
            assert!(!opened.replayed);
        }
    }
    assert_eq!(keyed.iter().filter(|o| !o.replayed).count(), 1);
    assert!(keyed.iter().all(|o| o.ticket.id == keyed[0].ticket.id));
    let other = store
        .open_ticket(new_ticket("r-0", Some(("race", "other"))))
        .await;
    assert!(matches!(
        other,
        Err(StoreError::Conflict(Conflict::IdempotencyKeyReused))
    ));
}

async fn concurrent_keyed_intakes_replay_their_own_tickets(store: &Arc<dyn Store>) {
    // Each intake with its own key, many at once (batched together), then every request
    // again at once: each retry gets back exactly the ticket its first request opened.
    async fn round(store: &Arc<dyn Store>) -> Vec<OpenedTicket> {
        let tasks: Vec<_> = (0..60)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    let key = format!("k-{i}");
                    let new = new_ticket(&format!("k-{}", i % 7), Some((&key, "body-1")));
                    store.open_ticket(new).await.unwrap()
                })
            })
            .collect();
        let mut out = vec![];
        for t in tasks {
            out.push(t.await.unwrap());
        }
        out
    }
    let first = round(store).await;
    assert!(first.iter().all(|o| !o.replayed));
    let ids: std::collections::HashSet<_> = first.iter().map(|o| o.ticket.id).collect();
    assert_eq!(ids.len(), 60);
    let again = round(store).await;
    for (a, b) in first.iter().zip(&again) {
        assert!(b.replayed);
        assert_eq!(a.ticket.id, b.ticket.id);
        assert_eq!(a.ticket.number, b.ticket.number);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intake_contract_holds_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn intake_contract_holds_on_postgres() {
    let Some(db) = common::postgres_database("intake contract").await else {
        return;
    };
    suite(db.store.clone()).await;
}
