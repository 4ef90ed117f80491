//! The bot's recent conversation states on both backends: those changed at or after a time,
//! newest first, at most a limit (the help center's popular questions count them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_store::testing::TestDatabase;
use kefu_store::*;
use std::sync::Arc;

mod common;
use common::{at, new_ticket};

async fn exchange(store: &Arc<dyn Store>, external_id: &str, state: &str, sec: i64) {
    let opened = store
        .open_ticket(new_ticket(external_id, None))
        .await
        .unwrap();
    store
        .record_bot_exchange(BotExchange {
            ticket_id: opened.ticket.id,
            customer_message: None,
            bot_reply: "答".into(),
            suggestions: vec![],
            state: state.into(),
            handoff: None,
            unanswered: None,
            answered: None,
            at: at(sec),
        })
        .await
        .unwrap();
}

async fn suite(store: Arc<dyn Store>) {
    assert!(store.recent_bot_states(at(0), 10).await.unwrap().is_empty());
    exchange(&store, "a", r#"{"turns":[1]}"#, 10).await;
    exchange(&store, "b", r#"{"turns":[2]}"#, 20).await;
    exchange(&store, "c", r#"{"turns":[3]}"#, 30).await;
    let all = store.recent_bot_states(at(0), 10).await.unwrap();
    assert_eq!(
        all,
        [r#"{"turns":[3]}"#, r#"{"turns":[2]}"#, r#"{"turns":[1]}"#]
    );
    let since = store.recent_bot_states(at(20), 10).await.unwrap();
    assert_eq!(since.len(), 2, "at or after the time");
    let newest = store.recent_bot_states(at(0), 1).await.unwrap();
    assert_eq!(newest, [r#"{"turns":[3]}"#]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recent_bot_states_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recent_bot_states_on_postgres() {
    let Some(db) = common::postgres_database("bot states contract").await else {
        return;
    };
    suite(db.store.clone()).await;
}
