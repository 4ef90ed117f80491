//! "Must read" policy updates and the supervisor dashboard's counts over `Arc<dyn Store>`:
//! an update is published with its audit row, shows as unread until acknowledged, is
//! acknowledged once (the first time kept); the dashboard counts waiting lanes, arrivals
//! per hour, the bot's contained conversations and the tickets nearest to a breach. Run on
//! SQLite always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::*;
use kefu_store::*;
use std::sync::Arc;

mod common;
use common::at;
use common::routing::{agent, ticket_on};

fn policy(title: &str, must_read: bool, author: AgentId, sec: i64) -> NewPolicy {
    NewPolicy {
        title: title.into(),
        body: "直播带货新规：<b>即日起</b>生效".into(),
        must_read,
        author: Some(author),
        at: at(sec),
    }
}

fn audited(p: &PolicyUpdate) -> Vec<AuditEntry> {
    vec![AuditEntry {
        actor: AuditActor::System,
        action: "policy.published".into(),
        subject: Some(format!("policy:{}", p.id)),
        detail: serde_json::json!({}),
        at: p.published_at,
    }]
}

async fn a_must_read_update_stays_unread_until_acknowledged_once(store: &Arc<dyn Store>) {
    let admin = agent(store, "admin@p", 1).await;
    let a = agent(store, "a@p", 1).await;
    let b = agent(store, "b@p", 1).await;
    let first = store
        .publish_policy(policy("新规一", true, admin.id, 10), Box::new(audited))
        .await
        .unwrap();
    let info = store
        .publish_policy(policy("通知", false, admin.id, 20), no_audit())
        .await
        .unwrap();
    let second = store
        .publish_policy(policy("新规二", true, admin.id, 30), no_audit())
        .await
        .unwrap();
    assert_eq!(
        (
            first.title.as_str(),
            first.must_read,
            first.author,
            first.published_at
        ),
        ("新规一", true, Some(admin.id), at(10))
    );
    assert!(first.body.contains("<b>"), "stored as written");
    let newest: Vec<i64> = store
        .policy_updates(10)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(newest, [second.id, info.id, first.id]);
    assert_eq!(store.policy_updates(1).await.unwrap().len(), 1);
    assert_eq!(store.policy_update(info.id).await.unwrap(), Some(info));
    assert_eq!(store.policy_update(9999).await.unwrap(), None);

    let unread = unread_ids(store, a.id).await;
    assert_eq!(
        unread,
        [first.id, second.id],
        "must-read only, oldest first"
    );

    let ack = |agent: AgentId, policy: i64, sec: i64| PolicyAck {
        policy,
        agent,
        at: at(sec),
    };
    assert_eq!(
        store
            .acknowledge_policy(ack(a.id, first.id, 40))
            .await
            .unwrap(),
        at(40)
    );
    assert_eq!(
        store
            .acknowledge_policy(ack(a.id, first.id, 50))
            .await
            .unwrap(),
        at(40),
        "the first acknowledgement is kept"
    );
    let unknown = store.acknowledge_policy(ack(a.id, 9999, 50)).await;
    assert!(matches!(unknown, Err(StoreError::NotFound)), "{unknown:?}");
    store
        .acknowledge_policy(ack(b.id, first.id, 45))
        .await
        .unwrap();
    let unread = unread_ids(store, a.id).await;
    assert_eq!(unread, [second.id]);
    assert_eq!(
        store.policy_acknowledgements(first.id).await.unwrap(),
        [
            Acknowledgement {
                agent: a.id,
                at: at(40)
            },
            Acknowledgement {
                agent: b.id,
                at: at(45)
            }
        ]
    );
    assert!(
        store
            .policy_acknowledgements(second.id)
            .await
            .unwrap()
            .is_empty()
    );
    let rows = store
        .audit_log(&AuditFilter {
            action: Some("policy.published".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].entry.subject.as_deref(),
        Some(format!("policy:{}", first.id).as_str())
    );
}

async fn unread_ids(store: &Arc<dyn Store>, agent: AgentId) -> Vec<i64> {
    store
        .unread_policies(agent)
        .await
        .unwrap()
        .iter()
        .map(|p| p.id)
        .collect()
}

fn breach_at(sec: i64) -> Option<SlaSchedule> {
    Some(SlaSchedule {
        state: "{}".into(),
        timers: vec![(
            "first_response".into(),
            Some(NewTimer {
                kind: SlaTimerKind::Breach,
                due_at: at(sec),
            }),
        )],
    })
}

async fn the_dashboard_counts_lanes_arrivals_the_bot_and_nearest_breaches(store: &Arc<dyn Store>) {
    let open = |id: &str, sec: i64, priority: Priority, breach: Option<i64>| {
        let mut t = ticket_on(id, Channel::InApp);
        t.at = at(sec);
        t.priority = priority;
        t.sla = breach.and_then(breach_at);
        t.first_response_due = None;
        t
    };
    let late = store
        .open_ticket(open("d1", 10, Priority::Normal, Some(900)))
        .await
        .unwrap()
        .ticket;
    let soon = store
        .open_ticket(open("d2", 20, Priority::Urgent, Some(300)))
        .await
        .unwrap()
        .ticket;
    let mut unanswered = open("d3", 3700, Priority::Normal, None);
    unanswered.first_response_due = Some(at(600));
    let unanswered = store.open_ticket(unanswered).await.unwrap().ticket;
    let bot = store
        .open_ticket(open("d4", 3800, Priority::Normal, None))
        .await
        .unwrap()
        .ticket;
    store
        .record_bot_exchange(BotExchange {
            ticket_id: bot.id,
            customer_message: None,
            bot_reply: "请在设置里重置密码".into(),
            suggestions: vec![],
            state: "{}".into(),
            handoff: None,
            unanswered: None,
            answered: None,
            at: at(3801),
        })
        .await
        .unwrap();
    store
        .change_status(StatusChange {
            ticket_id: bot.id,
            to: TicketStatus::Resolved,
            actor: Actor::System,
            reason: Some("bot_contained".into()),
            at: at(3900),
        })
        .await
        .unwrap();
    // Before the window: counted in the queue, not in arrivals.
    store
        .open_ticket(open("d5", -100, Priority::Normal, None))
        .await
        .unwrap();

    let counts = store.dashboard_counts(at(0), at(7200), 10).await.unwrap();
    let account = CategoryCode::parse("account").unwrap();
    assert_eq!(
        counts.waiting,
        [
            WaitingCount {
                category: account.clone(),
                priority: Priority::Urgent,
                escalated: false,
                count: 1
            },
            WaitingCount {
                category: account,
                priority: Priority::Normal,
                escalated: false,
                count: 3
            },
        ]
    );
    assert_eq!(counts.arrivals, [(0, 2), (1, 2)]);
    assert_eq!((counts.bot_conversations, counts.bot_contained), (1, 1));
    let nearest: Vec<(TicketId, jiff::Timestamp)> = counts
        .nearest_breach
        .iter()
        .map(|d| (d.ticket.id, d.due_at))
        .collect();
    assert_eq!(
        nearest,
        [
            (soon.id, at(300)),
            (unanswered.id, at(600)),
            (late.id, at(900))
        ]
    );
    let one = store.dashboard_counts(at(0), at(7200), 1).await.unwrap();
    assert_eq!(one.nearest_breach.len(), 1);
    let empty = store.dashboard_counts(at(7200), at(9000), 5).await.unwrap();
    assert!(empty.arrivals.is_empty());
    assert_eq!((empty.bot_conversations, empty.bot_contained), (0, 0));

    // The live gauges share the lanes; the oldest waiting one is d5, opened before the
    // window; no agent has a presence yet.
    let live = store.live_counts().await.unwrap();
    assert_eq!(live.waiting, counts.waiting);
    assert_eq!(live.oldest_waiting_since, Some(at(-100)));
    assert!(live.presence.is_empty());
}

contract_steps!(
    a_must_read_update_stays_unread_until_acknowledged_once,
    the_dashboard_counts_lanes_arrivals_the_bot_and_nearest_breaches,
);
