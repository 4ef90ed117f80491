//! The audit log over `Arc<dyn Store>`: rows written with an admin step commit with it (and
//! not without it), and pages come newest first, filtered and keyset-paged. Run on SQLite
//! always and on PostgreSQL when `KEFU_TEST_POSTGRES_URL` is set.

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

fn entry(actor: AuditActor, action: &str, subject: &str, sec: i64) -> AuditEntry {
    AuditEntry {
        actor,
        action: action.into(),
        subject: Some(subject.into()),
        detail: serde_json::json!({"n": sec}),
        at: at(sec),
    }
}

fn page(actor: Option<AuditActor>, action: Option<&str>, before: Option<i64>) -> AuditFilter {
    AuditFilter {
        actor,
        action: action.map(str::to_owned),
        subject: None,
        before,
        limit: 2,
    }
}

fn new_agent(email: &str) -> NewAgent {
    NewAgent {
        email: email.into(),
        display_name: "审计".into(),
        role: AgentRole::Agent,
        team_id: None,
        password_hash: Some("$argon2id$secret".into()),
        skills: vec![],
        chat_capacity: 3,
        at: at(0),
    }
}

async fn suite(store: Arc<dyn Store>) {
    rows_commit_with_their_step_and_name_its_result(&store).await;
    a_failed_step_leaves_no_audit_row(&store).await;
    pages_are_newest_first_filtered_and_keyset_paged(&store).await;
}

async fn rows_commit_with_their_step_and_name_its_result(store: &Arc<dyn Store>) {
    let admin = AuditActor::Agent(AgentId(1));
    let agent = store
        .create_agent_audited(
            new_agent("audit-1@example.com"),
            Box::new(move |a: &Agent| {
                vec![entry(
                    admin,
                    "agent.created",
                    &format!("agent:{}", a.id.0),
                    1,
                )]
            }),
        )
        .await
        .unwrap();
    let subject = format!("agent:{}", agent.id.0);
    let filter = AuditFilter {
        subject: Some(subject.clone()),
        limit: 10,
        ..AuditFilter::default()
    };
    let rows = store.audit_log(&filter).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].entry, entry(admin, "agent.created", &subject, 1));
}

async fn a_failed_step_leaves_no_audit_row(store: &Arc<dyn Store>) {
    let admin = AuditActor::Agent(AgentId(1));
    let failed = store
        .create_agent_audited(
            new_agent("audit-1@example.com"),
            Box::new(move |_: &Agent| vec![entry(admin, "agent.created", "dup", 2)]),
        )
        .await;
    assert!(matches!(failed, Err(StoreError::Conflict(_))), "{failed:?}");
    let unknown = store
        .publish_article_audited(
            "no-such-article",
            None,
            at(2),
            Box::new(move |_: &KbArticle| vec![entry(admin, "kb.article.published", "dup", 2)]),
        )
        .await;
    assert!(unknown.is_err());
    let filter = AuditFilter {
        subject: Some("dup".into()),
        limit: 10,
        ..AuditFilter::default()
    };
    assert!(store.audit_log(&filter).await.unwrap().is_empty());
}

async fn pages_are_newest_first_filtered_and_keyset_paged(store: &Arc<dyn Store>) {
    let (a, b) = (AuditActor::Agent(AgentId(77)), AuditActor::System);
    store
        .record_audit(vec![
            entry(a, "page.one", "s:1", 10),
            entry(b, "page.two", "s:2", 11),
            entry(a, "page.one", "s:3", 12),
            entry(a, "page.one", "s:4", 13),
        ])
        .await
        .unwrap();
    let first = store
        .audit_log(&page(Some(a), Some("page.one"), None))
        .await
        .unwrap();
    let subjects = |rows: &[AuditRecord]| -> Vec<String> {
        rows.iter()
            .map(|r| r.entry.subject.clone().unwrap())
            .collect()
    };
    assert_eq!(subjects(&first), ["s:4", "s:3"]);
    let next = store
        .audit_log(&page(Some(a), Some("page.one"), Some(first[1].id)))
        .await
        .unwrap();
    assert_eq!(subjects(&next), ["s:1"]);
    let system = store
        .audit_log(&page(Some(b), Some("page.two"), None))
        .await
        .unwrap();
    assert_eq!(subjects(&system), ["s:2"]);
    assert_eq!(system[0].entry.detail, serde_json::json!({"n": 11}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_contract_holds_on_sqlite() {
    let db = TestDatabase::sqlite().await.unwrap();
    suite(db.store.clone()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_contract_holds_on_postgres() {
    let Some(db) = common::postgres_database("audit contract").await else {
        return;
    };
    suite(db.store.clone()).await;
}
