//! One contract suite over `Arc<dyn Store>`, run on SQLite always and on PostgreSQL when
//! `KEFU_TEST_POSTGRES_URL` is set (required under `CI=true`). Concurrent intake (batched
//! on both backends) has its own suite in `intake_contract.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_domain::*;
use kefu_store::*;
use std::sync::Arc;

#[macro_use]
mod common;
use common::{at, new_ticket, stored};

async fn an_agent(store: &Arc<dyn Store>, email: &str) -> Agent {
    store
        .create_agent(NewAgent {
            email: email.into(),
            display_name: "客服小李".into(),
            role: AgentRole::Agent,
            team_id: None,
            password_hash: Some("phc".into()),
            skills: vec![Skill {
                name: "category:account".into(),
                level: 3,
                certified: true,
            }],
            chat_capacity: 5,
            at: at(0),
        })
        .await
        .unwrap()
}

contract_steps!(
    opened_ticket_is_found_by_number_with_its_first_message_and_events,
    idempotency_key_replays_same_request_and_rejects_another,
    status_changes_follow_the_machine_and_are_logged,
    internal_notes_are_hidden_from_the_public_view,
    list_filters_and_keyset_pages_work,
    staff_and_credentials_round_trip,
    catalogue_and_sla_policies_round_trip,
);

/// Under CI the PostgreSQL half must run: a missing URL fails here rather than skipping.
#[test]
fn postgres_runs_under_ci() {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        assert!(
            cfg!(kefu_test_postgres) && kefu_store::testing::postgres_url().is_some(),
            "CI=true: build and run with KEFU_TEST_POSTGRES_URL set"
        );
    }
}

async fn opened_ticket_is_found_by_number_with_its_first_message_and_events(
    store: &Arc<dyn Store>,
) {
    let opened = store.open_ticket(new_ticket("u-1", None)).await.unwrap();
    assert!(!opened.replayed);
    stored(store, &opened).await;
    let messages = store.messages(opened.ticket.id, false).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].body, "验证码收不到，怎么办？");
    let events = store.events(opened.ticket.id).await.unwrap();
    assert_eq!(
        events[0].kind,
        EventKind::Opened {
            channel: "in_app".into()
        }
    );
    assert_eq!(events.len(), 2);
    let customer = store.customer(opened.ticket.customer_id).await.unwrap();
    assert_eq!(customer.display_name.as_deref(), Some("小王"));
    // The same channel identity is the same customer.
    let again = store.open_ticket(new_ticket("u-1", None)).await.unwrap();
    assert_eq!(again.ticket.customer_id, opened.ticket.customer_id);
    assert_ne!(again.ticket.number, opened.ticket.number);
}

async fn idempotency_key_replays_same_request_and_rejects_another(store: &Arc<dyn Store>) {
    let first = store
        .open_ticket(new_ticket("u-2", Some(("k1", "f1"))))
        .await
        .unwrap();
    let replay = store
        .open_ticket(new_ticket("u-2", Some(("k1", "f1"))))
        .await
        .unwrap();
    assert!(replay.replayed);
    assert_eq!(replay.ticket.id, first.ticket.id);
    let other = store
        .open_ticket(new_ticket("u-2", Some(("k1", "f2"))))
        .await;
    assert!(
        matches!(
            other,
            Err(StoreError::Conflict(Conflict::IdempotencyKeyReused))
        ),
        "{other:?}"
    );
}

