//! Canned replies over `Arc<dyn Store>`: the seeded defaults in both languages, create,
//! update, delete, and a title unique per language. Run on SQLite always and on PostgreSQL
//! when `KEFU_TEST_POSTGRES_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]
use kefu_store::*;
use std::sync::Arc;

mod common;
use common::at;

fn new(lang: &str, title: &str, body: &str) -> NewCannedReply {
    NewCannedReply {
        lang: lang.into(),
        title: title.into(),
        body: body.into(),
        at: at(100),
    }
}

async fn defaults_are_seeded_in_both_languages(store: &Arc<dyn Store>) {
    let all = store.canned_replies().await.unwrap();
    assert!(all.iter().filter(|r| r.lang == "zh-CN").count() >= 3);
    assert!(all.iter().filter(|r| r.lang == "en").count() >= 3);
    assert!(all.iter().any(|r| r.body.contains("{customer}")));
}

async fn a_reply_is_created_changed_and_deleted(store: &Arc<dyn Store>) {
    let before = store.canned_replies().await.unwrap().len();
    let made = store
        .create_canned_reply(new("en", "Refund", "Hi {customer}, refunds take 3 days."))
        .await
        .unwrap();
    assert_eq!(made.title, "Refund");
    assert_eq!(made.created_at, at(100));
    assert_eq!(store.canned_reply(made.id).await.unwrap(), made);
    let changed = store
        .update_canned_reply(
            made.id,
            CannedReplyPatch {
                body: Some("Refunds take 5 days.".into()),
                at: Some(at(200)),
                ..CannedReplyPatch::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(changed.title, "Refund", "fields not given are kept");
    assert_eq!(changed.body, "Refunds take 5 days.");
    assert_eq!(changed.created_at, at(100));
    assert_eq!(changed.updated_at, at(200));
    assert_eq!(store.canned_replies().await.unwrap().len(), before + 1);
    store.delete_canned_reply(made.id).await.unwrap();
    assert!(matches!(
        store.canned_reply(made.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.delete_canned_reply(made.id).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store
            .update_canned_reply(made.id, CannedReplyPatch::default())
            .await,
        Err(StoreError::NotFound)
    ));
}

async fn a_title_is_unique_per_language(store: &Arc<dyn Store>) {
    let first = store
        .create_canned_reply(new("zh-CN", "退款", "退款三天到账。"))
        .await
        .unwrap();
    let again = store
        .create_canned_reply(new("zh-CN", "退款", "另一个"))
        .await;
    assert!(
        matches!(
            again,
            Err(StoreError::Conflict(Conflict::Duplicate("title")))
        ),
        "{again:?}"
    );
    // The same title in the other language is another reply.
    let other = store
        .create_canned_reply(new("en", "退款", "Refunds."))
        .await
        .unwrap();
    let renamed = store
        .update_canned_reply(
            other.id,
            CannedReplyPatch {
                lang: Some("zh-CN".into()),
                ..CannedReplyPatch::default()
            },
        )
        .await;
    assert!(
        matches!(
            renamed,
            Err(StoreError::Conflict(Conflict::Duplicate("title")))
        ),
        "{renamed:?}"
    );
    assert_eq!(
        store.canned_reply(first.id).await.unwrap().body,
        "退款三天到账。"
    );
}

contract_steps!(
    defaults_are_seeded_in_both_languages,
    a_reply_is_created_changed_and_deleted,
    a_title_is_unique_per_language,
);
