//! Contract of the routing, escalation and SLA-timer steps, on SQLite always and on
//! PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set (required under `CI=true`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use jiff::Timestamp;
use kefu_domain::*;
use kefu_store::testing::TestDatabase;
use kefu_store::*;
use std::collections::HashSet;
use std::sync::Arc;

mod common;

fn at(sec: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + sec).unwrap()
}

fn new_ticket(external_id: &str, channel: Channel) -> NewTicket {
    NewTicket {
        customer: CustomerProfile {
            identity: CustomerRef {
                channel,
                external_id: external_id.into(),
            },
            display_name: None,
            email: None,
            phone: None,
            language: "zh-CN".into(),
        },
        channel,
        subject: "登录不了".into(),
        body: "验证码收不到".into(),
        attachments: vec![],
        category: CategoryCode::parse("account").unwrap(),
        priority: Priority::Normal,
        status: TicketStatus::Queued,
        context: serde_json::json!({}),
        first_response_due: Some(at(3600)),
        actor: Actor::Customer,
        idempotency: None,
        bot: None,
        sla: None,
        at: at(0),
    }
}

async fn open(store: &Arc<dyn Store>, external_id: &str) -> Ticket {
    store
        .open_ticket(new_ticket(external_id, Channel::InApp))
        .await
        .unwrap()
        .ticket
}

async fn agent(store: &Arc<dyn Store>, email: &str, capacity: u16) -> Agent {
    store
        .create_agent(NewAgent {
            email: email.into(),
            display_name: "客服".into(),
            role: AgentRole::Agent,
            team_id: None,
            password_hash: None,
            skills: vec![],
            chat_capacity: capacity,
            at: at(0),
        })
        .await
        .unwrap()
}

fn routed(t: &Ticket, a: &Agent, capacity: u32) -> RoutedAssignment {
    RoutedAssignment {
        ticket_id: t.id,
        agent_id: a.id,
        chat: true,
        capacity,
        reason: "least loaded (0/1 chat) among 1 eligible".into(),
        at: at(10),
    }
}

async fn suite(store: Arc<dyn Store>) {
    assignment_needs_presence_and_room_and_offline_requeues_chats(&store).await;
    queue_position_counts_more_urgent_tickets_ahead(&store).await;
    escalation_and_send_back_round_trip(&store).await;
    transfer_to_agent_and_to_team(&store).await;
    timers_fire_once_with_their_effects(&store).await;
    breach_applies_what_the_policy_decides(&store).await;
    concurrent_claimers_get_disjoint_timers(&store).await;
    rosters_are_replaced_and_shift_end_hands_chats_over(&store).await;
    categories_keep_their_certification_setting(&store).await;
}

async fn assignment_needs_presence_and_room_and_offline_requeues_chats(store: &Arc<dyn Store>) {
    let a = agent(store, "route1@kefu.local", 1).await;
    let (t1, t2) = (open(store, "r-1").await, open(store, "r-2").await);
    // Offline (never set): nothing is assigned.
    assert_eq!(
        store.agent_presence(a.id).await.unwrap(),
        AgentPresence::Offline
    );
    assert!(
        store
            .assign_if_room(routed(&t1, &a, 1))
            .await
            .unwrap()
            .is_none()
    );
    let change = |presence| PresenceChange {
        agent_id: a.id,
        presence,
        hand_back_note: (presence != AgentPresence::Online)
            .then(|| format!("handover: {presence}")),
        actor: Actor::Agent { id: a.id },
        at: at(5),
    };
    assert!(
        store
            .set_presence(change(AgentPresence::Online))
            .await
            .unwrap()
            .is_empty()
    );
    let online = store.routing_agents(None).await.unwrap();
    assert!(
        online
            .iter()
            .any(|r| r.agent.id == a.id && r.load_chat == 0)
    );
    let got = store
        .assign_if_room(routed(&t1, &a, 1))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got.status, TicketStatus::Assigned);
    assert_eq!(got.assignee, Some(a.id));
    let events = store.events(t1.id).await.unwrap();
    assert!(events.iter().any(|e| matches!(&e.kind,
        EventKind::Assigned { agent_id, reason } if *agent_id == a.id && reason.starts_with("least loaded"))));
    // At capacity: the second ticket stays queued; the first cannot be assigned twice.
    assert!(
        store
            .assign_if_room(routed(&t2, &a, 1))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .assign_if_room(routed(&t1, &a, 5))
            .await
            .unwrap()
            .is_none()
    );
    let me = store.routing_agents(Some(a.id)).await.unwrap();
    assert_eq!((me[0].load_chat, me[0].load_async), (1, 0));
    assert!(me[0].last_assigned_at.is_some());
    // Going offline hands the chat back with a note.
    let requeued = store
        .set_presence(change(AgentPresence::Offline))
        .await
        .unwrap();
    assert_eq!(requeued, vec![t1.id]);
    let back = store.ticket(t1.id).await.unwrap();
    assert_eq!((back.status, back.assignee), (TicketStatus::Queued, None));
    let events = store.events(t1.id).await.unwrap();
    assert!(events.iter().any(|e| matches!(&e.kind,
        EventKind::StatusChanged { reason: Some(r), .. } if r == "handover: offline")));
    assert!(
        !store
            .routing_agents(None)
            .await
            .unwrap()
            .iter()
            .any(|r| r.agent.id == a.id)
    );
    let queued = store.queued_tickets(1000).await.unwrap();
    assert!(
        queued
            .iter()
            .any(|q| q.ticket.id == t2.id && q.language == "zh-CN")
    );
}

