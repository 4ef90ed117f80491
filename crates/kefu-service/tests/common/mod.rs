//! Helpers shared by the service's integration tests: a core over a fresh database, a
//! second node over the same database, and a ticket opened straight through the store.

#![allow(dead_code, reason = "each test binary uses some of the helpers")]

use jiff::Timestamp;
use kefu_domain::{Actor, CategoryCode, Channel, CustomerRef, Priority, Ticket, TicketStatus};
use kefu_service::{Core, Settings};
use kefu_store::testing::TestDatabase;
use kefu_store::{CustomerProfile, NewTicket, StatusChange};
use std::sync::Arc;

/// A core over a fresh SQLite database (the database guard comes with it).
pub async fn sqlite_node() -> (TestDatabase, Arc<Core>) {
    let db = TestDatabase::sqlite().await.unwrap();
    let core = Arc::new(
        Core::new(db.store.clone(), Settings::default())
            .await
            .unwrap(),
    );
    (db, core)
}

/// Two nodes over one fresh PostgreSQL database; `None` when no server is configured.
pub async fn postgres_nodes() -> Option<(TestDatabase, Arc<Core>, Arc<Core>)> {
    let Some(url) = kefu_store::testing::postgres_url() else {
        eprintln!("skipped: KEFU_TEST_POSTGRES_URL is not set");
        return None;
    };
    let db = TestDatabase::postgres(&url).await.unwrap();
    let a = Arc::new(
        Core::new(db.store.clone(), Settings::default())
            .await
            .unwrap(),
    );
    let other = kefu_store::open(&db.url).await.unwrap();
    let b = Arc::new(Core::new(other, Settings::default()).await.unwrap());
    Some((db, a, b))
}

/// Opens a queued ticket through the store.
pub async fn open(core: &Core, external_id: &str) -> Ticket {
    let new = NewTicket {
        customer: CustomerProfile {
            identity: CustomerRef {
                channel: Channel::Api,
                external_id: external_id.into(),
            },
            display_name: None,
            email: None,
            phone: None,
            language: "zh-CN".into(),
        },
        channel: Channel::Api,
        subject: "test".into(),
        body: "测试".into(),
        attachments: vec![],
        category: CategoryCode::parse("general").unwrap(),
        priority: Priority::Normal,
        status: TicketStatus::Queued,
        context: serde_json::json!({}),
        first_response_due: None,
        actor: Actor::System,
        idempotency: None,
        bot: None,
        sla: None,
        jobs: Vec::new(),
        at: Timestamp::now(),
    };
    let t = core.store.open_ticket(new).await.unwrap().ticket;
    core.events_written();
    t
}

/// Moves a ticket to `to` through the store.
pub async fn set_status(core: &Core, ticket: &Ticket, to: TicketStatus) -> Ticket {
    let t = core
        .store
        .change_status(StatusChange {
            ticket_id: ticket.id,
            to,
            actor: Actor::System,
            reason: None,
            at: Timestamp::now(),
        })
        .await
        .unwrap();
    core.events_written();
    t
}
