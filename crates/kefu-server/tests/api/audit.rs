//! The audit log: each admin and knowledge-base change leaves one row naming who did it,
//! only admins read it, and no secret ever appears in it.

use crate::{TestApp, expect_problem, me, spawn_app};
use kefu_service::Caller;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// The rows of one action on one subject, newest first.
async fn rows(app: &TestApp, admin: &str, action: &str, subject: &str) -> Vec<Value> {
    let r = app
        .get("/api/v1/audit")
        .query(&[("action", action), ("subject", subject)])
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let page: Value = r.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

/// The one row of `action` on `subject`, checked to be by `actor`.
async fn one_row(app: &TestApp, admin: &str, action: &str, subject: &str, actor: &str) -> Value {
    let found = rows(app, admin, action, subject).await;
    assert_eq!(found.len(), 1, "{action} on {subject}: {found:?}");
    assert_eq!(found[0]["actor"], actor, "{action} on {subject}");
    found[0].clone()
}

async fn send(r: reqwest::RequestBuilder, token: &str, body: Value) -> Value {
    let r = r.bearer_auth(token).json(&body).send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    assert!(status.is_success(), "{status}: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[tokio::test]
async fn admin_and_kb_changes_leave_one_row_each_naming_who_did_it() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let by_admin = format!("agent:{}", me(&app, &admin).await);
    let by_supervisor = format!("agent:{}", me(&app, &supervisor).await);
    let password = "a-secret-pass-phrase-1";

    let created = send(
        app.post("/api/v1/agents"),
        &admin,
        json!({
            "email": "audited@kefu.local", "display_name": "审计", "role": "agent",
            "password": password, "skills": [{"name": "category:account", "level": 2}],
        }),
    )
    .await;
    let agent = format!("agent:{}", created["agent"]["id"].as_i64().unwrap());
    let row = one_row(&app, &admin, "agent.created", &agent, &by_admin).await;
    assert_eq!(row["detail"]["role"], "agent");

    let patch = |token: &str, body: Value| {
        let path = format!("/api/v1/agents/{}", created["agent"]["id"]);
        let r = app.http.patch(app.url(&path));
        let token = token.to_owned();
        async move { send(r, &token, body).await }
    };
    patch(
        &supervisor,
        json!({"skills": [{"name": "category:advertising", "level": 3}]}),
    )
    .await;
    let row = one_row(&app, &admin, "agent.updated", &agent, &by_supervisor).await;
    assert_eq!(row["detail"]["fields"], json!(["skills"]));
    assert_eq!(row["detail"]["skills"], json!(["category:advertising=3"]));

    patch(&admin, json!({"password": "another-secret-phrase-2"})).await;
    let updates = rows(&app, &admin, "agent.updated", &agent).await;
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0]["actor"], by_admin.as_str(), "newest first");
    assert_eq!(updates[0]["detail"], json!({"fields": ["password"]}));
    one_row(&app, &admin, "agent.sessions_revoked", &agent, &by_admin).await;

    let key = send(
        app.post("/api/v1/api-keys"),
        &admin,
        json!({"name": "weibo", "channel": "social"}),
    )
    .await;
    let key_id = key["key"]["id"].as_i64().unwrap();
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/api-keys/{key_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let subject = format!("api_key:{key_id}");
    one_row(&app, &admin, "api_key.created", &subject, &by_admin).await;
    one_row(&app, &admin, "api_key.revoked", &subject, &by_admin).await;

    let put = app.http.put(app.url("/api/v1/kb/articles/audit-demo"));
    send(
        put,
        &supervisor,
        json!({"question": "审计日志是什么？", "answer": "记录谁改了什么。", "publish": false}),
    )
    .await;
    let row = one_row(
        &app,
        &admin,
        "kb.article.saved",
        "article:audit-demo",
        &by_supervisor,
    )
    .await;
    assert_eq!(row["detail"], json!({"slug": "audit-demo", "version": 1}));
    assert!(
        rows(&app, &admin, "kb.article.published", "article:audit-demo")
            .await
            .is_empty()
    );
    send(
        app.post("/api/v1/kb/articles/audit-demo/publish"),
        &admin,
        json!({}),
    )
    .await;
    let row = one_row(
        &app,
        &admin,
        "kb.article.published",
        "article:audit-demo",
        &by_admin,
    )
    .await;
    assert_eq!(row["detail"], json!({"slug": "audit-demo", "version": 1}));

    let sla = app.http.put(app.url("/api/v1/sla-policies"));
    send(
        sla,
        &admin,
        json!({"category": "account", "priority": "high", "first_response_minutes": 20,
        "next_response_minutes": 60, "resolution_minutes": 600}),
    )
    .await;
    let row = one_row(
        &app,
        &admin,
        "sla_policy.changed",
        "sla_policy:account:high",
        &by_admin,
    )
    .await;
    assert_eq!(row["detail"]["first_response_minutes"], 20);

    // No password, hash or token anywhere in the log.
    let all = app
        .get("/api/v1/audit?limit=200")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let text = all.text().await.unwrap();
    for secret in [
        password,
        "another-secret-phrase-2",
        "$argon2",
        key["token"].as_str().unwrap(),
    ] {
        assert!(!text.contains(secret), "{secret} in the audit log");
    }
}

#[tokio::test]
async fn the_system_and_the_cli_are_recorded_as_system() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    let team =
        kefu_service::admin::create_team(&app.state, &Caller::System, "audit_team", "审计", false)
            .await
            .unwrap();
    let row = one_row(
        &app,
        &admin,
        "team.created",
        &format!("team:{}", team.id.0),
        "system",
    )
    .await;
    assert_eq!(row["actor_agent_id"], Value::Null);
    let r = app
        .get("/api/v1/audit?actor=system&action=team.created")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn only_admins_read_the_audit_log_page_by_page() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let r = app
        .get("/api/v1/audit")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app.get("/api/v1/audit").send().await.unwrap();
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    for bad in ["limit=0", "limit=201", "actor=nobody", "cursor=x"] {
        let r = app
            .get(&format!("/api/v1/audit?{bad}"))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{bad}: {}", r.status());
    }
    for code in ["audit_a", "audit_b", "audit_c"] {
        kefu_service::admin::create_team(&app.state, &Caller::System, code, code, false)
            .await
            .unwrap();
    }
    let page = |cursor: Option<String>| {
        let mut q = vec![
            ("action", "team.created".to_owned()),
            ("limit", "2".to_owned()),
        ];
        q.extend(cursor.map(|c| ("cursor", c)));
        let req = app.get("/api/v1/audit").query(&q).bearer_auth(&admin);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let first = page(None).await;
    let codes = |p: &Value| -> Vec<String> {
        p["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["detail"]["code"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(codes(&first), ["audit_c", "audit_b"]);
    let next = page(first["next_cursor"].as_str().map(str::to_owned)).await;
    assert_eq!(codes(&next), ["audit_a"]);
    assert_eq!(next["next_cursor"], Value::Null);
}
