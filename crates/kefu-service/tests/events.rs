//! The live event stream: in-process fan-out in order, catch-up by sequence, and an event
//! written on one PostgreSQL node heard on another.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use kefu_domain::{AgentId, AgentRole, ApiKeyId, TicketEvent, TicketId, TicketStatus};
use kefu_service::events::{self, Received, Subscription};
use kefu_service::workers::{Stop, tailer};
use kefu_service::{Caller, Core, Staff};
use std::sync::Arc;
use std::time::Duration;

/// The next `n` events of `ticket` heard by `sub` (others skipped), within 10 s.
async fn next_of(sub: &mut Subscription, ticket: TicketId, n: usize) -> Vec<TicketEvent> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while got.len() < n {
        let r = tokio::time::timeout_at(deadline, sub.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events heard: {got:?}", got.len()))
            .expect("the hub is alive");
        match r {
            Received::Event(e) if e.ticket_id == ticket => got.push(e),
            Received::Event(_) => {}
            Received::Lagged { missed } => panic!("lagged by {missed}"),
        }
    }
    got
}

fn start_tailer(core: &Arc<Core>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(tailer::run(core.clone(), Stop::never()))
}

#[tokio::test]
async fn a_subscriber_hears_every_change_of_a_ticket_in_seq_order_once() {
    let (_db, core) = common::sqlite_node().await;
    let mut sub = core.events().subscribe();
    let tailer = start_tailer(&core);
    // Let the tailer find its starting point before writing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = common::open(&core, "ev-1").await;
    common::set_status(&core, &t, TicketStatus::Resolved).await;
    common::set_status(&core, &t, TicketStatus::Closed).await;
    let stored = core.store.events(t.id).await.unwrap();
    let heard = next_of(&mut sub, t.id, stored.len()).await;
    assert_eq!(heard, stored, "every event, in seq order");
    let seqs: Vec<i64> = heard.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, (1..=stored.len() as i64).collect::<Vec<_>>());
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert!(sub.try_recv().is_none(), "nothing is heard twice");
    tailer.abort();
}

#[tokio::test]
async fn a_reconnecting_client_catches_up_by_sequence_and_only_staff_or_the_customer_may() {
    let (_db, core) = common::sqlite_node().await;
    let t = common::open(&core, "ev-2").await;
    common::set_status(&core, &t, TicketStatus::Resolved).await;
    let staff = Caller::Staff(Staff {
        agent_id: AgentId(1),
        role: AgentRole::Agent,
        team: None,
        credential: ApiKeyId(1),
    });
    let all = core.store.events(t.id).await.unwrap();
    let missed = events::since(&core, &staff, &t.number, 1).await.unwrap();
    assert_eq!(
        missed,
        all[1..].to_vec(),
        "everything after seq 1, in order"
    );
    let none = events::since(&core, &staff, &t.number, all.len() as i64)
        .await
        .unwrap();
    assert!(none.is_empty());
    assert!(
        events::since(&core, &Caller::Anonymous, &t.number, 0)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn an_event_written_on_one_postgres_node_reaches_a_subscriber_on_another() {
    let Some((_db, a, b)) = common::postgres_nodes().await else {
        return;
    };
    let tailers = [start_tailer(&a), start_tailer(&b)];
    let mut on_b = b.events().subscribe();
    let mut on_a = a.events().subscribe();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = common::open(&a, "ev-pg").await;
    common::set_status(&a, &t, TicketStatus::Resolved).await;
    let stored = a.store.events(t.id).await.unwrap();
    let heard_b = next_of(&mut on_b, t.id, stored.len()).await;
    assert_eq!(heard_b, stored, "node B hears node A's events, in order");
    let heard_a = next_of(&mut on_a, t.id, stored.len()).await;
    assert_eq!(heard_a, stored);
    // And back: a change on B is heard on A.
    common::set_status(&b, &t, TicketStatus::Closed).await;
    let closed = next_of(&mut on_a, t.id, 1).await;
    assert_eq!(closed[0].seq, stored.len() as i64 + 1);
    for t in tailers {
        t.abort();
    }
}
