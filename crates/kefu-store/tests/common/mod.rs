//! What the store contract suites share: a fixed clock and a typical new ticket.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    dead_code,
    reason = "test helpers; not every suite uses each one"
)]
use jiff::Timestamp;
use kefu_domain::*;
use kefu_store::testing::{TestDatabase, postgres_url};
use kefu_store::*;
use std::sync::Arc;

pub mod routing;

pub fn at(sec: i64) -> Timestamp {
    Timestamp::from_second(1_790_000_000 + sec).unwrap()
}

pub fn new_ticket(external_id: &str, idem: Option<(&str, &str)>) -> NewTicket {
    NewTicket {
        customer: CustomerProfile {
            identity: CustomerRef {
                channel: Channel::InApp,
                external_id: external_id.into(),
            },
            display_name: Some("小王".into()),
            email: None,
            phone: None,
            language: "zh-CN".into(),
        },
        channel: Channel::InApp,
        subject: "登录不了".into(),
        body: "验证码收不到，怎么办？".into(),
        attachments: vec![],
        category: CategoryCode::parse("account").unwrap(),
        priority: Priority::Normal,
        status: TicketStatus::Queued,
        context: serde_json::json!({"app_version": "30.1.0"}),
        first_response_due: Some(at(3600)),
        actor: Actor::Customer,
        idempotency: idem.map(|(k, f)| IdempotencyKey {
            scope: "key:1".into(),
            key: k.into(),
            fingerprint: f.into(),
        }),
        bot: None,
        sla: None,
        jobs: Vec::new(),
        at: at(0),
    }
}

/// The ticket as stored under its number, checked to be the one intake returned.
pub async fn stored(store: &Arc<dyn Store>, opened: &OpenedTicket) -> Ticket {
    let found = store
        .ticket_by_number(&opened.ticket.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, opened.ticket);
    found
}

/// A fresh PostgreSQL test database, or `None` (with a message naming `suite`) when
/// `KEFU_TEST_POSTGRES_URL` is not set — `testing` makes that an error under `CI=true`.
pub async fn postgres_database(suite: &str) -> Option<TestDatabase> {
    let Some(url) = postgres_url() else {
        eprintln!("KEFU_TEST_POSTGRES_URL not set; PostgreSQL {suite} not run");
        return None;
    };
    Some(TestDatabase::postgres(&url).await.unwrap())
}

/// One `#[tokio::test]` per step and backend, each on a fresh database, so one failing step
/// never hides another. The PostgreSQL half is *ignored* (reported as skipped) when
/// `KEFU_TEST_POSTGRES_URL` was not set at build time; under `CI=true` a missing URL fails.
#[macro_export]
macro_rules! contract_steps {
    ($($step:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $step() {
                    let db = kefu_store::testing::TestDatabase::sqlite().await.unwrap();
                    super::$step(&db.store).await;
                }
            )*
        }
        mod on_postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                #[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
                async fn $step() {
                    let db = $crate::common::postgres_database(stringify!($step))
                        .await
                        .expect("KEFU_TEST_POSTGRES_URL is set at build time but not now");
                    super::$step(&db.store).await;
                }
            )*
        }
    };
}
