//! The channels' storage over `Arc<dyn Store>`: a platform message claimed once (a repeat
//! is a duplicate, a stale claim is taken over), refused payloads kept for admins,
//! deliveries written once per source with one ordered job each, attempt outcomes with
//! their events, and coalesced notifications. Run on SQLite always and on PostgreSQL when
//! `KEFU_TEST_POSTGRES_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::*;
use kefu_store::*;
use std::sync::Arc;
use std::time::Duration;

mod common;
use common::{at, new_ticket};

async fn ticket(store: &Arc<dyn Store>, who: &str) -> Ticket {
    store
        .open_ticket(new_ticket(who, None))
        .await
        .unwrap()
        .ticket
}

fn claim(id: &str, thread: Option<&str>, sec: i64) -> InboundClaim {
    InboundClaim {
        adapter: "weibo".into(),
        external_id: id.into(),
        thread: thread.map(Into::into),
        visibility: "private".into(),
        at: at(sec),
        stale_after: Duration::from_secs(60),
    }
}

fn delivery(t: &Ticket, source: &str, with_job: bool) -> NewDelivery {
    NewDelivery {
        ticket: t.id,
        source: source.into(),
        adapter: with_job.then(|| "weibo".into()),
        kind: "reply".into(),
        visibility: "private".into(),
        body: format!("body of {source}"),
        topics: None,
        status: if with_job { "pending" } else { "undeliverable" }.into(),
        job: with_job.then(|| DeliveryJob {
            kind: "channel.deliver".into(),
            max_attempts: 3,
            ordering_key: format!("deliver:ticket:{}", t.id.0),
        }),
        at: at(5),
    }
}

async fn a_platform_message_is_claimed_once(store: &Arc<dyn Store>) {
    let t = ticket(store, "ch-claim").await;
    let ch = store.channels();
    assert_eq!(
        ch.claim_inbound(claim("m1", Some("dm-1"), 0))
            .await
            .unwrap(),
        InboundClaimed::New
    );
    assert_eq!(
        ch.claim_inbound(claim("m1", Some("dm-1"), 1))
            .await
            .unwrap(),
        InboundClaimed::InProgress,
        "being written by the first request"
    );
    ch.finish_inbound("weibo", "m1", t.id, Some(9), at(2))
        .await
        .unwrap();
    assert_eq!(
        ch.claim_inbound(claim("m1", None, 3)).await.unwrap(),
        InboundClaimed::Duplicate {
            ticket: t.id,
            message: Some(9)
        }
    );
    let rec = ch.inbound("weibo", "m1").await.unwrap().unwrap();
    assert_eq!((rec.ticket, rec.thread.as_deref()), (t.id, Some("dm-1")));
    assert_eq!(ch.thread_ticket("weibo", "dm-1").await.unwrap(), Some(t.id));
    assert_eq!(ch.thread_ticket("email", "dm-1").await.unwrap(), None);
    assert_eq!(
        ch.latest_inbound(t.id).await.unwrap().unwrap().external_id,
        "m1"
    );
    // Another adapter's message with the same id is another message.
    let mut other = claim("m1", None, 4);
    other.adapter = "email".into();
    assert_eq!(ch.claim_inbound(other).await.unwrap(), InboundClaimed::New);
}

async fn a_failed_or_stale_claim_is_free_again(store: &Arc<dyn Store>) {
    let ch = store.channels();
    assert_eq!(
        ch.claim_inbound(claim("r1", None, 0)).await.unwrap(),
        InboundClaimed::New
    );
    ch.release_inbound("weibo", "r1").await.unwrap();
    assert_eq!(ch.inbound("weibo", "r1").await.unwrap(), None);
    assert_eq!(
        ch.claim_inbound(claim("r1", None, 1)).await.unwrap(),
        InboundClaimed::New,
        "released: a repeat may try again"
    );
    assert_eq!(
        ch.claim_inbound(claim("r1", None, 30)).await.unwrap(),
        InboundClaimed::InProgress
    );
    assert_eq!(
        ch.claim_inbound(claim("r1", None, 62)).await.unwrap(),
        InboundClaimed::New,
        "its writer died: taken over"
    );
    assert_eq!(
        ch.claim_inbound(claim("r1", None, 63)).await.unwrap(),
        InboundClaimed::InProgress,
        "taken over once"
    );
}

