//! Role checks on every agent and admin route.

use super::*;
use reqwest::Method;

#[derive(Clone, Copy, PartialEq, PartialOrd)]
enum Needs {
    Agent,
    Supervisor,
    Admin,
}

fn staff_routes(number: &str) -> Vec<(Method, String, Option<Value>, Needs)> {
    let t = |p: &str| format!("/api/v1/tickets/{number}{p}");
    vec![
        (Method::GET, "/api/v1/tickets".into(), None, Needs::Agent),
        (Method::GET, t(""), None, Needs::Agent),
        (Method::PATCH, t(""), Some(json!({})), Needs::Agent),
        (Method::POST, t("/take"), None, Needs::Agent),
        (
            Method::POST,
            t("/assign"),
            Some(json!({"agent_id": 1})),
            Needs::Supervisor,
        ),
        (
            Method::POST,
            t("/replies"),
            Some(json!({"body": "您好"})),
            Needs::Agent,
        ),
        (
            Method::POST,
            t("/notes"),
            Some(json!({"body": "备注"})),
            Needs::Agent,
        ),
        (
            Method::POST,
            t("/status"),
            Some(json!({"status": "escalated"})),
            Needs::Agent,
        ),
        (Method::GET, t("/events"), None, Needs::Agent),
        (
            Method::POST,
            t("/escalate"),
            Some(json!({"team_code": "account_security", "reason": "需要专家"})),
            Needs::Agent,
        ),
        (
            Method::POST,
            t("/send-back"),
            Some(json!({"findings": "已处理"})),
            Needs::Agent,
        ),
        (
            Method::POST,
            t("/transfer"),
            Some(json!({"team_code": "frontline", "reason": "换组"})),
            Needs::Agent,
        ),
        (
            Method::PUT,
            "/api/v1/agents/me/presence".into(),
            Some(json!({"presence": "away"})),
            Needs::Agent,
        ),
        (
            Method::GET,
            "/api/v1/agents/4/roster".into(),
            None,
            Needs::Supervisor,
        ),
        (
            Method::PUT,
            "/api/v1/agents/4/roster".into(),
            Some(json!({"shifts": []})),
            Needs::Supervisor,
        ),
        (
            Method::GET,
            "/api/v1/coverage?date=2025-03-04".into(),
            None,
            Needs::Supervisor,
        ),
        (
            Method::PATCH,
            "/api/v1/agents/4".into(),
            Some(json!({"skills": [{"name": "category:account", "level": 3, "certified": true}]})),
            Needs::Supervisor,
        ),
        (Method::GET, "/api/v1/auth/me".into(), None, Needs::Agent),
        (
            Method::GET,
            "/api/v1/agents".into(),
            None,
            Needs::Supervisor,
        ),
        (
            Method::POST,
            "/api/v1/agents".into(),
            Some(json!({"email": "new@kefu.local", "display_name": "新人", "role": "agent"})),
            Needs::Admin,
        ),
        (
            Method::PATCH,
            "/api/v1/agents/3".into(),
            Some(json!({"chat_capacity": 6})),
            Needs::Admin,
        ),
        (Method::GET, "/api/v1/teams".into(), None, Needs::Agent),
        (
            Method::POST,
            "/api/v1/teams".into(),
            Some(json!({"code": "night_shift", "name": "夜班"})),
            Needs::Admin,
        ),
        (Method::GET, "/api/v1/categories".into(), None, Needs::Agent),
        (
            Method::PUT,
            "/api/v1/categories/refunds".into(),
            Some(json!({"name_zh": "退款", "name_en": "Refunds"})),
            Needs::Admin,
        ),
        (Method::GET, "/api/v1/api-keys".into(), None, Needs::Admin),
        (
            Method::POST,
            "/api/v1/api-keys".into(),
            Some(json!({"name": "weibo", "channel": "social"})),
            Needs::Admin,
        ),
        (
            Method::DELETE,
            "/api/v1/api-keys/999999".into(),
            None,
            Needs::Admin,
        ),
    ]
}

async fn call(
    app: &TestApp,
    method: &Method,
    path: &str,
    body: &Option<Value>,
    token: Option<&str>,
) -> Response {
    let mut req = app.http.request(method.clone(), app.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn every_staff_route_checks_the_callers_role() {
    let app = spawn_app().await;
    let number = app.open("r-1", "问题").await["ticket"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let agent = app.login("agent1@kefu.local").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let admin = app.login("admin@kefu.local").await;
    for (method, path, body, needs) in staff_routes(&number) {
        let what = format!("{method} {path}");
        let r = call(&app, &method, &path, &body, None).await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{what} without a token"
        );
        let r = call(&app, &method, &path, &body, Some("kefu_s_not_a_real_token")).await;
        assert_eq!(
            r.status(),
            StatusCode::UNAUTHORIZED,
            "{what} with a bogus token"
        );
        let r = call(&app, &method, &path, &body, Some(app.channel_key())).await;
        expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
        for (token, level) in [
            (&agent, Needs::Agent),
            (&supervisor, Needs::Supervisor),
            (&admin, Needs::Admin),
        ] {
            let r = call(&app, &method, &path, &body, Some(token)).await;
            if level < needs {
                assert_eq!(
                    r.status(),
                    StatusCode::FORBIDDEN,
                    "{what} must be refused below its role"
                );
            } else {
                // Allowed by role; ownership rules (not_ticket_owner) may still apply.
                let status = r.status();
                let body: Value = r.json().await.unwrap_or(Value::Null);
                assert!(
                    status != StatusCode::UNAUTHORIZED && body["code"] != "forbidden",
                    "{what}: {status} {body}"
                );
            }
        }
    }
}

#[tokio::test]
async fn logout_and_revocation_take_effect_at_once() {
    let app = spawn_app().await;
    let token = app.login("agent2@kefu.local").await;
    assert_eq!(
        app.get("/api/v1/auth/me")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.post("/api/v1/auth/logout")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NO_CONTENT
    );
    let r = app
        .get("/api/v1/auth/me")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;

    let admin = app.login("admin@kefu.local").await;
    let created: Value = app
        .post("/api/v1/api-keys")
        .bearer_auth(&admin)
        .json(&json!({"name": "web", "channel": "web_form"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = created["token"].as_str().unwrap().to_owned();
    let open = |k: String| {
        app.post("/api/v1/tickets")
            .bearer_auth(k)
            .json(&json!({"customer": {"external_id": "w"}, "body": "hi"}))
            .send()
    };
    let opened: Value = open(key.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(opened["ticket"]["channel"], "web_form");
    let id = created["key"]["id"].as_i64().unwrap();
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/api-keys/{id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    expect_problem(
        open(key).await.unwrap(),
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = spawn_app().await;
    for (email, password) in [
        ("agent1@kefu.local", "wrong-password"),
        ("nobody@kefu.local", "whatever123"),
    ] {
        let r = app
            .post("/api/v1/auth/login")
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        let body = expect_problem(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
        assert_eq!(body["detail"], "E-mail or password is wrong.");
    }
}

#[tokio::test]
async fn deactivated_staff_lose_access() {
    let app = spawn_app().await;
    let token = app.login("agent3@kefu.local").await;
    let admin = app.login("admin@kefu.local").await;
    let agents: Value = app
        .get("/api/v1/agents")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = agents
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["email"] == "agent3@kefu.local")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/agents/{id}")))
        .bearer_auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .get("/api/v1/auth/me")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}
