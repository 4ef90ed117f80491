//! The help center's popular questions come from what the bot answered lately; the curated
//! list fills the rest (all of it on a new database). On SQLite, and on
//! PostgreSQL when configured.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

use kefu_service::help::{self, POPULAR};
use kefu_service::visitor::{self, VisitorKey, VisitorTicketInput};
use kefu_service::{Caller, Core, Lang};
use kefu_store::testing::{TestDatabase, postgres_url};

/// A core over a seeded database (the default knowledge base published).
async fn seeded(db: &TestDatabase) -> Core {
    kefu_service::seed::seed_defaults(db.store.as_ref(), jiff::Timestamp::now())
        .await
        .unwrap();
    Core::new(db.store.clone(), kefu_service::Settings::default())
        .await
        .unwrap()
}

async fn ask(core: &Core, question: &str) {
    let who = visitor::caller(VisitorKey::derive(&core.lookup_secret).issue().1);
    let input = VisitorTicketInput {
        body: question.into(),
        ..VisitorTicketInput::default()
    };
    visitor::start_chat(core, &who, input).await.unwrap();
}

async fn popular_questions_follow_what_the_bot_answered(core: &Core) {
    let curated = help::popular(core, &Caller::Anonymous, Lang::Zh)
        .await
        .unwrap();
    let first = help::article(core, &Caller::Anonymous, POPULAR[0], Lang::Zh).unwrap();
    assert_eq!(
        curated.first(),
        Some(&first),
        "a new database shows the curated list"
    );

    // Two people ask how to withdraw earnings, one how to delete an account.
    ask(core, "创作收益怎么提现？").await;
    ask(core, "创作收益怎么提现").await;
    ask(core, "怎么注销账号？").await;
    let popular = help::popular(core, &Caller::Anonymous, Lang::Zh)
        .await
        .unwrap();
    let questions: Vec<&str> = popular.iter().map(|e| e.question.as_str()).collect();
    assert!(questions[0].contains("提现"), "{questions:?}");
    assert!(questions[1].contains("注销"), "{questions:?}");
    // The curated list fills the rest, without repeating what was answered.
    assert_eq!(popular.len(), kefu_service::popular::SHOWN);
    let rest: Vec<&help::HelpEntry> = curated
        .iter()
        .filter(|e| !popular[..2].contains(e))
        .take(popular.len() - 2)
        .collect();
    assert_eq!(popular[2..].iter().collect::<Vec<_>>(), rest);
    let english = help::popular(core, &Caller::Anonymous, Lang::En)
        .await
        .unwrap();
    assert_eq!(english[0].id, popular[0].id, "the same entries in English");
}

#[tokio::test]
async fn popular_questions_follow_what_the_bot_answered_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    popular_questions_follow_what_the_bot_answered(&seeded(&db).await).await;
}

#[tokio::test]
async fn popular_questions_follow_what_the_bot_answered_on_postgres() {
    let Some(url) = postgres_url() else {
        eprintln!("skipped: KEFU_TEST_POSTGRES_URL is not set");
        return;
    };
    let db = TestDatabase::postgres(&url).await.unwrap();
    popular_questions_follow_what_the_bot_answered(&seeded(&db).await).await;
}
