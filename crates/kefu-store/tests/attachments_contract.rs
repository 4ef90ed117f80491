//! Uploaded files over `Arc<dyn Store>`: rows read back as written, and binding to a ticket
//! is all or nothing, only for the uploader's unbound files (or files already on the
//! ticket). Run on SQLite always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

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
use common::{at, new_ticket};

fn upload(id: &str, uploader: &str) -> NewAttachment {
    NewAttachment {
        id: id.into(),
        kind: AttachmentKind::Voice,
        content_type: "audio/amr".into(),
        size_bytes: 1_234,
        name: "语音.amr".into(),
        storage_key: format!("ab/{id}"),
        uploader: uploader.into(),
        ticket: None,
        duration_ms: Some(2_500),
        transcript: None,
        at: at(5),
    }
}

async fn suite(store: Arc<dyn Store>) {
    let ticket = store.open_ticket(new_ticket("u-att", None)).await.unwrap();
    let other = store
        .open_ticket(new_ticket("u-other", None))
        .await
        .unwrap();
    let (t, o) = (ticket.ticket.id, other.ticket.id);

    store
        .save_attachment(upload("a1", "agent:1"))
        .await
        .unwrap();
    store
        .save_attachment(upload("a2", "agent:1"))
        .await
        .unwrap();
    store.save_attachment(upload("b1", "key:9")).await.unwrap();
    let read = store.attachment("a1").await.unwrap().unwrap();
    assert_eq!(read.name, "语音.amr");
    assert_eq!(read.duration_ms, Some(2_500));
    assert_eq!(read.ticket, None);
    assert_eq!(read.created_at, at(5));
    assert!(store.attachment("nope").await.unwrap().is_none());
    let again = store.save_attachment(upload("a1", "agent:1")).await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");

    let bind = |ids: &[&str], ticket: TicketId, uploader: &str| AttachmentBinding {
        ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        ticket,
        uploader: uploader.into(),
    };
    // Someone else's file fails the whole binding: a1 stays unbound.
    let err = store
        .bind_attachments(bind(&["a1", "b1"], t, "agent:1"))
        .await;
    assert!(matches!(err, Err(StoreError::NotFound)), "{err:?}");
    assert_eq!(store.attachment("a1").await.unwrap().unwrap().ticket, None);

    let bound = store
        .bind_attachments(bind(&["a1", "a2"], t, "agent:1"))
        .await
        .unwrap();
    assert!(bound.iter().all(|a| a.ticket == Some(t)));
    // Once bound, a file stays on its ticket: usable again there, by anyone on it …
    store
        .bind_attachments(bind(&["a1"], t, "key:9"))
        .await
        .unwrap();
    // … and never moved to another ticket, not even by its uploader.
    let moved = store.bind_attachments(bind(&["a2"], o, "agent:1")).await;
    assert!(matches!(moved, Err(StoreError::NotFound)), "{moved:?}");
    assert_eq!(
        store.attachment("a2").await.unwrap().unwrap().ticket,
        Some(t)
    );
    // Only files never used are stale, oldest first, and only they are forgotten.
    let mut late = upload("c1", "key:9");
    late.at = at(50);
    store.save_attachment(late).await.unwrap();
    let stale: Vec<String> = store
        .stale_attachments(at(100), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.id)
        .collect();
    assert_eq!(stale, ["b1", "c1"]);
    assert_eq!(store.stale_attachments(at(6), 10).await.unwrap().len(), 1);
    assert_eq!(
        store.stale_attachments(at(100), 1).await.unwrap()[0].id,
        "b1"
    );
    assert!(!store.forget_attachment("a1").await.unwrap());
    assert!(store.forget_attachment("b1").await.unwrap());
    assert!(!store.forget_attachment("b1").await.unwrap());
    assert!(store.attachment("b1").await.unwrap().is_none());
    assert!(store.attachment("a1").await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_contract_holds_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_contract_holds_on_postgres() {
    let Some(db) = common::postgres_database("attachments contract").await else {
        return;
    };
    suite(db.store.clone()).await;
}
