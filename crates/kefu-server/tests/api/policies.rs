//! "Must read" policy updates over HTTP: a supervisor publishes, an agent sees it unread
//! until they acknowledge it, the supervisor sees who has and has not; the role rules and
//! bad input. And the supervisor dashboard's read.

use super::*;

async fn publish(app: &TestApp, token: &str, body: Value) -> Response {
    app.post("/api/v1/policies")
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn get_json(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.get(path).bearer_auth(token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn a_must_read_update_is_unread_until_acknowledged_and_the_supervisor_sees_who_read_it() {
    let app = spawn_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let agent = app.login("agent1@kefu.local").await;
    let r = publish(
        &app,
        &supervisor,
        json!({"title": "直播带货新规", "body": "<script>alert(1)</script> 即日起生效"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let p: Value = r.json().await.unwrap();
    assert_eq!(p["must_read"], true, "must-read by default");
    assert!(
        p["body"].as_str().unwrap().starts_with("<script>"),
        "kept as written"
    );
    let id = p["id"].as_i64().unwrap();
    let r = publish(
        &app,
        &supervisor,
        json!({"title": "周末值班表", "body": "见附件", "must_read": false}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);

    let unread = get_json(&app, &agent, "/api/v1/policies/unread").await;
    let ids: Vec<i64> = unread
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [id], "only the must-read one");

    let r = app
        .post(&format!("/api/v1/policies/{id}/acknowledge"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let acked: Value = r.json().await.unwrap();
    assert!(acked["acknowledged_at"].is_string(), "{acked}");
    let again: Value = app
        .post(&format!("/api/v1/policies/{id}/acknowledge"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["acknowledged_at"], acked["acknowledged_at"]);
    let unread = get_json(&app, &agent, "/api/v1/policies/unread").await;
    assert_eq!(unread, json!([]));
    let list = get_json(&app, &agent, "/api/v1/policies").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[1]["acknowledged_at"], acked["acknowledged_at"]);

    let report = get_json(
        &app,
        &supervisor,
        &format!("/api/v1/policies/{id}/acknowledgements"),
    )
    .await;
    assert_eq!(report["acknowledged"], 1);
    assert_eq!(report["staff"][0]["email"], "agent1@kefu.local");
    assert!(report["staff"][0]["acknowledged_at"].is_string());
    let pending: Vec<&str> = report["staff"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["acknowledged_at"].is_null())
        .map(|s| s["email"].as_str().unwrap())
        .collect();
    assert!(pending.contains(&"agent2@kefu.local"), "{pending:?}");
    assert_eq!(report["pending"], pending.len());

    let admin = app.login("admin@kefu.local").await;
    let audit = get_json(&app, &admin, "/api/v1/audit?action=policy.published").await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 2, "{audit}");
}

#[tokio::test]
async fn only_supervisors_publish_and_see_acknowledgements_and_bad_input_is_named() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let admin = app.login("admin@kefu.local").await;
    let r = publish(&app, &agent, json!({"title": "t", "body": "b"})).await;
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app.get("/api/v1/policies").send().await.unwrap();
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    let r = publish(&app, &admin, json!({"title": " ", "body": "b"})).await;
    let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "title");
    let r = publish(
        &app,
        &admin,
        json!({"title": "t", "body": "b", "pin": true}),
    )
    .await;
    assert_eq!(r.status().as_u16() / 100, 4);
    let r = publish(&app, &admin, json!({"title": "t", "body": "b"})).await;
    let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let r = app
        .get(&format!("/api/v1/policies/{id}/acknowledgements"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    for path in ["/api/v1/policies/999", "/api/v1/policies/x"] {
        let r = app.get(path).bearer_auth(&agent).send().await.unwrap();
        expect_problem(r, StatusCode::NOT_FOUND, "policy_not_found").await;
    }
    let r = app
        .post("/api/v1/policies/999/acknowledge")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "policy_not_found").await;
}

#[tokio::test]
async fn the_dashboard_shows_the_queue_staff_hours_and_the_bot_to_supervisors() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    presence(&app, &agent, "online").await;
    presence(&app, &agent, "away").await;
    app.open("db-1", "登录不了").await;
    app.open("db-2", "账号被封").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let d = get_json(
        &app,
        &supervisor,
        "/api/v1/dashboard?time_zone=Asia/Shanghai",
    )
    .await;
    assert_eq!(d["time_zone"], "Asia/Shanghai");
    let waiting: u64 = d["queue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["count"].as_u64().unwrap())
        .sum();
    let held: u64 = d["on_duty"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["tickets"].as_u64().unwrap() + s["chats"].as_u64().unwrap())
        .sum();
    assert_eq!(waiting + held, 2, "{d}");
    assert!(
        d["on_duty"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["display_name"].is_string() && s["presence"] == "away"),
        "{d}"
    );
    let hours = d["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    let arrivals: u64 = hours.iter().map(|h| h["arrivals"].as_u64().unwrap()).sum();
    assert_eq!(arrivals, 2);
    assert!(hours.iter().any(|h| h["needed"].as_u64().unwrap() > 0));
    assert!(
        hours.iter().all(|h| h["rostered"].as_u64().unwrap() > 0),
        "no rosters: all on duty"
    );
    assert_eq!(
        d["bot"]["conversations"], 0,
        "the api channel skips the bot"
    );
    assert!(d["bot"]["containment_rate"].is_null());
    let nearest = d["nearest_breach"].as_array().unwrap();
    assert_eq!(nearest.len(), 2, "{d}");
    // Compared as times: RFC 3339 strings with and without a fraction do not sort as text.
    let due =
        |i: usize| -> jiff::Timestamp { nearest[i]["due_at"].as_str().unwrap().parse().unwrap() };
    assert!(due(0) <= due(1), "{nearest:?}");

    let r = app
        .get("/api/v1/dashboard")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .get("/api/v1/dashboard?time_zone=Mars/Base")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "time_zone");
}
