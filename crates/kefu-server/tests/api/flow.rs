//! A ticket worked end to end by agents, with the event log and the customer's view.

use super::*;

#[tokio::test]
async fn an_agent_takes_replies_and_resolves_and_the_customer_sees_progress() {
    let app = spawn_app().await;
    let opened = app.open("c-1", "直播间被封了怎么办").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let code = opened["lookup_code"].as_str().unwrap().to_owned();
    let agent = app.login("agent1@kefu.local").await;
    let other = app.login("agent2@kefu.local").await;

    let queue: Value = app
        .get("/api/v1/tickets?status=queued&sort=urgent")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(queue["items"][0]["number"], number.as_str());

    let taken: Value = app
        .post(&format!("/api/v1/tickets/{number}/take"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(taken["status"], "assigned");
    let mine: Value = app
        .get("/api/v1/tickets?assignee=me")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);

    // Someone else's ticket: another agent may note but not reply or change it.
    let r = app
        .post(&format!("/api/v1/tickets/{number}/replies"))
        .bearer_auth(&other)
        .json(&json!({"body": "我来"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "not_ticket_owner").await;
    let r = app
        .post(&format!("/api/v1/tickets/{number}/notes"))
        .bearer_auth(&other)
        .json(&json!({"body": "疑似误封，建议复核"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    let r = app
        .post(&format!("/api/v1/tickets/{number}/replies"))
        .bearer_auth(&agent)
        .json(&json!({"body": "请提供直播间 ID", "status": "pending_customer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);

    // The customer sees the reply but not the note, and answering hands it back.
    let view: Value = app
        .get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-lookup-code", &code)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(view["status"], "pending_customer");
    let bodies: Vec<&str> = view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["直播间被封了怎么办", "请提供直播间 ID"]);
    assert!(view["expected_response_by"].is_null());
    let r = app
        .post(&format!("/api/v1/customer/tickets/{number}/messages"))
        .header("x-lookup-code", &code)
        .json(&json!({"body": "ID 是 123456"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let after: Value = r.json().await.unwrap();
    assert_eq!(after["status"], "assigned");

    // Illegal moves are refused with a typed problem.
    let r = app
        .post(&format!("/api/v1/tickets/{number}/status"))
        .bearer_auth(&agent)
        .json(&json!({"status": "closed"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::CONFLICT, "illegal_transition").await;
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/tickets/{number}")))
        .bearer_auth(&agent)
        .json(&json!({"category": "live_streaming", "priority": "high"}))
        .send()
        .await
        .unwrap();
    let patched: Value = r.json().await.unwrap();
    assert_eq!(
        (patched["category"].as_str(), patched["priority"].as_str()),
        (Some("live_streaming"), Some("high"))
    );
    let r = app
        .post(&format!("/api/v1/tickets/{number}/status"))
        .bearer_auth(&agent)
        .json(&json!({"status": "resolved", "reason": "已解封"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // A reply within the reopen window reopens it.
    let r = app
        .post(&format!("/api/v1/customer/tickets/{number}/messages"))
        .header("x-lookup-code", &code)
        .json(&json!({"body": "又被封了"}))
        .send()
        .await
        .unwrap();
    let reopened: Value = r.json().await.unwrap();
    assert_eq!(reopened["status"], "assigned");

    let detail: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["messages"].as_array().unwrap().len(), 5);
    assert_eq!(detail["customer"]["external_id"], "c-1");
    let events: Value = app
        .get(&format!("/api/v1/tickets/{number}/events"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["change"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "message_added",
            "status_changed",
            "assigned",
            "message_added",
            "message_added",
            "status_changed",
            "message_added",
            "status_changed",
            "category_changed",
            "priority_changed",
            "status_changed",
            "message_added",
            "status_changed"
        ]
    );
    assert_eq!(events[3]["actor"]["type"], "agent");
    assert_eq!(events[3]["change"]["reason"], "taken by the agent");
}

#[tokio::test]
async fn supervisors_assign_and_admins_manage_staff() {
    let app = spawn_app().await;
    let number = app.open("c-2", "广告充值没到账").await["ticket"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let supervisor = app.login("supervisor@kefu.local").await;
    let admin = app.login("admin@kefu.local").await;
    let created: Value = app
        .post("/api/v1/agents")
        .bearer_auth(&admin)
        .json(&json!({"email": "ads@kefu.local", "display_name": "广告专员", "role": "specialist", "skills": [{"name": "category:advertising", "level": 4, "certified": true}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["generated_password"].as_str().unwrap().len(), 20);
    let id = created["agent"]["id"].as_i64().unwrap();
    let dup = app
        .post("/api/v1/agents")
        .bearer_auth(&admin)
        .json(&json!({"email": "ADS@kefu.local", "display_name": "x", "role": "agent"}))
        .send()
        .await
        .unwrap();
    expect_problem(dup, StatusCode::CONFLICT, "duplicate").await;
    let assigned: Value = app
        .post(&format!("/api/v1/tickets/{number}/assign"))
        .bearer_auth(&supervisor)
        .json(&json!({"agent_id": id, "reason": "广告计费专员"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(assigned["assignee_id"], id);
    let r = app
        .post(&format!("/api/v1/tickets/{number}/assign"))
        .bearer_auth(&supervisor)
        .json(&json!({"agent_id": 424242}))
        .send()
        .await
        .unwrap();
    let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "agent_id");
}
