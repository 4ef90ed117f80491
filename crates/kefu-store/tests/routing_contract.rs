//! Contract of the routing, escalation, roster and category steps (SLA timers have their
//! own suite, sla_timers_contract.rs), on SQLite always and on
//! PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set (required under `CI=true`).

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
use common::at;
use common::routing::{agent, open, routed, ticket_on};

async fn suite(store: Arc<dyn Store>) {
    assignment_needs_presence_and_room_and_offline_requeues_chats(&store).await;
    queue_position_counts_more_urgent_tickets_ahead(&store).await;
    escalation_and_send_back_round_trip(&store).await;
    transfer_to_agent_and_to_team(&store).await;
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
    let mut new = ticket_on("qp-1", Channel::InApp);
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routing_contract_holds_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn routing_contract_holds_on_postgres() {
    let Some(db) = common::postgres_database("routing contract").await else {
        return;
    };
    suite(db.store.clone()).await;
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
        .open_ticket(ticket_on("ro-2", Channel::Email))
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
