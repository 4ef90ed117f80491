//! A customer message to a resolved ticket: within the reopen window it reopens the
//! ticket (to the queue when nobody owns it); past the window it is refused with
//! `ticket_closed` and the ticket stays resolved. A survey answer is no such message: it
//! never reopens anything, and before any survey there is nothing to answer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use kefu_domain::TicketStatus;
use kefu_service::credentials::lookup_code;
use kefu_service::lookup::{CustomerMessageInput, add_customer_message};
use kefu_service::survey::{self, AnswerInput};
use kefu_service::{Caller, Core, CustomerProof, ErrorCode, Settings};
use kefu_store::testing::TestDatabase;
use std::sync::Arc;
use std::time::Duration;

fn customer(core: &Core, t: &kefu_domain::Ticket) -> Caller {
    Caller::Customer(CustomerProof::LookupCode(lookup_code(
        &core.lookup_secret,
        &t.number,
    )))
}

fn message(body: &str) -> CustomerMessageInput {
    CustomerMessageInput {
        body: Some(body.into()),
        ..CustomerMessageInput::default()
    }
}

#[tokio::test]
async fn a_message_within_the_window_reopens_a_resolved_ticket() {
    let (_db, core) = common::sqlite_node().await;
    let t = common::open(&core, "reopen-1").await;
    let t = common::set_status(&core, &t, TicketStatus::Resolved).await;
    let who = customer(&core, &t);
    let answer = AnswerInput {
        score: Some(5),
        ..AnswerInput::default()
    };
    let err = survey::answer(&core, &who, &t.number, answer)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SurveyNotFound);
    assert_eq!(
        core.store.ticket(t.id).await.unwrap().status,
        TicketStatus::Resolved
    );

    let view = add_customer_message(&core, &who, &t.number, message("还是不行"))
        .await
        .unwrap();
    assert_eq!(view.ticket.status, TicketStatus::Queued, "nobody owned it");
    assert_eq!(view.ticket.resolved_at, None);
}

#[tokio::test]
async fn a_message_past_the_window_is_refused_and_the_ticket_stays_resolved() {
    let db = TestDatabase::sqlite().await.unwrap();
    let settings = Settings {
        reopen_window: Duration::from_millis(1),
        ..Settings::default()
    };
    let core = Arc::new(Core::new(db.store.clone(), settings).await.unwrap());
    let t = common::open(&core, "reopen-2").await;
    let t = common::set_status(&core, &t, TicketStatus::Resolved).await;
    tokio::time::sleep(Duration::from_millis(20)).await;
    let err = add_customer_message(&core, &customer(&core, &t), &t.number, message("在吗"))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::TicketClosed);
    assert_eq!(
        core.store.ticket(t.id).await.unwrap().status,
        TicketStatus::Resolved
    );
}