async fn refused_payloads_are_kept_newest_first(store: &Arc<dyn Store>) {
    let ch = store.channels();
    let mut ids = Vec::new();
    for n in 0..3 {
        let id = ch
            .keep_rejected(RejectedPayload {
                adapter: "weibo".into(),
                reason: format!("unknown type {n}"),
                payload: format!(r#"{{"type":"like{n}"}}"#),
                at: at(n),
            })
            .await
            .unwrap();
        ids.push(id);
    }
    let all = ch.rejected_payloads(10, None).await.unwrap();
    assert_eq!(
        all.iter().map(|r| r.id).collect::<Vec<_>>(),
        ids.iter().rev().copied().collect::<Vec<_>>()
    );
    assert_eq!(all[0].payload, r#"{"type":"like2"}"#);
    assert_eq!(all[0].received_at, at(2));
    let page = ch.rejected_payloads(1, Some(ids[2])).await.unwrap();
    assert_eq!(page.len(), 1);
    assert_eq!(page[0].id, ids[1]);
}

async fn a_cause_is_delivered_once_with_one_ordered_job(store: &Arc<dyn Store>) {
    let t = ticket(store, "ch-deliver").await;
    let ch = store.channels();
    let (first, job) = ch
        .enqueue_delivery(delivery(&t, "message:1", true))
        .await
        .unwrap()
        .unwrap();
    let job = store.job(job.unwrap()).await.unwrap().unwrap();
    assert_eq!(job.kind, "channel.deliver");
    assert_eq!(job.payload, serde_json::json!({ "delivery": first }));
    assert_eq!(
        job.ordering_key.as_deref(),
        Some(format!("deliver:ticket:{}", t.id.0).as_str())
    );
    assert_eq!(job.max_attempts, 3);
    assert_eq!(
        ch.enqueue_delivery(delivery(&t, "message:1", true))
            .await
            .unwrap(),
        None,
        "the same source twice writes nothing"
    );
    let (second, none) = ch
        .enqueue_delivery(delivery(&t, "message:2", false))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(none, None, "undeliverable: no job");
    let rows = ch.deliveries(t.id).await.unwrap();
    assert_eq!(
        rows.iter().map(|d| d.id).collect::<Vec<_>>(),
        [first, second]
    );
    assert_eq!(rows[0].status, "pending");
    assert_eq!(rows[0].finished_at, None);
    assert_eq!(rows[1].status, "undeliverable");
    assert_eq!(rows[1].finished_at, Some(at(5)));
}

async fn an_attempt_outcome_is_recorded_with_its_event(store: &Arc<dyn Store>) {
    let t = ticket(store, "ch-outcome").await;
    let ch = store.channels();
    let (id, _) = ch
        .enqueue_delivery(delivery(&t, "message:outcome", true))
        .await
        .unwrap()
        .unwrap();
    ch.finish_delivery(DeliveryOutcome {
        id,
        status: "pending".into(),
        attempts: 1,
        error: Some("the platform answered 503".into()),
        remote_id: None,
        at: at(6),
        event: None,
    })
    .await
    .unwrap();
    let d = ch.delivery(id).await.unwrap().unwrap();
    assert_eq!((d.status.as_str(), d.attempts), ("pending", 1));
    assert_eq!(d.last_error.as_deref(), Some("the platform answered 503"));
    ch.finish_delivery(DeliveryOutcome {
        id,
        status: "delivered".into(),
        attempts: 2,
        error: None,
        remote_id: Some("remote-7".into()),
        at: at(8),
        event: Some((
            Actor::System,
            EventKind::CustomerNotified {
                topics: vec!["assigned".into()],
                delivery_id: id,
                result: "delivered".into(),
            },
        )),
    })
    .await
    .unwrap();
    let d = ch.delivery(id).await.unwrap().unwrap();
    assert_eq!(d.status, "delivered");
    assert_eq!(d.finished_at, Some(at(8)));
    assert_eq!(d.last_error, None);
    let by_remote = ch.delivery_by_remote("weibo", "remote-7").await.unwrap();
    assert_eq!(by_remote.map(|d| d.id), Some(id));
    let events = store.events(t.id).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(&e.kind, EventKind::CustomerNotified { delivery_id, .. } if *delivery_id == id)),
        "{events:?}"
    );
    let missing = DeliveryOutcome {
        id: id + 1000,
        status: "delivered".into(),
        attempts: 1,
        error: None,
        remote_id: None,
        at: at(9),
        event: None,
    };
    assert!(matches!(
        ch.finish_delivery(missing).await,
        Err(StoreError::NotFound)
    ));
}

async fn notifications_are_coalesced_into_one_job_per_send(store: &Arc<dyn Store>) {
    let t = ticket(store, "ch-notify").await;
    let ch = store.channels();
    let hour = Duration::from_secs(3600);
    assert_eq!(ch.notify_state(t.id).await.unwrap(), None);
    for topic in ["assigned", "status"] {
        ch.note_notification(
            t.id,
            serde_json::json!({ "topic": topic }),
            "contract.notify",
            hour,
            at(10),
        )
        .await
        .unwrap();
    }
    let state = ch.notify_state(t.id).await.unwrap().unwrap();
    assert_eq!(state.pending.len(), 2);
    assert_eq!(state.sent_count, 0);
    let due = store
        .claim_jobs("n1", Some(&["contract.notify"]), at(10), hour, 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 1, "one job carries both topics");
    assert_eq!(due[0].payload, serde_json::json!({ "ticket": t.id.0 }));
    assert!(
        !ch.take_notification(t.id, state.version - 1, None, at(11))
            .await
            .unwrap(),
        "a stale version takes nothing"
    );
    let mut note = delivery(&t, "notification:1", false);
    note.kind = "notification".into();
    assert!(
        ch.take_notification(t.id, state.version, Some(note), at(11))
            .await
            .unwrap()
    );
    store.complete_job(due[0].id, "n1").await.unwrap();
    let state = ch.notify_state(t.id).await.unwrap().unwrap();
    assert!(state.pending.is_empty());
    assert_eq!((state.sent_count, state.last_sent_at), (1, Some(at(11))));
    assert_eq!(ch.deliveries(t.id).await.unwrap().len(), 1);
    // The next topic waits for the interval after the last send.
    ch.note_notification(
        t.id,
        serde_json::json!({ "topic": "resolved" }),
        "contract.notify",
        hour,
        at(20),
    )
    .await
    .unwrap();
    let early = store
        .claim_jobs("n1", Some(&["contract.notify"]), at(3600), hour, 10)
        .await
        .unwrap();
    assert!(early.is_empty(), "held back within the interval");
    let later = store
        .claim_jobs("n1", Some(&["contract.notify"]), at(11 + 3600), hour, 10)
        .await
        .unwrap();
    assert_eq!(later.len(), 1);
}

contract_steps!(
    a_platform_message_is_claimed_once,
    a_failed_or_stale_claim_is_free_again,
    refused_payloads_are_kept_newest_first,
    a_cause_is_delivered_once_with_one_ordered_job,
    an_attempt_outcome_is_recorded_with_its_event,
    notifications_are_coalesced_into_one_job_per_send,
);
