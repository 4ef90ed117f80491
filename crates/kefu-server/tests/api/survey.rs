//! The satisfaction follow-up (回访) through the real server: a resolution sends a survey
//! message the customer sees; its token answers once and only for its ticket; the bot's
//! resolutions ask whether it helped; a low score opens a review supervisors work; one
//! reminder goes out when unanswered and none after an answer; a customer message still
//! reopens a resolved ticket. Jobs are driven with `jobs::run_due(core, now)`.

use super::*;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{EventKind, SurveyForm, TicketStatus};
use kefu_service::jobs::run_due;
use kefu_store::ScoreFilter;

fn later(minutes: i64) -> Timestamp {
    Timestamp::now()
        .checked_add(SignedDuration::from_mins(minutes))
        .unwrap()
}

async fn run_jobs(app: &TestApp, at: Timestamp) {
    let report = run_due(&app.state.core, at).await.unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
}

fn number(opened: &Value) -> &str {
    opened["ticket"]["number"].as_str().unwrap()
}

fn code(opened: &Value) -> &str {
    opened["lookup_code"].as_str().unwrap()
}

async fn resolve_by_reply(app: &TestApp, agent: &str, opened: &Value) {
    let r = app
        .post(&format!("/api/v1/tickets/{}/replies", number(opened)))
        .bearer_auth(agent)
        .json(&json!({"body": "已为您处理好了", "status": "resolved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
}

/// The customer's view of their ticket's survey messages, oldest first.
async fn survey_messages(app: &TestApp, opened: &Value) -> Vec<Value> {
    let r = app
        .get(&format!("/api/v1/customer/tickets/{}", number(opened)))
        .header("x-lookup-code", code(opened))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let view: Value = r.json().await.unwrap();
    view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["from"] == "survey")
        .cloned()
        .collect()
}

async fn answer(app: &TestApp, opened: &Value, body: Value, proof: bool) -> Response {
    let mut req = app.post(&format!(
        "/api/v1/customer/tickets/{}/satisfaction",
        number(opened)
    ));
    if proof {
        req = req.header("x-lookup-code", code(opened));
    }
    req.json(&body).send().await.unwrap()
}

async fn status_of(app: &TestApp, opened: &Value) -> TicketStatus {
    let n = kefu_service::lookup::parse_number(number(opened)).unwrap();
    let t = app.state.store.ticket_by_number(&n).await.unwrap().unwrap();
    t.status
}

async fn event_names(app: &TestApp, opened: &Value) -> Vec<String> {
    let n = kefu_service::lookup::parse_number(number(opened)).unwrap();
    let t = app.state.store.ticket_by_number(&n).await.unwrap().unwrap();
    let events = app.state.store.events(t.id).await.unwrap();
    events.iter().map(|e| e.kind.name().to_owned()).collect()
}

#[tokio::test]
async fn an_agents_resolution_sends_a_score_survey_its_token_answers_once_and_only_there() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let first = app.open("sv-1", "账号登录不了").await;
    let second = app.open("sv-2", "账号登录不了").await;
    resolve_by_reply(&app, &agent, &first).await;
    resolve_by_reply(&app, &agent, &second).await;
    assert!(
        survey_messages(&app, &first).await.is_empty(),
        "sent by its job"
    );
    run_jobs(&app, later(1)).await;
    run_jobs(&app, later(2)).await;

    let sent = survey_messages(&app, &first).await;
    assert_eq!(sent.len(), 1, "once, though the jobs ran twice: {sent:?}");
    assert!(
        sent[0]["body"].as_str().unwrap().contains("1–5"),
        "{}",
        sent[0]
    );
    assert_eq!(sent[0]["survey"]["form"], "score");
    let token = sent[0]["survey"]["token"].as_str().unwrap().to_owned();
    let other_token = survey_messages(&app, &second).await[0]["survey"]["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let r = answer(&app, &first, json!({"score": 9, "token": token}), false).await;
    let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "score");
    let long = "好".repeat(kefu_service::survey::COMMENT_MAX_CHARS + 1);
    let r = answer(
        &app,
        &first,
        json!({"score": 4, "comment": long, "token": token}),
        false,
    )
    .await;
    let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "comment");
    let r = answer(
        &app,
        &first,
        json!({"score": 5, "token": other_token}),
        false,
    )
    .await;
    expect_problem(r, StatusCode::FORBIDDEN, "survey_token_invalid").await;
    let r = answer(&app, &first, json!({"score": 5}), false).await;
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    let r = answer(
        &app,
        &first,
        json!({"score": 5, "comment": "很快", "token": token}),
        false,
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let answered: Value = r.json().await.unwrap();
    assert_eq!(
        (answered["score"].clone(), answered["comment"].clone()),
        (json!(5), json!("很快"))
    );
    let r = answer(&app, &first, json!({"score": 1, "token": token}), false).await;
    expect_problem(r, StatusCode::CONFLICT, "survey_already_answered").await;
    let r = answer(&app, &first, json!({"score": 1}), true).await;
    expect_problem(r, StatusCode::CONFLICT, "survey_already_answered").await;

    // Stored for the reports with who resolved it, and where the ticket stood.
    let scores = app
        .state
        .store
        .satisfaction_scores(&ScoreFilter {
            limit: 10,
            ..ScoreFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(scores.len(), 1);
    let s = &scores[0];
    assert_eq!(
        (s.form, s.score, s.helpful),
        (SurveyForm::Score, Some(5), None)
    );
    assert_eq!(s.agent.map(|a| a.0), Some(me(&app, &agent).await));
    assert_eq!(s.category.as_str(), "account");
    assert_eq!(s.channel.as_str(), "api");
    assert!(
        event_names(&app, &first)
            .await
            .contains(&"survey_answered".to_owned())
    );

    // Answering leaves the ticket resolved; it closes after the period as before.
    assert_eq!(status_of(&app, &first).await, TicketStatus::Resolved);
    run_jobs(&app, later(7 * 24 * 60 + 1)).await;
    assert_eq!(status_of(&app, &first).await, TicketStatus::Closed);
}

#[tokio::test]
async fn a_bot_resolved_ticket_asks_whether_it_helped() {
    let app = spawn_app().await;
    let opened = app.open_in_app("sv-bot", "请问客服是免费的吗").await;
    let r = app
        .post(&format!(
            "/api/v1/customer/tickets/{}/feedback",
            number(&opened)
        ))
        .header("x-lookup-code", code(&opened))
        .json(&json!({"helpful": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(status_of(&app, &opened).await, TicketStatus::Resolved);
    run_jobs(&app, later(1)).await;

    let sent = survey_messages(&app, &opened).await;
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["survey"]["form"], "helpful");
    assert!(
        sent[0]["body"].as_str().unwrap().contains("有帮助"),
        "{}",
        sent[0]
    );
    let r = answer(&app, &opened, json!({"score": 5}), true).await;
    let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "helpful");
    let r = answer(&app, &opened, json!({"helpful": false}), true).await;
    assert_eq!(r.status(), StatusCode::CREATED);

    let scores = app
        .state
        .store
        .satisfaction_scores(&ScoreFilter {
            limit: 10,
            ..ScoreFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(scores.len(), 1);
    assert_eq!(
        (scores[0].form, scores[0].helpful, scores[0].agent),
        (SurveyForm::Helpful, Some(false), None)
    );
    let reviews = app
        .state
        .store
        .reviews(&kefu_store::ReviewFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(reviews.is_empty(), "only low scores open reviews");
}

#[tokio::test]
async fn a_low_score_opens_a_review_a_supervisor_lists_assigns_and_closes() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let admin = app.login("admin@kefu.local").await;
    let opened = app.open("sv-low", "账号登录不了").await;
    resolve_by_reply(&app, &agent, &opened).await;
    run_jobs(&app, later(1)).await;
    let r = answer(
        &app,
        &opened,
        json!({"score": 2, "comment": "等太久了"}),
        true,
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    let r = app
        .get("/api/v1/reviews?status=open")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .get("/api/v1/reviews?status=open")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let open: Value = r.json().await.unwrap();
    let open = open.as_array().unwrap();
    assert_eq!(open.len(), 1, "{open:?}");
    assert_eq!(open[0]["ticket_number"], number(&opened));
    assert_eq!(
        (open[0]["score"].clone(), open[0]["status"].clone()),
        (json!(2), json!("open"))
    );
    let id = open[0]["id"].as_i64().unwrap();

    let r = app
        .post(&format!("/api/v1/reviews/{id}/assign"))
        .bearer_auth(&agent)
        .json(&json!({"agent_id": 1}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let sup_id = me(&app, &supervisor).await;
    let r = app
        .post(&format!("/api/v1/reviews/{id}/assign"))
        .bearer_auth(&supervisor)
        .json(&json!({"agent_id": sup_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["assignee_id"], sup_id);
    let r = app
        .post(&format!("/api/v1/reviews/{id}/close"))
        .bearer_auth(&supervisor)
        .json(&json!({"outcome": " "}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "outcome");
    let r = app
        .post(&format!("/api/v1/reviews/{id}/close"))
        .bearer_auth(&supervisor)
        .json(&json!({"outcome": "已与客服沟通，加强排队时的进度告知"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let closed: Value = r.json().await.unwrap();
    assert_eq!(closed["status"], "closed");
    let r = app
        .post(&format!("/api/v1/reviews/{id}/close"))
        .bearer_auth(&supervisor)
        .json(&json!({"outcome": "again"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::CONFLICT, "review_closed").await;
    let r = app
        .post("/api/v1/reviews/999999/close")
        .bearer_auth(&supervisor)
        .json(&json!({"outcome": "x"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "review_not_found").await;
    let r = app
        .get("/api/v1/reviews?status=open")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    assert!(
        r.json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Every change is a ticket event and an audit row.
    let names = event_names(&app, &opened).await;
    for kind in ["review_opened", "review_assigned", "review_closed"] {
        assert!(names.contains(&kind.to_owned()), "{kind} in {names:?}");
    }
    let r = app
        .get(&format!("/api/v1/audit?subject=review:{id}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rows: Value = r.json().await.unwrap();
    let text = rows.to_string();
    for action in ["review.opened", "review.assigned", "review.closed"] {
        assert!(text.contains(action), "{action} in {text}");
    }
}

#[tokio::test]
async fn one_reminder_goes_out_when_unanswered_and_none_after_an_answer() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let quiet = app.open("sv-quiet", "账号登录不了").await;
    let answered = app.open("sv-answered", "账号登录不了").await;
    resolve_by_reply(&app, &agent, &quiet).await;
    resolve_by_reply(&app, &agent, &answered).await;
    run_jobs(&app, later(1)).await;
    let r = answer(&app, &answered, json!({"score": 4}), true).await;
    assert_eq!(r.status(), StatusCode::CREATED);

    run_jobs(&app, later(23 * 60)).await;
    assert_eq!(
        survey_messages(&app, &quiet).await.len(),
        1,
        "not before reminder_hours"
    );
    run_jobs(&app, later(24 * 60 + 5)).await;
    let sent = survey_messages(&app, &quiet).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[1]["body"].as_str().unwrap().contains("提醒"),
        "{}",
        sent[1]
    );
    assert_eq!(
        sent[1]["survey"]["token"], sent[0]["survey"]["token"],
        "the same survey"
    );
    run_jobs(&app, later(48 * 60)).await;
    assert_eq!(
        survey_messages(&app, &quiet).await.len(),
        2,
        "one reminder only"
    );
    assert_eq!(
        survey_messages(&app, &answered).await.len(),
        1,
        "none after an answer"
    );
}

#[tokio::test]
async fn a_customer_message_after_resolution_reopens_the_ticket_and_stops_the_reminder() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let opened = app.open("sv-reopen", "账号登录不了").await;
    resolve_by_reply(&app, &agent, &opened).await;
    run_jobs(&app, later(1)).await;
    let r = app
        .post(&format!(
            "/api/v1/customer/tickets/{}/messages",
            number(&opened)
        ))
        .header("x-lookup-code", code(&opened))
        .json(&json!({"body": "还是登录不了"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(
        status_of(&app, &opened).await,
        TicketStatus::Assigned,
        "reopened to its agent"
    );
    let n = kefu_service::lookup::parse_number(number(&opened)).unwrap();
    let t = app.state.store.ticket_by_number(&n).await.unwrap().unwrap();
    let reopened = app.state.store.events(t.id).await.unwrap().into_iter().any(|e| {
        matches!(e.kind, EventKind::StatusChanged { ref from, ref to, .. } if from == "resolved" && to == "assigned")
    });
    assert!(reopened);
    run_jobs(&app, later(25 * 60)).await;
    assert_eq!(
        survey_messages(&app, &opened).await.len(),
        1,
        "no reminder on a reopened ticket"
    );
    assert_eq!(
        status_of(&app, &opened).await,
        TicketStatus::Assigned,
        "the old close job leaves it"
    );

    // Resolved again: a new survey for the new resolution.
    resolve_by_reply(&app, &agent, &opened).await;
    run_jobs(&app, later(26 * 60)).await;
    let sent = survey_messages(&app, &opened).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_ne!(sent[0]["survey"]["token"], sent[1]["survey"]["token"]);
}
