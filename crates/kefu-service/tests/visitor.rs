//! The web chat's visitors (a signed cookie naming a customer identity) and the online
//! form: a visitor owns the tickets of their identity and nobody else's; their first chat
//! message opens one chat, later ones join it; the form checks each domain's fields and
//! opens a ticket that is not the chat. On SQLite, and on PostgreSQL when configured.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use kefu_service::lookup::customer_ticket;
use kefu_service::online_form::{self, OnlineForm};
use kefu_service::visitor::{self, VisitorKey, VisitorTicketInput};
use kefu_service::{Caller, Core, ErrorCode};

fn first(body: &str) -> VisitorTicketInput {
    VisitorTicketInput {
        body: body.into(),
        ..VisitorTicketInput::default()
    }
}

async fn a_visitor_owns_their_chat_and_nobody_elses(core: &Core) {
    let key = VisitorKey::derive(&core.lookup_secret);
    let (signed, who) = key.issue();
    let a = visitor::caller(key.verify(&signed).unwrap());
    assert_eq!(visitor::caller(who), a);
    let b = visitor::caller(key.issue().1);

    assert!(visitor::current_chat(core, &a).await.unwrap().is_none());
    let turn = visitor::start_chat(core, &a, first("登录不上怎么办"))
        .await
        .unwrap();
    assert!(turn.opened);
    let number = turn.chat.ticket.number;
    let current = visitor::current_chat(core, &a).await.unwrap().unwrap();
    assert_eq!(current.ticket.number, number);
    assert_eq!(current.lookup_code, turn.chat.lookup_code);

    let mine = customer_ticket(core, &a, &number).await.unwrap();
    assert!(
        mine.messages.iter().any(|m| m.body == "登录不上怎么办"),
        "the first message"
    );
    assert!(
        mine.messages
            .iter()
            .any(|m| m.kind == kefu_domain::MessageKind::Bot),
        "the bot answered first"
    );
    let err = customer_ticket(core, &b, &number).await.unwrap_err();
    assert_eq!(
        err.code,
        ErrorCode::TicketNotFound,
        "another visitor's chat"
    );
    assert!(visitor::current_chat(core, &b).await.unwrap().is_none());

    // A second first message (another tab) joins the open chat.
    let again = visitor::start_chat(core, &a, first("还是不行"))
        .await
        .unwrap();
    assert!(!again.opened);
    assert_eq!(again.chat.ticket.number, number);
    let after = customer_ticket(core, &a, &number).await.unwrap();
    assert!(after.messages.iter().any(|m| m.body == "还是不行"));

    let anon = visitor::start_chat(core, &Caller::Anonymous, first("hi"))
        .await
        .unwrap_err();
    assert_eq!(anon.code, ErrorCode::Unauthenticated);
}

#[tokio::test]
async fn a_visitor_owns_their_chat_and_nobody_elses_on_sqlite() {
    let (_db, core) = common::sqlite_node().await;
    a_visitor_owns_their_chat_and_nobody_elses(&core).await;
}

#[tokio::test]
async fn a_visitor_owns_their_chat_and_nobody_elses_on_postgres() {
    let Some((_db, core, _)) = common::postgres_nodes().await else {
        return;
    };
    a_visitor_owns_their_chat_and_nobody_elses(&core).await;
}

fn form(category: &str, fields: &[(&str, &str)]) -> OnlineForm {
    OnlineForm {
        category: category.into(),
        description: "直播间被封，想申诉一下".into(),
        contact: "someone@example.com".into(),
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        ..OnlineForm::default()
    }
}

fn fields_named(e: &kefu_service::ServiceError) -> Vec<&str> {
    e.errors.iter().map(|f| f.field.as_str()).collect()
}

#[tokio::test]
async fn the_online_form_checks_each_domains_fields_and_opens_a_ticket_that_is_not_the_chat() {
    let db = kefu_store::testing::TestDatabase::sqlite().await.unwrap();
    kefu_service::seed::seed_defaults(db.store.as_ref(), jiff::Timestamp::now())
        .await
        .unwrap();
    let core = Core::new(db.store.clone(), kefu_service::Settings::default())
        .await
        .unwrap();
    let key = VisitorKey::derive(&core.lookup_secret);
    let who = visitor::caller(key.issue().1);

    let e = online_form::submit(&core, &who, form("live_streaming", &[]))
        .await
        .unwrap_err();
    assert_eq!(fields_named(&e), ["room_id"], "required for live issues");
    let e = online_form::submit(&core, &who, form("live_streaming", &[("room_id", "12a")]))
        .await
        .unwrap_err();
    assert_eq!(fields_named(&e), ["room_id"]);
    let e = online_form::submit(
        &core,
        &who,
        form("live_streaming", &[("room_id", "1"), ("video_link", "x")]),
    )
    .await
    .unwrap_err();
    assert_eq!(
        fields_named(&e),
        ["video_link"],
        "not a field of this domain"
    );
    let bad = OnlineForm {
        contact: "<b>x</b>".into(),
        description: "短".into(),
        ..form("nowhere", &[])
    };
    let e = online_form::submit(&core, &who, bad).await.unwrap_err();
    assert_eq!(fields_named(&e), ["category", "description", "contact"]);

    let done = online_form::submit(&core, &who, form("live_streaming", &[("room_id", "8801")]))
        .await
        .unwrap();
    let t = &done.ticket;
    assert_eq!(t.category.as_str(), "live_streaming");
    assert_eq!(t.context["fields"]["room_id"], "8801");
    assert_eq!(t.context["via"], "form");
    let seen = customer_ticket(&core, &who, &t.number).await.unwrap();
    assert_eq!(seen.ticket.id, t.id, "the visitor owns it");
    assert!(
        visitor::current_chat(&core, &who).await.unwrap().is_none(),
        "a form ticket is not the chat"
    );

    // A retried submission (same key) opens one ticket.
    let retry = || OnlineForm {
        idempotency_key: Some("form-1".into()),
        ..form("general", &[])
    };
    let one = online_form::submit(&core, &who, retry()).await.unwrap();
    let two = online_form::submit(&core, &who, retry()).await.unwrap();
    assert_eq!(one.ticket.number, two.ticket.number);
    assert_eq!(one.lookup_code, two.lookup_code);
}