async fn queue_position_counts_more_urgent_tickets_ahead(store: &Arc<dyn Store>) {
    let mut new = new_ticket("qp-1", Channel::InApp);
    new.category = CategoryCode::parse("live_streaming").unwrap();
    let first = store.open_ticket(new.clone()).await.unwrap().ticket;
    new.customer.identity.external_id = "qp-2".into();
    let second = store.open_ticket(new.clone()).await.unwrap().ticket;
    new.customer.identity.external_id = "qp-3".into();
    new.priority = Priority::Urgent;
    let urgent = store.open_ticket(new).await.unwrap().ticket;
    assert_eq!(store.queue_position(urgent.id).await.unwrap(), Some(0));
    assert_eq!(store.queue_position(first.id).await.unwrap(), Some(1));
    assert_eq!(store.queue_position(second.id).await.unwrap(), Some(2));
}

async fn escalation_and_send_back_round_trip(store: &Arc<dyn Store>) {
    let frontline = agent(store, "route2@kefu.local", 5).await;
    let team = store
        .create_team(NewTeam {
            code: "route_specialists".into(),
            name: "专家".into(),
            specialist: true,
        })
        .await
        .unwrap();
    let t = open(store, "e-1").await;
    let actor = Actor::Agent { id: frontline.id };
    store
        .assign_ticket(Assignment {
            ticket_id: t.id,
            agent_id: frontline.id,
            actor: actor.clone(),
            reason: "taken".into(),
            at: at(1),
        })
        .await
        .unwrap();
    // Not escalated yet: nothing to send back.
    let send = |findings: &str| SendBack {
        ticket_id: t.id,
        findings: findings.into(),
        reason: "sent back".into(),
        author: frontline.id,
        actor: actor.clone(),
        at: at(3),
    };
    assert!(matches!(
        store.send_back(send("x")).await,
        Err(StoreError::Conflict(Conflict::NotEscalated))
    ));
    let up = store
        .escalate_ticket(Escalation {
            ticket_id: t.id,
            team_id: team.id,
            reason: "需要安全团队核实".into(),
            actor: actor.clone(),
            at: at(2),
        })
        .await
        .unwrap();
    assert_eq!(up.status, TicketStatus::Escalated);
    assert_eq!((up.team, up.assignee), (Some(team.id), None));
    let back = store.send_back(send("账号已解封")).await.unwrap();
    assert_eq!(back.status, TicketStatus::Assigned);
    assert_eq!(back.assignee, Some(frontline.id));
    let notes = store.messages(t.id, true).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|m| m.kind == MessageKind::InternalNote && m.body == "账号已解封")
    );
    let kinds: Vec<&str> = store
        .events(t.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect();
    assert!(
        kinds.contains(&"escalated") && kinds.contains(&"sent_back"),
        "{kinds:?}"
    );
    // Sent back once; a second send-back is refused.
    assert!(store.send_back(send("again")).await.is_err());
}

