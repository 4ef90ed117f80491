//! What supervisors and admins see and set: staff presence and load, SLA policies.

use super::*;

#[tokio::test]
async fn the_agent_list_shows_presence_shift_and_load() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let r = app
        .http
        .put(app.url("/api/v1/agents/me/presence"))
        .bearer_auth(&agent)
        .json(&json!({"presence": "online"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.open("sv-1", "问题一").await;
    app.open("sv-2", "问题二").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let list: Value = app
        .get("/api/v1/agents")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let find = |email: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|a| a["email"] == email)
            .unwrap()
            .clone()
    };
    let a1 = find("agent1@kefu.local");
    assert_eq!(a1["presence"], "online");
    assert_eq!(a1["on_shift"], true);
    assert_eq!(a1["tickets"], 2, "{a1}");
    assert_eq!(find("agent2@kefu.local")["presence"], "offline");
    let r = app
        .get("/api/v1/agents")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn admins_change_sla_policies_and_new_tickets_follow() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    let agent = app.login("agent1@kefu.local").await;
    let list: Value = app
        .get("/api/v1/sla-policies")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|p| p["priority"] == "normal" && p["first_response_minutes"] == 240),
        "{list}"
    );
    let put = |token: String, body: Value| {
        app.http
            .put(app.url("/api/v1/sla-policies"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let body = json!({"category": "account", "priority": "normal", "first_response_minutes": 30,
        "next_response_minutes": 60, "resolution_minutes": 600});
    let r = put(agent.clone(), body.clone()).await.unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = put(
        admin.clone(),
        json!({"priority": "normal", "first_response_minutes": 1441,
        "next_response_minutes": 60, "resolution_minutes": 600}),
    )
    .await
    .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "first_response_minutes");
    let r = put(admin.clone(), body).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let opened = app.open("sv-3", "账号问题").await;
    let created: jiff::Timestamp = opened["ticket"]["created_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let due: jiff::Timestamp = opened["ticket"]["first_response_due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(due.duration_since(created).as_secs(), 30 * 60);
}

#[tokio::test]
async fn admins_see_dead_jobs_and_queue_them_again() {
    let app = spawn_app().await;
    // A malformed payload can never succeed: the job is dead at its first attempt.
    let job = kefu_store::NewJob::new(
        "ticket.close",
        json!({"why": "not a ticket.close payload"}),
        jiff::Timestamp::now(),
    );
    app.state
        .store
        .enqueue_job(job, jiff::Timestamp::now())
        .await
        .unwrap();
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(5);
    kefu_service::jobs::run_due(&app.state.core, later)
        .await
        .unwrap();
    let admin = app.login("admin@kefu.local").await;
    let counts: Value = app
        .get("/api/v1/jobs")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(counts["dead"], 1, "{counts}");
    let dead: Value = app
        .get("/api/v1/jobs/dead")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(dead[0]["kind"], "ticket.close", "{dead}");
    assert!(dead[0]["last_error"].is_string());
    let id = dead[0]["id"].as_i64().unwrap();
    let supervisor = app.login("supervisor@kefu.local").await;
    let r = app
        .post(&format!("/api/v1/jobs/{id}/retry"))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .post(&format!("/api/v1/jobs/{id}/retry"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let counts: Value = app
        .get("/api/v1/jobs")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (counts["dead"].clone(), counts["pending"].clone()),
        (0.into(), 1.into())
    );
}