async fn status_changes_follow_the_machine_and_are_logged(store: &Arc<dyn Store>) {
    let t = store
        .open_ticket(new_ticket("u-3", None))
        .await
        .unwrap()
        .ticket;
    let agent = an_agent(store, "li@example.com").await;
    let assigned = store
        .assign_ticket(Assignment {
            ticket_id: t.id,
            agent_id: agent.id,
            actor: Actor::System,
            reason: "least loaded".into(),
            at: at(5),
        })
        .await
        .unwrap();
    assert_eq!(assigned.status, TicketStatus::Assigned);
    assert_eq!(assigned.assignee, Some(agent.id));
    let illegal = store
        .change_status(StatusChange {
            ticket_id: t.id,
            to: TicketStatus::Closed,
            actor: Actor::Agent { id: agent.id },
            reason: None,
            at: at(6),
        })
        .await;
    assert!(
        matches!(
            illegal,
            Err(StoreError::Conflict(Conflict::IllegalTransition(_)))
        ),
        "{illegal:?}"
    );
    let reply = store
        .add_message(NewMessage {
            ticket_id: t.id,
            kind: MessageKind::Agent,
            actor: Actor::Agent { id: agent.id },
            author_agent: Some(agent.id),
            body: "请提供手机号".into(),
            attachments: vec![],
            then_status: Some(TicketStatus::PendingCustomer),
            at: at(7),
        })
        .await
        .unwrap();
    assert_eq!(reply.kind, MessageKind::Agent);
    let after = store.ticket(t.id).await.unwrap();
    assert_eq!(after.status, TicketStatus::PendingCustomer);
    assert_eq!(after.first_response_at, Some(at(7)));
    let resolved = store
        .change_status(StatusChange {
            ticket_id: t.id,
            to: TicketStatus::Resolved,
            actor: Actor::Agent { id: agent.id },
            reason: Some("done".into()),
            at: at(8),
        })
        .await
        .unwrap();
    assert_eq!(resolved.resolved_at, Some(at(8)));
    let kinds: Vec<&str> = store
        .events(t.id)
        .await
        .unwrap()
        .iter()
        .map(|e| e.kind.name())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "message_added",
            "status_changed",
            "assigned",
            "message_added",
            "status_changed",
            "status_changed"
        ]
    );
    let patched = store
        .update_ticket(TicketPatch {
            ticket_id: t.id,
            category: Some(CategoryCode::parse("live_streaming").unwrap()),
            priority: Some(Priority::Urgent),
            first_response_due: None,
            actor: Actor::System,
            at: at(9),
        })
        .await
        .unwrap();
    assert_eq!(patched.priority, Priority::Urgent);
    assert_eq!(patched.category.as_str(), "live_streaming");
    assert!(matches!(
        store.ticket(TicketId(999_999)).await,
        Err(StoreError::NotFound)
    ));
}

async fn internal_notes_are_hidden_from_the_public_view(store: &Arc<dyn Store>) {
    let t = store
        .open_ticket(new_ticket("u-4", None))
        .await
        .unwrap()
        .ticket;
    store
        .add_message(NewMessage {
            ticket_id: t.id,
            kind: MessageKind::InternalNote,
            actor: Actor::System,
            author_agent: None,
            body: "疑似盗号".into(),
            attachments: vec![],
            then_status: None,
            at: at(1),
        })
        .await
        .unwrap();
    assert_eq!(store.messages(t.id, false).await.unwrap().len(), 1);
    assert_eq!(store.messages(t.id, true).await.unwrap().len(), 2);
}

