//! Escalations reach specialists: an escalated ticket goes to an online, on-shift, skilled
//! member of the team, or waits in that team's queue until one comes online.

use super::*;

async fn online(app: &TestApp, email: &str) -> (String, Value) {
    let token = app.login(email).await;
    let body = presence(app, &token, "online").await;
    (token, body)
}

async fn escalate(app: &TestApp, token: &str, number: &str) -> Value {
    let r = app
        .post(&format!("/api/v1/tickets/{number}/escalate"))
        .bearer_auth(token)
        .json(&json!({"team_code": "account_security", "reason": "需要核实身份"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

#[tokio::test]
async fn an_escalated_ticket_goes_to_an_online_specialist_of_its_team() {
    let app = spawn_app().await;
    let (specialist, _) = online(&app, "account.security@kefu.local").await;
    let (agent, _) = online(&app, "agent3@kefu.local").await;
    let opened = app.open("esc-1", "账号被盗了，需要找回").await;
    // The frontline queue never goes to a specialist.
    assert_eq!(
        opened["ticket"]["assignee_id"].as_i64(),
        Some(me(&app, &agent).await)
    );
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let up = escalate(&app, &agent, &number).await;
    assert_eq!(up["status"], "assigned", "{up}");
    assert_eq!(
        up["assignee_id"].as_i64(),
        Some(me(&app, &specialist).await)
    );
    // The customer still sees when it should be resolved by.
    let view: Value = app
        .get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-lookup-code", opened["lookup_code"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(view["expected_resolution_by"].is_string(), "{view}");
    // The specialist works it and sends it back to the frontline agent.
    let r = app
        .post(&format!("/api/v1/tickets/{number}/send-back"))
        .bearer_auth(&specialist)
        .json(&json!({"findings": "身份已核实，已找回"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let back: Value = r.json().await.unwrap();
    assert_eq!(back["assignee_id"].as_i64(), Some(me(&app, &agent).await));
}

#[tokio::test]
async fn a_specialist_coming_online_pulls_the_teams_escalations() {
    let app = spawn_app().await;
    let (agent, _) = online(&app, "agent1@kefu.local").await;
    let first = app.open("esc-2", "申诉解封").await;
    let second = app.open("esc-3", "另一个问题").await;
    let number = first["ticket"]["number"].as_str().unwrap().to_owned();
    let up = escalate(&app, &agent, &number).await;
    assert_eq!(
        up["status"], "escalated",
        "nobody of the team is online: {up}"
    );
    assert!(up["assignee_id"].is_null());
    let (_, came) = online(&app, "account.security@kefu.local").await;
    let assigned: Vec<&str> = came["assigned"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(
        assigned,
        vec![number.as_str()],
        "only the escalation: {came}"
    );
    assert_ne!(second["ticket"]["number"].as_str(), Some(number.as_str()));
}

#[tokio::test]
async fn a_frontline_agent_cannot_move_someone_elses_or_an_unowned_ticket() {
    let app = spawn_app().await;
    let (owner, _) = online(&app, "agent1@kefu.local").await;
    let other = app.login("agent2@kefu.local").await;
    let opened = app.open("esc-4", "问题").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    for (path, body) in [
        (
            "escalate",
            json!({"team_code": "account_security", "reason": "x"}),
        ),
        (
            "transfer",
            json!({"agent_id": me(&app, &other).await, "reason": "x"}),
        ),
        ("status", json!({"status": "resolved"})),
    ] {
        let r = app
            .post(&format!("/api/v1/tickets/{number}/{path}"))
            .bearer_auth(&other)
            .json(&body)
            .send()
            .await
            .unwrap();
        expect_problem(r, StatusCode::FORBIDDEN, "not_ticket_owner").await;
    }
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/tickets/{number}")))
        .bearer_auth(&other)
        .json(&json!({"priority": "high"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "not_ticket_owner").await;
    // Unowned (the owner puts it back in the queue and goes offline): still not theirs to
    // move without taking it first.
    let r = app
        .http
        .put(app.url("/api/v1/agents/me/presence"))
        .bearer_auth(&owner)
        .json(&json!({"presence": "offline"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(&format!("/api/v1/tickets/{number}/status"))
        .bearer_auth(&owner)
        .json(&json!({"status": "queued"}))
        .send()
        .await
        .unwrap();
    let back: Value = r.json().await.unwrap();
    assert!(back["assignee_id"].is_null(), "{back}");
    let r = app
        .post(&format!("/api/v1/tickets/{number}/transfer"))
        .bearer_auth(&other)
        .json(&json!({"agent_id": me(&app, &other).await, "reason": "x"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "not_ticket_owner").await;
}
