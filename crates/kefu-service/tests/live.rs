//! Following tickets live: customers see only what their view shows, staff only what they
//! may follow, and a resume delivers exactly what was missed, in order, once.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use jiff::Timestamp;
use kefu_domain::{Actor, AgentId, AgentRole, ApiKeyId, MessageKind, TeamId, Ticket, TicketStatus};
use kefu_service::credentials::lookup_code;
use kefu_service::events::Received;
use kefu_service::live::{Change, CustomerChange, Delivery, Follower, Heard, LiveEvent};
use kefu_service::workers::{Stop, tailer};
use kefu_service::{Caller, Core, CustomerProof, ErrorCode, Staff};
use kefu_store::NewMessage;
use std::sync::Arc;
use std::time::Duration;

fn staff(role: AgentRole, team: Option<i64>) -> Caller {
    Caller::Staff(Staff {
        agent_id: AgentId(900),
        role,
        team: team.map(TeamId),
        credential: ApiKeyId(1),
    })
}

fn customer(core: &Core, t: &Ticket) -> Caller {
    Caller::Customer(CustomerProof::LookupCode(lookup_code(
        &core.lookup_secret,
        &t.number,
    )))
}

async fn write(core: &Core, t: &Ticket, kind: MessageKind, body: &str) {
    core.store
        .add_message(NewMessage {
            ticket_id: t.id,
            kind,
            actor: Actor::System,
            author_agent: None,
            body: body.into(),
            attachments: vec![],
            then_status: None,
            at: Timestamp::now(),
        })
        .await
        .unwrap();
    core.events_written();
}

/// Events delivered to `f` until `quiet` passes with nothing more (at most 10 s).
async fn drain(f: &mut Follower, quiet: Duration) -> Vec<LiveEvent> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while tokio::time::Instant::now() < deadline {
        let Ok(heard) = tokio::time::timeout(quiet, f.recv()).await else {
            break;
        };
        for d in f.handle(heard).await.unwrap() {
            if let Delivery::Event(e) = d {
                got.push(*e);
            }
        }
    }
    got
}

/// Waits until `f` has been delivered `n` events, and returns them.
async fn expect(f: &mut Follower, n: usize) -> Vec<LiveEvent> {
    let mut got = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while got.len() < n {
        let heard = tokio::time::timeout_at(deadline, f.recv())
            .await
            .unwrap_or_else(|_| panic!("only {} of {n} events: {got:?}", got.len()));
        for d in f.handle(heard).await.unwrap() {
            if let Delivery::Event(e) = d {
                got.push(*e);
            }
        }
    }
    got
}

fn bodies(events: &[LiveEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.change {
            Change::Customer(CustomerChange::MessageAdded(m)) => Some(m.body.clone()),
            Change::Staff {
                message: Some(m), ..
            } => Some(m.body.clone()),
            _ => None,
        })
        .collect()
}

fn start_tailer(core: &Arc<Core>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(tailer::run(core.clone(), Stop::never()))
}

#[tokio::test]
async fn a_customer_hears_replies_but_never_internal_notes_and_staff_hear_both() {
    let (_db, core) = common::sqlite_node().await;
    let t = common::open(&core, "live-1").await;
    let mut cust = Follower::new(core.clone(), customer(&core, &t)).unwrap();
    let mut sup = Follower::new(core.clone(), staff(AgentRole::Supervisor, None)).unwrap();
    cust.follow(&t.number, None).await.unwrap();
    sup.follow(&t.number, None).await.unwrap();
    let tailer = start_tailer(&core);
    tokio::time::sleep(Duration::from_millis(300)).await;
    write(&core, &t, MessageKind::InternalNote, "内部：这个客户很急").await;
    write(&core, &t, MessageKind::Agent, "您好，我们来处理").await;
    let staff_side = expect(&mut sup, 2).await;
    assert_eq!(
        bodies(&staff_side),
        ["内部：这个客户很急", "您好，我们来处理"]
    );
    let customer_side = drain(&mut cust, Duration::from_millis(700)).await;
    assert_eq!(bodies(&customer_side), ["您好，我们来处理"]);
    assert_eq!(customer_side.len(), 1, "{customer_side:?}");
    // The hidden note still counts: the reply's seq follows it.
    assert_eq!(customer_side[0].seq, staff_side[1].seq);
    tailer.abort();
}

