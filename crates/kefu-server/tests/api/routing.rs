//! Routing over HTTP: presence, auto-assignment, queue position, escalation round trip,
//! SLA timers firing once, the hand-back-on-away and breach rules.

use super::*;
use jiff::{SignedDuration, Timestamp};

async fn events(app: &TestApp, token: &str, number: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/tickets/{number}/events"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A ticket from the (not bot-first) API channel, opened by an admin: it goes straight to
/// the queue.
async fn open_with(app: &TestApp, external_id: &str, priority: &str) -> Value {
    let admin = app.login("admin@kefu.local").await;
    let r = app
        .post("/api/v1/tickets")
        .bearer_auth(admin)
        .json(&json!({"customer": {"external_id": external_id}, "channel": "api", "body": "账号登录不了", "category": "account", "priority": priority}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn customer_view(app: &TestApp, opened: &Value) -> Value {
    let number = opened["ticket"]["number"].as_str().unwrap();
    app.get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_queued_ticket_goes_to_an_online_skilled_agent_with_the_reason_logged() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let id = me(&app, &agent).await;
    presence(&app, &agent, "online").await;
    let opened = open_with(&app, "rt-1", "normal").await;
    assert_eq!(opened["ticket"]["status"], "assigned", "{opened}");
    let number = opened["ticket"]["number"].as_str().unwrap();
    let log = events(&app, &agent, number).await;
    let assigned = log
        .iter()
        .find(|e| e["change"]["kind"] == "assigned")
        .unwrap();
    assert_eq!(assigned["change"]["agent_id"], id);
    assert!(
        assigned["change"]["reason"]
            .as_str()
            .unwrap()
            .contains("least loaded"),
        "{assigned}"
    );
}

#[tokio::test]
async fn with_nobody_online_a_ticket_waits_with_a_position_and_the_next_agent_pulls_the_most_urgent()
 {
    let app = spawn_app().await;
    let normal = open_with(&app, "rt-2", "normal").await;
    let urgent = open_with(&app, "rt-3", "urgent").await;
    assert_eq!(normal["ticket"]["status"], "queued");
    let view = customer_view(&app, &normal).await;
    assert_eq!(view["queue_position"], 1, "{view}");
    assert!(view["estimated_wait_minutes"].is_null());
    assert_eq!(customer_view(&app, &urgent).await["queue_position"], 0);
    let agent = app.login("agent2@kefu.local").await;
    let changed = presence(&app, &agent, "online").await;
    let assigned = changed["assigned"].as_array().unwrap();
    assert_eq!(assigned.len(), 2, "{changed}");
    assert_eq!(assigned[0], urgent["ticket"]["number"]);
    // Going away keeps asynchronous tickets owned (live chats would go back to the queue).
    let changed = presence(&app, &agent, "away").await;
    assert!(
        changed["requeued"].as_array().unwrap().is_empty(),
        "{changed}"
    );
}

#[tokio::test]
async fn escalation_and_send_back_round_trip_is_logged_and_shown_to_the_customer() {
    let app = spawn_app().await;
    let agent = app.login("agent3@kefu.local").await;
    let id = me(&app, &agent).await;
    presence(&app, &agent, "online").await;
    let opened = open_with(&app, "rt-4", "normal").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let r = app
        .post(&format!("/api/v1/tickets/{number}/escalate"))
        .bearer_auth(&agent)
        .json(&json!({"team_code": "account_security", "reason": "需要核实身份"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let up: Value = r.json().await.unwrap();
    assert_eq!(up["status"], "escalated");
    let view = customer_view(&app, &opened).await;
    assert_eq!(view["progress"], "已转交专业团队处理");
    assert!(view["expected_resolution_by"].is_string(), "{view}");
    let supervisor = app.login("supervisor@kefu.local").await;
    let r = app
        .post(&format!("/api/v1/tickets/{number}/send-back"))
        .bearer_auth(&supervisor)
        .json(&json!({"findings": "已核实，账号解封"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let back: Value = r.json().await.unwrap();
    assert_eq!(back["status"], "assigned");
    let kinds: Vec<String> = events(&app, &agent, &number)
        .await
        .iter()
        .map(|e| e["change"]["kind"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        kinds.contains(&"escalated".into()) && kinds.contains(&"sent_back".into()),
        "{kinds:?}"
    );
    let detail: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(detail.to_string().contains("已核实，账号解封"));
    assert_eq!(
        back["assignee_id"].as_i64().or(back["assignee"].as_i64()),
        Some(id),
        "{back}"
    );
    // Sent back already: a second send-back is refused.
    let r = app
        .post(&format!("/api/v1/tickets/{number}/send-back"))
        .bearer_auth(&supervisor)
        .json(&json!({"findings": "again"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::CONFLICT, "not_escalated").await;
}

#[tokio::test]
async fn sla_timers_fire_exactly_once() {
    let app = spawn_app().await;
    let opened = open_with(&app, "rt-5", "normal").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let later = Timestamp::now() + SignedDuration::from_hours(24 * 4);
    let mut fired = 0;
    for _ in 0..4 {
        let batch = kefu_service::workers::sla::tick(&app.state.core, "test-node", later)
            .await
            .unwrap();
        fired += batch.len();
    }
    assert!(fired >= 4, "{fired}");
    let again = kefu_service::workers::sla::tick(&app.state.core, "test-node", later)
        .await
        .unwrap();
    assert!(again.is_empty(), "{again:?}");
    let supervisor = app.login("supervisor@kefu.local").await;
    let log = events(&app, &supervisor, &number).await;
    for kind in ["sla_warning", "sla_breached"] {
        for target in ["first_response", "resolution"] {
            let n = log
                .iter()
                .filter(|e| e["change"]["kind"] == kind && e["change"]["target"] == target)
                .count();
            assert_eq!(n, 1, "{kind} {target}: {log:?}");
        }
    }
    // Each breach is counted (the recorder is shared by this process's tests: at least 1).
    let text = app.metrics().await;
    for target in ["first_response", "resolution"] {
        let series = format!("kefu_sla_breaches_total{{target=\"{target}\"}}");
        assert!(
            super::series(&text, &series).is_some_and(|n| n >= 1.0),
            "{series}: {text}"
        );
    }
    let detail: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["ticket"]["priority"], "urgent");
}

#[tokio::test]
async fn routing_routes_name_the_bad_field() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    let number = app.open("rt-6", "问题").await["ticket"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .http
        .put(app.url("/api/v1/agents/me/presence"))
        .bearer_auth(&admin)
        .json(&json!({"presence": "busy"}))
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "presence");
    let cases = [
        (
            "escalate",
            json!({"team_code": "frontline", "reason": "x"}),
            "team_code",
        ),
        (
            "escalate",
            json!({"team_code": "nope", "reason": "x"}),
            "team_code",
        ),
        (
            "escalate",
            json!({"team_code": "account_security", "reason": " "}),
            "reason",
        ),
        (
            "transfer",
            json!({"agent_id": 1, "team_code": "frontline", "reason": "x"}),
            "agent_id",
        ),
        (
            "transfer",
            json!({"agent_id": 999999, "reason": "x"}),
            "agent_id",
        ),
        ("send-back", json!({"findings": ""}), "findings"),
    ];
    for (route, body, field) in cases {
        let r = app
            .post(&format!("/api/v1/tickets/{number}/{route}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(p["errors"][0]["field"], field, "{route} {body}");
    }
    let r = app
        .post(&format!("/api/v1/tickets/{number}/send-back"))
        .bearer_auth(&admin)
        .json(&json!({"findings": "没有升级过"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::CONFLICT, "not_escalated").await;
}

async fn detail(app: &TestApp, token: &str, number: &str) -> Value {
    app.get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// A live chat handed to a person and held by agent1 (online).
async fn chat_held_by_agent1(app: &TestApp, external_id: &str) -> (String, String, i64) {
    let agent = app.login("agent1@kefu.local").await;
    let id = me(app, &agent).await;
    presence(app, &agent, "online").await;
    let opened = app
        .open_in_app(
            external_id,
            "我要转人工，账号13800138000，直播带货佣金没结算",
        )
        .await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let supervisor = app.login("supervisor@kefu.local").await;
    if detail(app, &supervisor, &number).await["ticket"]["assignee_id"] != id {
        let r = app
            .post(&format!("/api/v1/tickets/{number}/assign"))
            .bearer_auth(&supervisor)
            .json(&json!({"agent_id": id}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    let held = detail(app, &supervisor, &number).await;
    assert_eq!(held["ticket"]["status"], "assigned", "{held}");
    (agent, number, id)
}

#[tokio::test]
async fn going_away_hands_live_chats_back_with_a_note_in_the_staff_language() {
    let app = spawn_app().await;
    let (agent, number, _) = chat_held_by_agent1(&app, "away-1").await;
    let changed = presence(&app, &agent, "away").await;
    assert_eq!(changed["requeued"], json!([number]), "{changed}");
    let supervisor = app.login("supervisor@kefu.local").await;
    let after = detail(&app, &supervisor, &number).await;
    assert_eq!(after["ticket"]["status"], "queued", "{after}");
    assert!(after["ticket"]["assignee_id"].is_null(), "{after}");
    let log = events(&app, &supervisor, &number).await;
    assert!(
        log.iter().any(|e| e
            .to_string()
            .contains("交接：客服小李 已暂离，会话已退回队列")),
        "{log:?}"
    );
}

#[tokio::test]
async fn a_breach_raises_priority_notes_the_lead_and_requeues_when_the_owner_is_away() {
    let app = spawn_app().await;
    let agent = app.login("agent2@kefu.local").await;
    presence(&app, &agent, "online").await;
    // An e-mail-like (asynchronous) ticket: going away keeps it owned, the breach does not.
    let opened = open_with(&app, "br-away", "low").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    assert_eq!(opened["ticket"]["status"], "assigned", "{opened}");
    let changed = presence(&app, &agent, "away").await;
    assert!(changed["requeued"].as_array().unwrap().is_empty());
    let later = Timestamp::now() + SignedDuration::from_hours(24 * 4);
    while !kefu_service::workers::sla::tick(&app.state.core, "test-node", later)
        .await
        .unwrap()
        .is_empty()
    {}
    let supervisor = app.login("supervisor@kefu.local").await;
    let after = detail(&app, &supervisor, &number).await;
    // Two targets breached (first response, resolution): low → normal → high.
    assert_eq!(after["ticket"]["priority"], "high", "{after}");
    assert_eq!(after["ticket"]["status"], "queued", "{after}");
    assert!(after["ticket"]["assignee_id"].is_null(), "{after}");
    let log = events(&app, &supervisor, &number).await;
    let text = serde_json::to_string(&log).unwrap();
    assert!(
        text.contains("SLA 首次响应目标超时且处理人不在线，工单已退回队列"),
        "{text}"
    );
    let notes = serde_json::to_string(&after).unwrap();
    assert!(notes.contains("【SLA 超时】"), "{notes}");
}

#[tokio::test]
async fn a_breach_leaves_the_ticket_with_an_online_owner() {
    let app = spawn_app().await;
    let agent = app.login("agent2@kefu.local").await;
    presence(&app, &agent, "online").await;
    let opened = open_with(&app, "br-online", "normal").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let later = Timestamp::now() + SignedDuration::from_hours(24 * 4);
    while !kefu_service::workers::sla::tick(&app.state.core, "test-node", later)
        .await
        .unwrap()
        .is_empty()
    {}
    let supervisor = app.login("supervisor@kefu.local").await;
    let after = detail(&app, &supervisor, &number).await;
    assert_eq!(after["ticket"]["status"], "assigned", "{after}");
    assert_eq!(after["ticket"]["priority"], "urgent", "{after}");
}
