//! The ticket's life after the answer: resolved tickets close after the configured period
//! (not before, and not when reopened since), and bot-solved conversations end — resolved
//! by the bot after a quiet period, at once on "helpful" or thanks, with SLA timers
//! cancelled; a customer message in the quiet period keeps the conversation open. Jobs are
//! driven with `jobs::run_due(core, now)` at chosen instants instead of sleeping.

use super::*;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{Actor, EventKind, Ticket, TicketStatus};
use kefu_service::jobs::run_due;

fn later(hours: i64, minutes: i64) -> Timestamp {
    Timestamp::now()
        .checked_add(SignedDuration::from_hours(hours) + SignedDuration::from_mins(minutes))
        .unwrap()
}

impl TestApp {
    async fn stored(&self, opened: &Value) -> Ticket {
        let number =
            kefu_service::lookup::parse_number(opened["ticket"]["number"].as_str().unwrap())
                .unwrap();
        self.state
            .store
            .ticket_by_number(&number)
            .await
            .unwrap()
            .unwrap()
    }

    async fn run_jobs_at(&self, at: Timestamp) {
        let report = run_due(&self.state.core, at).await.unwrap();
        assert!(report.failed.is_empty(), "{report:?}");
    }

    async fn customer_writes(&self, opened: &Value, body: &str) {
        let number = opened["ticket"]["number"].as_str().unwrap();
        let r = self
            .post(&format!("/api/v1/customer/tickets/{number}/messages"))
            .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
            .json(&json!({"body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }

    async fn agent_resolves(&self, agent: &str, opened: &Value) {
        let number = opened["ticket"]["number"].as_str().unwrap();
        let r = self
            .post(&format!("/api/v1/tickets/{number}/status"))
            .bearer_auth(agent)
            .json(&json!({"status": "resolved"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    /// The last status change: to what, why, and by whom.
    async fn last_status_change(&self, t: &Ticket) -> (String, Option<String>, Actor) {
        let events = self.state.store.events(t.id).await.unwrap();
        events
            .into_iter()
            .rev()
            .find_map(|e| match e.kind {
                EventKind::StatusChanged { to, reason, .. } => Some((to, reason, e.actor)),
                _ => None,
            })
            .unwrap()
    }
}

#[tokio::test]
async fn a_resolved_ticket_closes_after_the_period_and_not_before() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let opened = app.open("life-1", "账号被封了怎么办").await;
    let number = opened["ticket"]["number"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/tickets/{number}/replies"))
        .bearer_auth(&agent)
        .json(&json!({"body": "已为您解封", "status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    assert_eq!(app.stored(&opened).await.status, TicketStatus::Resolved);

    app.run_jobs_at(later(7 * 24 - 1, 0)).await;
    assert_eq!(
        app.stored(&opened).await.status,
        TicketStatus::Resolved,
        "not before"
    );
    app.run_jobs_at(later(7 * 24, 1)).await;
    let t = app.stored(&opened).await;
    assert_eq!(t.status, TicketStatus::Closed);
    let (to, reason, actor) = app.last_status_change(&t).await;
    assert_eq!(
        (to.as_str(), reason.as_deref()),
        ("closed", Some("closed_after_resolution"))
    );
    assert_eq!(actor, Actor::System);
}

#[tokio::test]
async fn a_reopened_ticket_is_not_closed_by_the_old_job_but_by_its_next_resolution() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let opened = app.open("life-2", "账号被封了怎么办").await;
    let number = opened["ticket"]["number"].as_str().unwrap();
    app.post(&format!("/api/v1/tickets/{number}/take"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    app.agent_resolves(&agent, &opened).await;
    app.customer_writes(&opened, "又被封了").await;
    assert_eq!(app.stored(&opened).await.status, TicketStatus::Assigned);

    app.run_jobs_at(later(8 * 24, 0)).await;
    assert_eq!(
        app.stored(&opened).await.status,
        TicketStatus::Assigned,
        "the first resolution's job leaves a reopened ticket alone"
    );
    app.agent_resolves(&agent, &opened).await;
    app.run_jobs_at(later(7 * 24 - 1, 0)).await;
    assert_eq!(app.stored(&opened).await.status, TicketStatus::Resolved);
    app.run_jobs_at(later(7 * 24, 1)).await;
    assert_eq!(app.stored(&opened).await.status, TicketStatus::Closed);
}

#[tokio::test]
async fn a_quiet_customer_after_the_bots_answer_gets_the_ticket_resolved_by_the_bot() {
    let app = spawn_app().await;
    let opened = app.open_in_app("life-3", "请问客服是免费的吗").await;
    let t = app.stored(&opened).await;
    assert_eq!(t.status, TicketStatus::New);
    assert!(
        !app.state
            .store
            .pending_timers(t.id)
            .await
            .unwrap()
            .is_empty()
    );

    app.run_jobs_at(later(0, 9)).await;
    assert_eq!(
        app.stored(&opened).await.status,
        TicketStatus::New,
        "still quiet period"
    );
    app.run_jobs_at(later(0, 11)).await;
    let t = app.stored(&opened).await;
    assert_eq!(t.status, TicketStatus::Resolved);
    let (to, reason, actor) = app.last_status_change(&t).await;
    assert_eq!(
        (to.as_str(), reason.as_deref()),
        ("resolved", Some("bot_contained"))
    );
    assert_eq!(actor, Actor::Bot);
    assert!(
        app.state
            .store
            .pending_timers(t.id)
            .await
            .unwrap()
            .is_empty(),
        "SLA timers cancelled"
    );
    let messages = app.state.store.messages(t.id, false).await.unwrap();
    let last = messages.last().unwrap();
    assert_eq!(last.kind, kefu_domain::MessageKind::Bot);
    assert!(last.body.contains("随时回复我"), "{}", last.body);

    // And it closes like any resolved ticket.
    app.run_jobs_at(later(7 * 24, 12)).await;
    assert_eq!(app.stored(&opened).await.status, TicketStatus::Closed);
}

#[tokio::test]
async fn helpful_or_thanks_after_an_answer_resolves_at_once() {
    let app = spawn_app().await;
    let helped = app.open_in_app("life-4", "请问客服是免费的吗").await;
    let number = helped["ticket"]["number"].as_str().unwrap();
    let r = app
        .post(&format!("/api/v1/customer/tickets/{number}/feedback"))
        .header("x-lookup-code", helped["lookup_code"].as_str().unwrap())
        .json(&json!({"helpful": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let t = app.stored(&helped).await;
    assert_eq!(t.status, TicketStatus::Resolved);
    assert_eq!(
        app.last_status_change(&t).await.1.as_deref(),
        Some("bot_contained")
    );
    assert!(
        app.state
            .store
            .pending_timers(t.id)
            .await
            .unwrap()
            .is_empty()
    );

    let thanked = app.open_in_app("life-5", "请问客服是免费的吗").await;
    app.customer_writes(&thanked, "谢谢").await;
    let t = app.stored(&thanked).await;
    assert_eq!(t.status, TicketStatus::Resolved);
    assert_eq!(app.last_status_change(&t).await.2, Actor::Bot);
    // The quiet-period job finds it resolved already and does nothing more.
    app.run_jobs_at(later(0, 11)).await;
    assert_eq!(app.stored(&thanked).await.status, TicketStatus::Resolved);
}

#[tokio::test]
async fn a_customer_message_within_the_quiet_period_keeps_the_conversation_open() {
    let app = spawn_app().await;
    let opened = app.open_in_app("life-6", "请问客服是免费的吗").await;
    app.customer_writes(&opened, "你好").await;
    app.run_jobs_at(later(0, 11)).await;
    let t = app.stored(&opened).await;
    assert_eq!(
        t.status,
        TicketStatus::New,
        "the bot keeps the conversation"
    );
    assert!(
        !app.state
            .store
            .pending_timers(t.id)
            .await
            .unwrap()
            .is_empty()
    );
}
