//! The event log's order over `Arc<dyn Store>`: every ticket's events are numbered 1, 2, 3 …
//! without gaps whichever path wrote them (batched intake included, under concurrency), can
//! be read from a sequence number or tailed by id, and on PostgreSQL reach another node as
//! notices. Run on SQLite always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::*;
use kefu_store::testing::TestDatabase;
use kefu_store::*;
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::{at, new_ticket};

fn message(ticket: TicketId, body: String, sec: i64) -> NewMessage {
    NewMessage {
        ticket_id: ticket,
        kind: MessageKind::Customer,
        actor: Actor::Customer,
        author_agent: None,
        body,
        attachments: vec![],
        then_status: None,
        at: at(sec),
    }
}

/// The ticket's log is numbered 1..=n in id order.
async fn assert_contiguous(store: &Arc<dyn Store>, ticket: TicketId) -> Vec<TicketEvent> {
    let events = store.events(ticket).await.unwrap();
    let seqs: Vec<i64> = events.iter().map(|e| e.seq).collect();
    let expected: Vec<i64> = (1..=i64::try_from(events.len()).unwrap()).collect();
    assert_eq!(seqs, expected, "ticket {ticket:?}");
    assert!(events.windows(2).all(|w| w[0].id.0 < w[1].id.0));
    events
}

async fn suite(store: Arc<dyn Store>) {
    a_tickets_events_are_numbered_from_one_and_read_after_a_seq(&store).await;
    concurrent_intake_and_replies_keep_every_log_contiguous(&store).await;
    events_are_tailed_by_id_across_tickets(&store).await;
}

async fn a_tickets_events_are_numbered_from_one_and_read_after_a_seq(store: &Arc<dyn Store>) {
    let t = store
        .open_ticket(new_ticket("seq-1", None))
        .await
        .unwrap()
        .ticket;
    store
        .add_message(message(t.id, "补充一下".into(), 1))
        .await
        .unwrap();
    store
        .change_status(StatusChange {
            ticket_id: t.id,
            to: TicketStatus::Resolved,
            actor: Actor::System,
            reason: None,
            at: at(2),
        })
        .await
        .unwrap();
    let all = assert_contiguous(store, t.id).await;
    assert_eq!(all.len(), 4, "opened, first message, reply, resolved");
    let after = store.events_after(t.id, 2).await.unwrap();
    assert_eq!(after, all[2..].to_vec());
    assert!(store.events_after(t.id, 4).await.unwrap().is_empty());
    // A failed change writes no event and so uses no number.
    let closed_twice = store
        .change_status(StatusChange {
            ticket_id: t.id,
            to: TicketStatus::New,
            actor: Actor::System,
            reason: None,
            at: at(3),
        })
        .await;
    assert!(closed_twice.is_err());
    store
        .add_message(message(t.id, "谢谢".into(), 4))
        .await
        .unwrap();
    assert_eq!(assert_contiguous(store, t.id).await[4].seq, 5);
}

async fn concurrent_intake_and_replies_keep_every_log_contiguous(store: &Arc<dyn Store>) {
    // Many intakes at once share batches (both backends write them together); each ticket
    // then gets replies from several tasks at once.
    let mut opening = vec![];
    for i in 0..60 {
        let store = store.clone();
        opening.push(tokio::spawn(async move {
            store
                .open_ticket(new_ticket(&format!("seq-c-{}", i % 40), None))
                .await
                .unwrap()
                .ticket
                .id
        }));
    }
    let mut tickets = vec![];
    for t in opening {
        tickets.push(t.await.unwrap());
    }
    for &t in &tickets {
        assert_contiguous(store, t).await;
    }
    let mut replies = vec![];
    for (i, &t) in tickets.iter().enumerate().take(10) {
        for r in 0..8 {
            let store = store.clone();
            replies.push(tokio::spawn(async move {
                store
                    .add_message(message(t, format!("第{r}条"), 10 + r))
                    .await
                    .unwrap();
                // New tickets keep arriving meanwhile.
                if r == 0 {
                    store
                        .open_ticket(new_ticket(&format!("seq-d-{i}"), None))
                        .await
                        .unwrap();
                }
            }));
        }
    }
    for r in replies {
        r.await.unwrap();
    }
    for &t in tickets.iter().take(10) {
        assert_eq!(assert_contiguous(store, t).await.len(), 2 + 8);
    }
}