async fn transfer_to_agent_and_to_team(store: &Arc<dyn Store>) {
    let to = agent(store, "route3@kefu.local", 5).await;
    let team = store.list_teams().await.unwrap()[0].clone();
    let t = open(store, "tr-1").await;
    let transfer = |to| Transfer {
        ticket_id: t.id,
        to,
        reason: "换人".into(),
        actor: Actor::System,
        at: at(4),
    };
    let moved = store
        .transfer_ticket(transfer(TransferTarget::Agent(to.id)))
        .await
        .unwrap();
    assert_eq!(
        (moved.status, moved.assignee),
        (TicketStatus::Assigned, Some(to.id))
    );
    let moved = store
        .transfer_ticket(transfer(TransferTarget::Team(team.id)))
        .await
        .unwrap();
    assert_eq!(
        (moved.status, moved.assignee, moved.team),
        (TicketStatus::Queued, None, Some(team.id))
    );
    assert!(matches!(
        store
            .transfer_ticket(transfer(TransferTarget::Agent(AgentId(999_999))))
            .await,
        Err(StoreError::NotFound)
    ));
    let n = store
        .events(t.id)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.kind.name() == "transferred")
        .count();
    assert_eq!(n, 2);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_contract_holds_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
    timers_survive_a_restart(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn routing_contract_holds_on_postgres() {
    let Some(db) = common::postgres_database("routing contract").await else {
        return;
    };
    suite(db.store.clone()).await;
    timers_survive_a_restart(&db).await;
}

async fn rosters_are_replaced_and_shift_end_hands_chats_over(store: &Arc<dyn Store>) {
    let a = agent(store, "roster1@kefu.local", 2).await;
    assert_eq!(store.roster(a.id).await.unwrap(), None);
    let night = AgentRoster {
        agent_id: a.id,
        time_zone: "Asia/Shanghai".into(),
        shifts: r#"[{"days":["mon"],"start":"22:00","end":"06:00","breaks":[]}]"#.into(),
        updated_at: at(1),
    };
    assert_eq!(store.set_roster(night.clone()).await.unwrap(), night);
    let day = AgentRoster {
        time_zone: "UTC".into(),
        shifts: r#"[{"days":["tue"],"start":"09:00","end":"17:00","breaks":[]}]"#.into(),
        updated_at: at(2),
        ..night.clone()
    };
    store.set_roster(day.clone()).await.unwrap();
    assert_eq!(store.roster(a.id).await.unwrap(), Some(day.clone()));
    assert!(store.rosters().await.unwrap().contains(&day));
    let unknown = AgentRoster {
        agent_id: AgentId(999_999),
        ..day.clone()
    };
    assert!(matches!(
        store.set_roster(unknown).await,
        Err(StoreError::NotFound)
    ));
    // Routing sees the roster with the agent.
    store
        .set_presence(PresenceChange {
            agent_id: a.id,
            presence: AgentPresence::Online,
            hand_back_note: None,
            actor: Actor::System,
            at: at(5),
        })
        .await
        .unwrap();
    let me = store.routing_agents(Some(a.id)).await.unwrap();
    assert_eq!(me[0].roster, Some(day));
    // A chat and an asynchronous ticket: the shift's end hands over only the chat.
    let chat = open(store, "ro-1").await;
    let email = store
        .open_ticket(new_ticket("ro-2", Channel::Email))
        .await
        .unwrap()
        .ticket;
    store
        .assign_if_room(routed(&chat, &a, 2))
        .await
        .unwrap()
        .unwrap();
    let async_assignment = RoutedAssignment {
        chat: false,
        ..routed(&email, &a, 2)
    };
    store
        .assign_if_room(async_assignment)
        .await
        .unwrap()
        .unwrap();
    let handover = || Handover {
        agent_id: a.id,
        note: "交接：客服 班次结束".into(),
        actor: Actor::System,
        at: at(20),
    };
    assert_eq!(
        store.hand_over_chats(handover()).await.unwrap(),
        vec![chat.id]
    );
    assert!(store.hand_over_chats(handover()).await.unwrap().is_empty());
    let back = store.ticket(chat.id).await.unwrap();
    assert_eq!((back.status, back.assignee), (TicketStatus::Queued, None));
    let kept = store.ticket(email.id).await.unwrap();
    assert_eq!(kept.assignee, Some(a.id));
    let events = store.events(chat.id).await.unwrap();
    assert!(events.iter().any(|e| matches!(&e.kind,
        EventKind::StatusChanged { reason: Some(r), .. }
            if r == "交接：客服 班次结束")));
    assert!(matches!(
        store
            .hand_over_chats(Handover {
                agent_id: AgentId(999_999),
                ..handover()
            })
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn categories_keep_their_certification_setting(store: &Arc<dyn Store>) {
    let mut cat = Category {
        code: CategoryCode::parse("payouts").unwrap(),
        name_zh: "提现".into(),
        name_en: "Payouts".into(),
        specialist_team: None,
        always_human: false,
        requires_certification: true,
    };
    store.upsert_category(cat.clone()).await.unwrap();
    let listed = store.list_categories().await.unwrap();
    assert!(listed.contains(&cat));
    cat.requires_certification = false;
    store.upsert_category(cat.clone()).await.unwrap();
    let listed = store.list_categories().await.unwrap();
    assert!(listed.contains(&cat));
}