#[tokio::test]
async fn staff_follow_only_what_they_may_see_and_customers_only_with_proof() {
    let (_db, core) = common::sqlite_node().await;
    let t = common::open(&core, "live-2").await;
    // A queued ticket no team holds: the frontline's shared queue.
    let mut specialist =
        Follower::new(core.clone(), staff(AgentRole::Specialist, Some(5))).unwrap();
    let err = specialist.follow(&t.number, None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Forbidden);
    let mut agent = Follower::new(core.clone(), staff(AgentRole::Agent, Some(1))).unwrap();
    agent.follow(&t.number, None).await.unwrap();
    let wrong = Caller::Customer(CustomerProof::LookupCode("AAAA-BBBB".into()));
    let mut stranger = Follower::new(core.clone(), wrong).unwrap();
    let err = stranger.follow(&t.number, None).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::TicketNotFound);
    assert_eq!(
        Follower::new(core.clone(), Caller::Anonymous)
            .err()
            .unwrap()
            .code,
        ErrorCode::Unauthenticated
    );
    let mut cust = Follower::new(core.clone(), customer(&core, &t)).unwrap();
    let err = cust.follow(&t.number, Some(-1)).await.unwrap_err();
    assert_eq!(err.errors[0].field, "last_seq");
}

#[tokio::test]
async fn a_resume_gets_exactly_what_was_missed_in_order_once() {
    let (_db, core) = common::sqlite_node().await;
    let t = common::open(&core, "live-3").await;
    write(&core, &t, MessageKind::Agent, "一").await;
    let tailer = start_tailer(&core);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The client saw up to here, then went away.
    let seen = core.store.events(t.id).await.unwrap().last().unwrap().seq;
    write(&core, &t, MessageKind::Agent, "二").await;
    write(&core, &t, MessageKind::Agent, "三").await;
    // It comes back. Routed before reading: 四, written meanwhile, is both heard (waiting
    // in the follower's inbox) and read — and must be delivered once.
    let mut f = Follower::new(core.clone(), customer(&core, &t)).unwrap();
    f.follow(&t.number, None).await.unwrap();
    write(&core, &t, MessageKind::Agent, "四").await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let followed = f.follow(&t.number, Some(seen)).await.unwrap();
    assert_eq!(bodies(&followed.missed), ["二", "三", "四"]);
    write(&core, &t, MessageKind::Agent, "五").await;
    let live = drain(&mut f, Duration::from_millis(800)).await;
    assert_eq!(bodies(&live), ["五"], "四 was heard too, and dropped");
    let seqs: Vec<i64> = followed.missed.iter().chain(&live).map(|e| e.seq).collect();
    let expected: Vec<i64> = (seen + 1..=seen + 4).collect();
    assert_eq!(seqs, expected);
    tailer.abort();
}

#[tokio::test]
async fn a_lagging_follower_catches_up_by_sequence() {
    let (_db, core) = common::sqlite_node().await;
    let t = common::open(&core, "live-4").await;
    let mut f = Follower::new(core.clone(), staff(AgentRole::Admin, None)).unwrap();
    let start = f.follow(&t.number, None).await.unwrap().seq;
    // No tailer: nothing is heard, as if the hub had dropped these for a slow follower.
    write(&core, &t, MessageKind::Customer, "a").await;
    common::set_status(&core, &t, TicketStatus::Resolved).await;
    let delivered = f
        .handle(Heard::Event(Received::Lagged { missed: 2 }))
        .await
        .unwrap();
    let seqs: Vec<i64> = delivered
        .iter()
        .map(|d| match d {
            Delivery::Event(e) => e.seq,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(seqs, [start + 1, start + 2]);
    // A second lag finds nothing new: nothing twice.
    let again = f
        .handle(Heard::Event(Received::Lagged { missed: 1 }))
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
}

#[tokio::test]
async fn typing_reaches_the_other_side_only() {
    let (_db, core) = common::sqlite_node().await;
    let t = common::open(&core, "live-5").await;
    let mut cust = Follower::new(core.clone(), customer(&core, &t)).unwrap();
    let mut agent = Follower::new(core.clone(), staff(AgentRole::Agent, None)).unwrap();
    cust.follow(&t.number, None).await.unwrap();
    agent.follow(&t.number, None).await.unwrap();
    cust.typing(&t.number).unwrap();
    let heard = tokio::time::timeout(Duration::from_secs(2), agent.recv())
        .await
        .unwrap();
    let told = agent.handle(heard).await.unwrap();
    assert!(
        matches!(&told[..], [Delivery::Typing { side, .. }] if side.as_str() == "customer"),
        "{told:?}"
    );
    let own = tokio::time::timeout(Duration::from_millis(300), cust.recv()).await;
    assert!(own.is_err(), "not told of its own typing: {own:?}");
    let other = common::open(&core, "live-5b").await;
    assert_eq!(
        cust.typing(&other.number).unwrap_err().errors[0].field,
        "ticket"
    );
}