async fn events_are_tailed_by_id_across_tickets(store: &Arc<dyn Store>) {
    let start = store
        .events_since(0, u32::MAX)
        .await
        .unwrap()
        .last()
        .map_or(0, |e| e.id.0);
    let a = store
        .open_ticket(new_ticket("tail-a", None))
        .await
        .unwrap()
        .ticket;
    let b = store
        .open_ticket(new_ticket("tail-b", None))
        .await
        .unwrap()
        .ticket;
    let tail = store.events_since(start, 100).await.unwrap();
    let got: Vec<(TicketId, i64)> = tail.iter().map(|e| (e.ticket_id, e.seq)).collect();
    assert_eq!(got, [(a.id, 1), (a.id, 2), (b.id, 1), (b.id, 2)]);
    let page = store.events_since(start, 3).await.unwrap();
    assert_eq!(page, tail[..3].to_vec());
    let rest = store.events_since(page[2].id.0, 3).await.unwrap();
    assert_eq!(rest, tail[3..].to_vec());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_log_holds_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    assert!(db.store.event_notices().is_none(), "one node: no notices");
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn event_log_holds_on_postgres() {
    let Some(db) = common::postgres_database("event log").await else {
        return;
    };
    suite(db.store.clone()).await;
}

/// The next notice about `ticket` with at least `seq`, skipping others.
async fn notice_for(
    notices: &mut tokio::sync::broadcast::Receiver<EventNotice>,
    ticket: TicketId,
    seq: i64,
) {
    let wait = async {
        loop {
            match notices.recv().await.unwrap() {
                EventNotice::Event { ticket: t, seq: s } if t == ticket && s >= seq => return,
                _ => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), wait)
        .await
        .expect("the notice arrives");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn a_postgres_node_hears_of_events_written_by_another() {
    let Some(db) = common::postgres_database("event notices").await else {
        return;
    };
    let node_a = db.store.clone();
    let node_b = kefu_store::open(&db.url).await.unwrap();
    let mut heard = node_b.event_notices().expect("PostgreSQL has notices");
    // Through the batched intake path (several at once), and through a single step.
    let mut opening = vec![];
    for i in 0..5 {
        let a = node_a.clone();
        opening.push(tokio::spawn(async move {
            a.open_ticket(new_ticket(&format!("notice-{i}"), None))
                .await
                .unwrap()
                .ticket
        }));
    }
    let mut tickets = vec![];
    for t in opening {
        tickets.push(t.await.unwrap());
    }
    // In whatever order the batches committed.
    let mut waiting: std::collections::HashSet<TicketId> = tickets.iter().map(|t| t.id).collect();
    let all_heard = async {
        while !waiting.is_empty() {
            if let EventNotice::Event { ticket, seq: 2 } = heard.recv().await.unwrap() {
                waiting.remove(&ticket);
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), all_heard)
        .await
        .expect("every new ticket is heard of");
    node_a
        .add_message(message(tickets[0].id, "在吗".into(), 1))
        .await
        .unwrap();
    notice_for(&mut heard, tickets[0].id, 3).await;
    let caught_up = node_b.events_after(tickets[0].id, 2).await.unwrap();
    assert_eq!(caught_up.len(), 1);
    assert_eq!(caught_up[0].seq, 3);
    // A failed step notifies nobody: nothing was committed.
    let failed = node_a
        .change_status(StatusChange {
            ticket_id: tickets[0].id,
            to: TicketStatus::Closed,
            actor: Actor::System,
            reason: None,
            at: at(2),
        })
        .await;
    assert!(failed.is_err());
    node_a
        .add_message(message(tickets[1].id, "还在".into(), 3))
        .await
        .unwrap();
    let next = tokio::time::timeout(Duration::from_secs(10), heard.recv()).await;
    let expected = EventNotice::Event {
        ticket: tickets[1].id,
        seq: 3,
    };
    assert_eq!(
        next.unwrap().unwrap(),
        expected,
        "nothing about the failed step"
    );
}
