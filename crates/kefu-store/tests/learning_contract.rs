//! The learning loop's steps on both backends: a bot answer is recorded with the article
//! version published then and marked helpful / contained; tickets people resolved are
//! listed with their question and agents' replies (not those the bot contained); dismissals
//! are kept once per kind and key.

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

async fn publish(store: &Arc<dyn Store>, answer: &str, sec: i64) {
    store
        .save_articles(SaveArticles {
            drafts: vec![ArticleDraft {
                slug: "kb-pw".into(),
                category: Some("account".into()),
                content: ArticleContent::new("怎么修改登录密码？", answer, vec![], vec![]),
            }],
            publish: true,
            author: None,
            at: at(sec),
        })
        .await
        .unwrap();
}

/// A ticket on which the bot answered with `kb-pw` (or, with `None`, said something else).
async fn answered(store: &Arc<dyn Store>, external_id: &str, slug: Option<&str>) -> TicketId {
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
            state: "{}".into(),
            handoff: None,
            unanswered: None,
            answered: slug.map(str::to_owned),
            at: at(5),
        })
        .await
        .unwrap();
    opened.ticket.id
}

fn counts(v: &VersionAnswers) -> (u32, i64, i64, i64, i64) {
    (
        v.version,
        v.answers,
        v.helpful_yes,
        v.helpful_no,
        v.contained,
    )
}

async fn answers_suite(store: &Arc<dyn Store>) {
    publish(store, "在设置里改。", 0).await;
    let a = answered(store, "a", Some("kb-pw")).await;
    let b = answered(store, "b", Some("kb-pw")).await;
    let none = answered(store, "c", None).await;
    assert!(
        store
            .mark_bot_answer(a, AnswerMark::Helpful(true))
            .await
            .unwrap()
    );
    assert!(
        store
            .mark_bot_answer(a, AnswerMark::Contained)
            .await
            .unwrap()
    );
    assert!(
        store
            .mark_bot_answer(b, AnswerMark::Helpful(false))
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_bot_answer(none, AnswerMark::Contained)
            .await
            .unwrap(),
        "no answer to mark"
    );
    publish(store, "进入「我」→「设置」修改。", 10).await;
    let c = answered(store, "d", Some("kb-pw")).await;
    assert!(
        store
            .mark_bot_answer(c, AnswerMark::Contained)
            .await
            .unwrap()
    );
    // An article that is not published records nothing.
    answered(store, "e", Some("kb-missing")).await;
    let by_version: Vec<_> = store
        .answers_by_version()
        .await
        .unwrap()
        .iter()
        .map(|v| (v.slug.clone(), counts(v)))
        .collect();
    assert_eq!(
        by_version,
        [
            ("kb-pw".to_owned(), (1, 2, 1, 1, 1)),
            ("kb-pw".to_owned(), (2, 1, 0, 0, 1)),
        ]
    );
}

async fn handled_suite(store: &Arc<dyn Store>) {
    let agent = store
        .create_agent(NewAgent {
            email: "l@kefu.local".into(),
            display_name: "客服".into(),
            role: AgentRole::Agent,
            team_id: None,
            password_hash: None,
            skills: vec![],
            chat_capacity: 3,
            at: at(0),
        })
        .await
        .unwrap();
    let resolve = |id: TicketId, sec: i64| StatusChange {
        ticket_id: id,
        to: TicketStatus::Resolved,
        actor: Actor::Agent { id: agent.id },
        reason: None,
        at: at(sec),
    };
    let reply = |id: TicketId, body: &str| NewMessage {
        ticket_id: id,
        kind: MessageKind::Agent,
        actor: Actor::Agent { id: agent.id },
        author_agent: Some(agent.id),
        body: body.into(),
        attachments: vec![],
        then_status: None,
        at: at(20),
    };
    let mut ids = vec![];
    for (i, external) in ["h1", "h2", "h3"].iter().enumerate() {
        let t = store
            .open_ticket(new_ticket(external, None))
            .await
            .unwrap()
            .ticket;
        store
            .assign_ticket(Assignment {
                ticket_id: t.id,
                agent_id: agent.id,
                actor: Actor::System,
                reason: "test".into(),
                at: at(10),
            })
            .await
            .unwrap();
        ids.push((t.id, i));
    }
    // h1: two replies, resolved; h2: resolved without a reply; h3: a reply, still open.
    store
        .add_message(reply(ids[0].0, "先试试重启"))
        .await
        .unwrap();
    store
        .add_message(reply(ids[0].0, "再清一下缓存"))
        .await
        .unwrap();
    store.change_status(resolve(ids[0].0, 30)).await.unwrap();
    store.change_status(resolve(ids[1].0, 31)).await.unwrap();
    store.add_message(reply(ids[2].0, "稍等")).await.unwrap();
    let handled = store.handled_tickets(10).await.unwrap();
    assert_eq!(handled.len(), 1, "{handled:?}");
    assert_eq!(handled[0].ticket_id, ids[0].0);
    assert_eq!(handled[0].question, "验证码收不到，怎么办？");
    assert_eq!(handled[0].replies, ["先试试重启", "再清一下缓存"]);
    assert_eq!(handled[0].resolved_at, at(30));
    assert!(store.handled_tickets(0).await.unwrap().is_empty());
}

