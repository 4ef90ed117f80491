//! Knowledge-base articles on both backends: English question, answer and phrasings are
//! stored with each version, read back, and count as content (a change makes a version).

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

fn chinese_only() -> ArticleContent {
    ArticleContent::new(
        "怎么修改登录密码？",
        "进入「我」→「设置」→「账号与安全」→「登录密码」修改。",
        vec!["怎么改密码".into()],
        vec!["修改密码".into()],
    )
}

fn with_english() -> ArticleContent {
    ArticleContent {
        question_en: Some("How do I change my password?".into()),
        answer_en: Some("Go to Me (我) › Settings (设置) › Login password (登录密码).".into()),
        similar_en: vec!["change password".into(), "update my password".into()],
        ..chinese_only()
    }
}

async fn save(store: &Arc<dyn Store>, content: ArticleContent, sec: i64) -> SaveReport {
    store
        .save_articles(SaveArticles {
            drafts: vec![ArticleDraft {
                slug: "kb-account-pw".into(),
                category: Some("account".into()),
                content,
            }],
            publish: true,
            author: None,
            at: at(sec),
        })
        .await
        .unwrap()
}

async fn suite(store: Arc<dyn Store>) {
    let report = save(&store, chinese_only(), 0).await;
    assert_eq!(report.created, 1);
    let a = store
        .article("kb-account-pw", false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.content, chinese_only(), "no English reads back as none");

    let report = save(&store, with_english(), 1).await;
    assert_eq!(report.new_versions, 1, "adding English is a new version");
    let a = store
        .article("kb-account-pw", false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(a.version, 2);
    assert_eq!(a.content, with_english());
    let published = store.articles(true).await.unwrap();
    assert_eq!(published[0].content, with_english());

    let report = save(&store, with_english(), 2).await;
    assert_eq!(report.unchanged, 1, "the same English is no change");

    let mut other = with_english();
    other.similar_en.push("reset pw".into());
    assert_eq!(save(&store, other.clone(), 3).await.new_versions, 1);
    let versions = store.article_versions("kb-account-pw").await.unwrap();
    let contents: Vec<&ArticleContent> = versions.iter().map(|v| &v.content).collect();
    assert_eq!(contents, [&chinese_only(), &with_english(), &other]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_round_trips_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_round_trips_on_postgres() {
    let Some(db) = common::postgres_database("knowledge-base contract").await else {
        return;
    };
    suite(db.store.clone()).await;
}
