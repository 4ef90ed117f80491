//! Bad input on every route: clear 4xx problems naming the field, never a panic.

use super::*;
use reqwest::Method;

/// Every route taking a JSON body, with a token that may call it.
async fn json_routes(app: &TestApp) -> Vec<(Method, String, Option<String>)> {
    let number = app.open("b-1", "问题").await["ticket"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let code = None;
    let admin = Some(app.login("admin@kefu.local").await);
    let key = Some(app.channel_key().to_owned());
    let t = |p: &str| format!("/api/v1/tickets/{number}{p}");
    let _: Option<String> = code;
    vec![
        (Method::POST, "/api/v1/tickets".into(), key),
        (Method::PATCH, t(""), admin.clone()),
        (Method::POST, t("/assign"), admin.clone()),
        (Method::POST, t("/replies"), admin.clone()),
        (Method::POST, t("/notes"), admin.clone()),
        (Method::POST, t("/status"), admin.clone()),
        (Method::POST, t("/escalate"), admin.clone()),
        (Method::POST, t("/send-back"), admin.clone()),
        (Method::POST, t("/transfer"), admin.clone()),
        (
            Method::PUT,
            "/api/v1/agents/me/presence".into(),
            admin.clone(),
        ),
        (
            Method::POST,
            format!("/api/v1/customer/tickets/{number}/messages"),
            None,
        ),
        (Method::POST, "/api/v1/auth/login".into(), None),
        (Method::POST, "/api/v1/agents".into(), admin.clone()),
        (Method::PATCH, "/api/v1/agents/1".into(), admin.clone()),
        (Method::PUT, "/api/v1/agents/4/roster".into(), admin.clone()),
        (Method::POST, "/api/v1/teams".into(), admin.clone()),
        (
            Method::PUT,
            "/api/v1/categories/refunds".into(),
            admin.clone(),
        ),
        (Method::POST, "/api/v1/api-keys".into(), admin.clone()),
        (
            Method::PUT,
            "/api/v1/kb/articles/kb-x".into(),
            admin.clone(),
        ),
        (
            Method::POST,
            "/api/v1/kb/articles/kb-general-001/publish".into(),
            admin.clone(),
        ),
        (Method::POST, "/api/v1/bot/ask".into(), admin),
        (
            Method::POST,
            format!("/api/v1/customer/tickets/{number}/feedback"),
            None,
        ),
    ]
}

#[tokio::test]
async fn every_json_route_rejects_bad_bodies_with_problems() {
    let app = spawn_app().await;
    let routes = json_routes(&app).await;
    let bodies: Vec<(&str, Vec<u8>, &str, StatusCode, &str)> = vec![
        (
            "not JSON",
            b"{,}".to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "invalid UTF-8",
            b"{\"body\": \"\xff\xfe\"}".to_vec(),
            "application/json",
            StatusCode::BAD_REQUEST,
            "malformed_json",
        ),
        (
            "wrong content type",
            b"body=hi".to_vec(),
            "application/x-www-form-urlencoded",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (
            "huge body",
            format!("{{\"body\": \"{}\"}}", "x".repeat(100 * 1024)).into_bytes(),
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
        ),
        (
            "an array",
            b"[1, 2]".to_vec(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
        (
            "an unknown field",
            b"{\"surprise\": 1}".to_vec(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
        ),
    ];
    for (method, path, token) in &routes {
        for (what, body, ct, status, code) in &bodies {
            let mut req = app
                .http
                .request(method.clone(), app.url(path))
                .header("content-type", *ct)
                .body(body.clone());
            if path.contains("/customer/") {
                req = req.header("x-lookup-code", "AAAAAAAA");
            }
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.unwrap();
            // Customer routes check the JSON before the proof only when the proof is right;
            // a wrong proof may answer first, and must still be a problem.
            if path.contains("/customer/") && r.status() == StatusCode::NOT_FOUND {
                expect_problem(r, StatusCode::NOT_FOUND, "ticket_not_found").await;
                continue;
            }
            assert_eq!(r.status(), *status, "{method} {path} with {what}");
            let problem: Value = r.json().await.unwrap();
            assert_eq!(
                problem["code"], *code,
                "{method} {path} with {what}: {problem}"
            );
        }
    }
}

#[tokio::test]
async fn intake_names_each_bad_field() {
    let app = spawn_app().await;
    let send = |b: Value| {
        app.post("/api/v1/tickets")
            .bearer_auth(app.channel_key())
            .json(&b)
            .send()
    };
    let cases: Vec<(Value, &str)> = vec![
        (json!({"body": "x"}), "customer"),
        (json!({"customer": {"external_id": "u"}}), "body"),
        (
            json!({"customer": {"external_id": 42}, "body": "x"}),
            "customer.external_id",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": ["x"]}),
            "body",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": "x", "subject": "长".repeat(201)}),
            "subject",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": "x".repeat(20_001)}),
            "body",
        ),
        (
            json!({"customer": {"external_id": "u", "email": "not-an-email"}, "body": "x"}),
            "customer.email",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": "x", "category": "weather"}),
            "category",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": "x", "priority": "asap"}),
            "priority",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": "x", "channel": "email"}),
            "channel",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": "x", "context": [1]}),
            "context",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": "x", "attachments": [{"name": "a.jpg", "content_type": "jpeg", "size_bytes": 1, "url": "u"}]}),
            "attachments[0].content_type",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": "x", "attachments": [{"name": "a.jpg", "content_type": "image/jpeg", "size_bytes": -1, "url": "u"}]}),
            "attachments[0].size_bytes",
        ),
        (
            json!({"customer": {"external_id": "u"}, "body": "x\u{0000}y"}),
            "body",
        ),
    ];
    for (body, field) in cases {
        let r = send(body.clone()).await.unwrap();
        let problem =
            expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.iter().any(|f| f.starts_with(field)),
            "{body} should name {field}, named {fields:?}"
        );
    }
    let r = app
        .post("/api/v1/tickets")
        .bearer_auth(app.channel_key())
        .header("idempotency-key", "")
        .json(&json!({"customer": {"external_id": "u"}, "body": "x"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::BAD_REQUEST, "invalid_idempotency_key").await;
    // Nothing was stored by any of the refused requests.
    let admin = app.login("admin@kefu.local").await;
    let page: Value = app
        .get("/api/v1/tickets")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn bad_query_strings_and_paths_are_named() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=abc", "limit"),
        ("status=lost", "status"),
        ("sort=random", "sort"),
        ("cursor=zz", "cursor"),
        ("assignee=x", "assignee"),
        ("priority=9", "priority"),
        ("color=red", "color"),
    ] {
        let r = app
            .get(&format!("/api/v1/tickets?{q}"))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        let problem =
            expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{q}");
    }
    for bad in ["123", "abc", "261124935871993"] {
        let r = app
            .get(&format!("/api/v1/tickets/{bad}"))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        expect_problem(r, StatusCode::BAD_REQUEST, "invalid_ticket_number").await;
    }
    let admin = app.login("admin@kefu.local").await;
    let r = app
        .http
        .patch(app.url("/api/v1/agents/x"))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "agent_not_found").await;
    let r = app
        .http
        .patch(app.url("/api/v1/agents/9999"))
        .bearer_auth(&admin)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "agent_not_found").await;
    let r = app
        .post("/api/v1/agents")
        .bearer_auth(&admin)
        .json(&json!({"email": "a@b.cn", "display_name": "x", "role": "boss", "password": "short"}))
        .send()
        .await
        .unwrap();
    let problem = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"password"), "{fields:?}");
}