async fn dismiss_suite(store: &Arc<dyn Store>) {
    let d = |kind: &str, key: &str| Dismissal {
        kind: kind.into(),
        key: key.into(),
        by: None,
        at: at(1),
    };
    store.dismiss(d("cluster", "忘记密码")).await.unwrap();
    store.dismiss(d("cluster", "忘记密码")).await.unwrap();
    store.dismiss(d("proposal", "忘记密码")).await.unwrap();
    store.dismiss(d("cluster", "直播")).await.unwrap();
    assert_eq!(
        store.dismissed("cluster").await.unwrap(),
        ["忘记密码", "直播"]
    );
    assert_eq!(store.dismissed("proposal").await.unwrap(), ["忘记密码"]);
}

async fn suite(store: Arc<dyn Store>) {
    answers_suite(&store).await;
    handled_suite(&store).await;
    dismiss_suite(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learning_steps_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn learning_steps_on_postgres() {
    let Some(db) = common::postgres_database("learning contract").await else {
        return;
    };
    suite(db.store.clone()).await;
}

/// `HANDLED_TICKETS_SQL` with its limit written in, for `EXPLAIN`.
fn handled_sql() -> String {
    HANDLED_TICKETS_SQL.replace("$1", "20")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handled_tickets_are_read_in_the_order_of_their_index_on_sqlite() {
    use sqlx::{Connection, Row};
    let db = TestDatabase::sqlite().await.unwrap();
    let mut c = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    let plan: Vec<String> = sqlx::query(&format!("EXPLAIN QUERY PLAN {}", handled_sql()))
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("detail"))
        .collect();
    let plan = plan.join("\n");
    // Searched through the index, in its order: no sort of the resolved tickets.
    assert!(
        plan.contains("SEARCH t USING INDEX tickets_by_resolution"),
        "{plan}"
    );
    assert!(!plan.contains("TEMP B-TREE"), "{plan}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handled_tickets_are_read_in_the_order_of_their_index_on_postgres() {
    use sqlx::{Connection, Row};
    let Some(db) = common::postgres_database("handled tickets plan").await else {
        return;
    };
    let mut c = sqlx::PgConnection::connect(&db.url).await.unwrap();
    // An empty test table is cheapest to scan whole: with scans and sorts priced out the
    // planner shows whether the index serves the filter and the order (on a loaded table it
    // is chosen by itself: Index Scan Backward, see the migration).
    for set in ["SET enable_seqscan = off", "SET enable_sort = off"] {
        sqlx::query(set).execute(&mut c).await.unwrap();
    }
    let plan: Vec<String> = sqlx::query(&format!("EXPLAIN {}", handled_sql()))
        .fetch_all(&mut c)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>(0))
        .collect();
    let plan = plan.join("\n");
    assert!(
        plan.contains("Index Scan Backward using tickets_by_resolution on tickets t"),
        "{plan}"
    );
    assert!(!plan.contains("Sort Key: t.resolved_at"), "{plan}");
}