async fn list_filters_and_keyset_pages_work(store: &Arc<dyn Store>) {
    let mut ids = vec![];
    for i in 0..5 {
        let mut n = new_ticket("u-list", None);
        n.priority = if i % 2 == 0 {
            Priority::High
        } else {
            Priority::Low
        };
        ids.push(store.open_ticket(n).await.unwrap().ticket);
    }
    let customer = ids[0].customer_id;
    let base = TicketFilter {
        customer: Some(customer),
        limit: 2,
        ..TicketFilter::default()
    };
    let page1 = store.list_tickets(&base).await.unwrap();
    assert_eq!(
        page1.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![ids[4].id, ids[3].id]
    );
    let last = page1.last().unwrap();
    let page2 = store
        .list_tickets(&TicketFilter {
            after: Some(TicketCursor {
                priority: last.priority.rank(),
                id: last.id,
            }),
            ..base.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        page2.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![ids[2].id, ids[1].id]
    );
    let urgent = TicketFilter {
        customer: Some(customer),
        sort: TicketSort::Urgent,
        limit: 10,
        ..TicketFilter::default()
    };
    let order: Vec<_> = store
        .list_tickets(&urgent)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(
        order,
        vec![ids[0].id, ids[2].id, ids[4].id, ids[1].id, ids[3].id]
    );
    let high = TicketFilter {
        priority: Some(Priority::High),
        statuses: vec![TicketStatus::Queued],
        ..urgent.clone()
    };
    assert_eq!(store.list_tickets(&high).await.unwrap().len(), 3);
    let page_after_first_high = TicketFilter {
        after: Some(TicketCursor {
            priority: Priority::High.rank(),
            id: ids[0].id,
        }),
        limit: 2,
        ..urgent
    };
    let next: Vec<_> = store
        .list_tickets(&page_after_first_high)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(next, vec![ids[2].id, ids[4].id]);
}

async fn staff_and_credentials_round_trip(store: &Arc<dyn Store>) {
    let agent = an_agent(store, "Zhang@Example.com").await;
    assert_eq!(agent.email, "zhang@example.com");
    let dup = store
        .create_agent(NewAgent {
            email: "zhang@example.com".into(),
            display_name: "x".into(),
            role: AgentRole::Agent,
            team_id: None,
            password_hash: None,
            skills: vec![],
            chat_capacity: 1,
            at: at(0),
        })
        .await;
    assert!(matches!(
        dup,
        Err(StoreError::Conflict(Conflict::Duplicate("email")))
    ));
    let (found, hash) = store
        .agent_login("ZHANG@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, agent.id);
    assert_eq!(hash.as_deref(), Some("phc"));
    let team = store
        .create_team(NewTeam {
            code: "account_security".into(),
            name: "账号安全".into(),
            specialist: true,
        })
        .await
        .unwrap();
    let updated = store
        .update_agent(AgentPatch {
            id: agent.id,
            display_name: None,
            role: Some(AgentRole::Specialist),
            team_id: Some(Some(team.id)),
            password_hash: None,
            skills: None,
            chat_capacity: Some(8),
            active: None,
        })
        .await
        .unwrap();
    assert_eq!(
        (updated.role, updated.team_id, updated.chat_capacity),
        (AgentRole::Specialist, Some(team.id), 8)
    );
    let cred = store
        .create_credential(NewCredential {
            kind: CredentialKind::ApiKey,
            token_hash: "th".into(),
            agent_id: None,
            channel: Some(Channel::Social),
            name: "weibo".into(),
            at: at(0),
            expires_at: None,
        })
        .await
        .unwrap();
    let now = at(10).as_millisecond();
    assert_eq!(
        store.credential_by_token("th", now).await.unwrap(),
        Some(cred.clone())
    );
    store.revoke_credential(cred.id, now).await.unwrap();
    store.revoke_credential(cred.id, now).await.unwrap();
    assert_eq!(store.credential_by_token("th", now).await.unwrap(), None);
    let expiring = store
        .create_credential(NewCredential {
            kind: CredentialKind::Session,
            token_hash: "s1".into(),
            agent_id: Some(agent.id),
            channel: None,
            name: "login".into(),
            at: at(0),
            expires_at: Some(at(5)),
        })
        .await
        .unwrap();
    assert_eq!(expiring.kind, CredentialKind::Session);
    assert_eq!(store.credential_by_token("s1", now).await.unwrap(), None);
}

async fn catalogue_and_sla_policies_round_trip(store: &Arc<dyn Store>) {
    for c in kefu_domain::category::default_categories() {
        store.upsert_category(c).await.unwrap();
    }
    assert_eq!(store.list_categories().await.unwrap().len(), 7);
    for p in kefu_domain::sla::default_policies() {
        store.upsert_sla_policy(p.clone()).await.unwrap();
        store.upsert_sla_policy(p).await.unwrap();
    }
    assert_eq!(store.list_sla_policies().await.unwrap().len(), 4);
    store.set_meta("seeded", "1").await.unwrap();
    assert_eq!(store.meta("seeded").await.unwrap().as_deref(), Some("1"));
    store
        .open_ticket(new_ticket("counted-1", None))
        .await
        .unwrap();
    assert!(
        store
            .count_by_status()
            .await
            .unwrap()
            .iter()
            .any(|(s, n)| *s == TicketStatus::Queued && *n > 0)
    );
}
