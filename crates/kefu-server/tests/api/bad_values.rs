//! Hostile values inside well-formed requests: control characters, numbers that would lose
//! their value, trailing data, far dates, non-web attachment URLs, bad query parameters.
//! Each is a 4xx naming the field, never a 500 and never stored.

use super::*;

/// The fields a problem names.
async fn named(r: Response, status: StatusCode, code: &str) -> Vec<String> {
    let problem = expect_problem(r, status, code).await;
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn raw_post(app: &TestApp, path: &str, token: Option<&str>, body: &str) -> Response {
    let mut req = app
        .post(path)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn control_characters_are_refused_naming_the_field() {
    let app = spawn_app().await;
    // Unauthenticated, before any database read: a NUL never reaches PostgreSQL.
    for (body, field) in [
        (
            r#"{"email": "admin@kefu.local\u0000", "password": "x"}"#,
            "email",
        ),
        (
            r#"{"email": "a@b.cn", "password": "pass\u0007word"}"#,
            "password",
        ),
    ] {
        let r = raw_post(&app, "/api/v1/auth/login", None, body).await;
        let fields = named(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(fields, [field], "{body}");
    }
    let key = app.channel_key().to_owned();
    for (body, field) in [
        (
            r#"{"customer": {"external_id": "u\u0000"}, "body": "x"}"#,
            "customer.external_id",
        ),
        (
            r#"{"customer": {"external_id": "u"}, "body": "x", "context": {"app": "\u001b[31m"}}"#,
            "context.app",
        ),
        (
            r#"{"customer": {"external_id": "u"}, "body": "x", "attachments": [{"name": "a\u0000.jpg", "content_type": "image/jpeg", "size_bytes": 1, "url": "https://x.cn/a.jpg"}]}"#,
            "attachments[0].name",
        ),
    ] {
        let r = raw_post(&app, "/api/v1/tickets", Some(&key), body).await;
        let fields = named(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(fields, [field], "{body}");
    }
    // Tabs and newlines are text, not controls.
    let r = raw_post(
        &app,
        "/api/v1/tickets",
        Some(&key),
        r#"{"customer": {"external_id": "u"}, "body": "第一行\n\t第二行"}"#,
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn numbers_that_would_change_are_refused() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    for body in [
        r#"{"name": "k", "agent_id": 99999999999999999999}"#,
        r#"{"name": "k", "agent_id": 1e30}"#,
        r#"{"name": "k", "agent_id": -1.5}"#,
    ] {
        let r = raw_post(&app, "/api/v1/api-keys", Some(&admin), body).await;
        let fields = named(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(fields, ["agent_id"], "{body}");
    }
    let key = app.channel_key().to_owned();
    for (number, field) in [
        ("123456789012345678901234567890", "context.n"),
        ("0.12345678901234567890123", "context.n"),
        ("1e999", "context.n"),
    ] {
        let body = format!(
            r#"{{"customer": {{"external_id": "u"}}, "body": "x", "context": {{"n": {number}}}}}"#
        );
        let r = raw_post(&app, "/api/v1/tickets", Some(&key), &body).await;
        let fields = named(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(fields, [field], "{body}");
    }
    // Numbers that fit are stored as they were sent.
    let r = raw_post(
        &app,
        "/api/v1/tickets",
        Some(&key),
        r#"{"customer": {"external_id": "u"}, "body": "x", "context": {"n": 9223372036854775807, "f": 0.1}}"#,
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.unwrap();
    let number = created["ticket"]["number"].as_str().unwrap();
    let ticket: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = ticket.to_string();
    assert!(text.contains("9223372036854775807"), "{text}");
}

#[tokio::test]
async fn data_after_the_json_value_is_refused() {
    let app = spawn_app().await;
    for body in [
        r#"{"email": "a@b.cn", "password": "x"} x"#,
        r#"{"email": "a@b.cn", "password": "x"}{}"#,
    ] {
        let r = raw_post(&app, "/api/v1/auth/login", None, body).await;
        expect_problem(r, StatusCode::BAD_REQUEST, "malformed_json").await;
    }
    let r = raw_post(
        &app,
        "/api/v1/auth/login",
        None,
        "{\"email\": \"a@b.cn\", \"password\": \"wrong password\"}  \n",
    )
    .await;
    expect_problem(r, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
}

#[tokio::test]
async fn attachment_urls_must_be_web_addresses() {
    let app = spawn_app().await;
    let key = app.channel_key().to_owned();
    let attach = |url: &str| {
        json!({"customer": {"external_id": "u"}, "body": "x", "attachments": [
            {"name": "a.jpg", "content_type": "image/jpeg", "size_bytes": 1, "url": url}]})
    };
    for url in [
        "javascript:alert(1)",
        "data:text/html,<script>",
        "file:///etc/passwd",
        "ftp://x.cn/a.jpg",
        "https://",
        "/relative/a.jpg",
    ] {
        let r = app
            .post("/api/v1/tickets")
            .bearer_auth(&key)
            .json(&attach(url))
            .send()
            .await
            .unwrap();
        let fields = named(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(fields, ["attachments[0].url"], "{url}");
    }
    for url in ["https://cdn.example.cn/a.jpg", "HTTP://x.cn/a?b=1"] {
        let r = app
            .post("/api/v1/tickets")
            .bearer_auth(&key)
            .json(&attach(url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{url}");
    }
}

#[tokio::test]
async fn coverage_dates_out_of_range_are_named() {
    let app = spawn_app().await;
    let lead = app.login("admin@kefu.local").await;
    for date in ["9999-12-31", "-009999-01-01", "1999-12-31", "2101-01-01"] {
        let r = app
            .get(&format!("/api/v1/coverage?date={date}"))
            .bearer_auth(&lead)
            .send()
            .await
            .unwrap();
        let fields = named(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(fields, ["date"], "{date}");
    }
    for date in ["2000-01-01", "2100-12-31"] {
        let r = app
            .get(&format!("/api/v1/coverage?date={date}"))
            .bearer_auth(&lead)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{date}");
    }
}

#[tokio::test]
async fn query_string_errors_name_the_parameter_in_words() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    for (query, field, words) in [
        ("limit=abc", "limit", "must be a whole number"),
        ("limit=99999999999", "limit", "is out of range"),
        ("customer_id=x", "customer_id", "must be a whole number"),
        ("colour=red", "colour", "is not a parameter of this route"),
        ("team=a%00b", "team", "must not contain control characters"),
        (
            "customer_email=a%00@b.cn",
            "customer_email",
            "control characters",
        ),
        ("limit=5&limit=6", "limit", "more than once"),
    ] {
        let r = app
            .get(&format!("/api/v1/tickets?{query}"))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        let problem =
            expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
        let message = problem["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{query}: {message}");
        assert!(
            !problem.to_string().contains("Failed to deserialize"),
            "{problem}"
        );
    }
}
