//! `/api/v1/canned-replies`: staff read them, admins manage them; every field checked.

use super::*;

const ADMIN: &str = "admin@kefu.local";
const AGENT: &str = "agent1@kefu.local";

#[tokio::test]
async fn admins_manage_canned_replies_and_every_staff_member_reads_them() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN).await;
    let agent = app.login(AGENT).await;
    // The seeded defaults, in both languages.
    let r = app
        .get("/api/v1/canned-replies?lang=en")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let list: Value = r.json().await.unwrap();
    let items = list["items"].as_array().unwrap();
    assert!(items.len() >= 3);
    assert!(items.iter().all(|i| i["lang"] == "en"));
    // Create, read, change, delete.
    let r = app
        .post("/api/v1/canned-replies")
        .bearer_auth(&admin)
        .json(&json!({"lang": "zh-CN", "title": "退款进度", "body": "{customer} 您好，退款将在 3 个工作日内到账。"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let made: Value = r.json().await.unwrap();
    let id = made["id"].as_i64().unwrap();
    let path = format!("/api/v1/canned-replies/{id}");
    let r = app.get(&path).bearer_auth(&agent).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["title"], "退款进度");
    let r = app
        .http
        .patch(app.url(&path))
        .bearer_auth(&admin)
        .json(&json!({"body": "退款已发起，工单 {ticket}。"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let changed: Value = r.json().await.unwrap();
    assert_eq!(changed["title"], "退款进度");
    assert_eq!(changed["body"], "退款已发起，工单 {ticket}。");
    let r = app
        .http
        .delete(app.url(&path))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = app.get(&path).bearer_auth(&agent).send().await.unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "canned_reply_not_found").await;
    let r = app
        .http
        .delete(app.url(&path))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "canned_reply_not_found").await;
    let r = app
        .get("/api/v1/canned-replies/abc")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "canned_reply_not_found").await;
}

#[tokio::test]
async fn only_admins_change_canned_replies_and_only_staff_read_them() {
    let app = spawn_app().await;
    let agent = app.login(AGENT).await;
    let supervisor = app.login("supervisor@kefu.local").await;
    for token in [&agent, &supervisor] {
        let r = app
            .post("/api/v1/canned-replies")
            .bearer_auth(token)
            .json(&json!({"lang": "en", "title": "Mine", "body": "Hi"}))
            .send()
            .await
            .unwrap();
        expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    }
    let first = app
        .get("/api/v1/canned-replies")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/canned-replies/{first}")))
        .bearer_auth(&agent)
        .json(&json!({"title": "Taken over"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app
        .http
        .delete(app.url(&format!("/api/v1/canned-replies/{first}")))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = app.get("/api/v1/canned-replies").send().await.unwrap();
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // A channel key is not staff.
    let r = app
        .get("/api/v1/canned-replies")
        .bearer_auth(app.channel_key())
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn canned_reply_fields_are_checked_and_titles_are_unique_per_language() {
    let app = spawn_app().await;
    let admin = app.login(ADMIN).await;
    let create = |body: Value| {
        app.post("/api/v1/canned-replies")
            .bearer_auth(&admin)
            .json(&body)
            .send()
    };
    let r = create(json!({})).await.unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["lang", "title", "body"]);
    let r = create(json!({"lang": "fr", "title": "x", "body": "y"}))
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "lang");
    let r = create(json!({"lang": "en", "title": "x", "body": "Hi {custmer}"}))
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "body");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("{custmer}")
    );
    let r = create(json!({"lang": "en", "title": "t".repeat(101), "body": "y"}))
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "title");
    let r = create(json!({"lang": "en", "title": "x", "body": "y", "extra": 1}))
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(
        p["errors"][0]["field"], "extra",
        "an unknown field is named"
    );
    // The seeded English "Greeting" is taken in English, free in Chinese.
    let r = create(json!({"lang": "en", "title": "Greeting", "body": "Hi"}))
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "title");
    let r = create(json!({"lang": "zh-CN", "title": "Greeting", "body": "您好"}))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .get("/api/v1/canned-replies?lang=fr")
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
}
