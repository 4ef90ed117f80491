//! The customer's side: their own tickets listed through their channel, messages paged,
//! what staff do behind the scenes never showing, and identities kept per channel.

use super::*;

async fn list_own(app: &TestApp, key: &str, customer: &str) -> Response {
    app.get("/api/v1/customer/tickets?limit=2")
        .bearer_auth(key)
        .header("x-customer-id", customer)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_customer_finds_their_tickets_through_their_channel_newest_first() {
    let app = spawn_app().await;
    let a = app.open("cs-1", "第一个问题").await;
    let b = app.open("cs-1", "第二个问题").await;
    let c = app.open("cs-1", "第三个问题").await;
    app.open("cs-2", "别人的问题").await;
    let r = list_own(&app, app.channel_key(), "cs-1").await;
    assert_eq!(r.status(), StatusCode::OK);
    let page: Value = r.json().await.unwrap();
    let numbers: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["number"].as_str().unwrap())
        .collect();
    let n = |v: &Value| v["ticket"]["number"].as_str().unwrap().to_owned();
    assert_eq!(numbers, vec![n(&c), n(&b)]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let rest: Value = app
        .get(&format!("/api/v1/customer/tickets?limit=2&cursor={cursor}"))
        .bearer_auth(app.channel_key())
        .header("x-customer-id", "cs-1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"][0]["number"], n(&a));
    assert_eq!(rest["items"].as_array().unwrap().len(), 1);
    // Another channel's key does not speak for this channel's customer.
    let other: Value = list_own(&app, app.in_app_key(), "cs-1")
        .await
        .json()
        .await
        .unwrap();
    assert!(other["items"].as_array().unwrap().is_empty(), "{other}");
    // Without the customer's id it is not a customer call at all.
    let r = app
        .get("/api/v1/customer/tickets")
        .bearer_auth(app.channel_key())
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::UNAUTHORIZED, "unauthenticated").await;
}

#[tokio::test]
async fn a_key_bound_to_no_channel_cannot_act_for_customers() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    let r = app
        .post("/api/v1/api-keys")
        .bearer_auth(&admin)
        .json(&json!({"name": "unbound"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let unbound = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = list_own(&app, &unbound, "cs-3").await;
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn messages_page_in_order_and_internal_notes_change_nothing_the_customer_sees() {
    let app = spawn_app().await;
    let opened = app.open("cs-4", "第一句").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let code = opened["lookup_code"].as_str().unwrap().to_owned();
    for i in 2..=4 {
        let r = app
            .post(&format!("/api/v1/customer/tickets/{number}/messages"))
            .header("x-lookup-code", &code)
            .json(&json!({"body": format!("第{i}句")}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    let view = |app: &TestApp| {
        app.get(&format!("/api/v1/customer/tickets/{number}"))
            .header("x-lookup-code", &code)
            .send()
    };
    let before: Value = view(&app).await.unwrap().json().await.unwrap();
    let admin = app.login("admin@kefu.local").await;
    let r = app
        .post(&format!("/api/v1/tickets/{number}/notes"))
        .bearer_auth(&admin)
        .json(&json!({"body": "内部备注：客户是老用户"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let after: Value = view(&app).await.unwrap().json().await.unwrap();
    assert_eq!(before, after, "an internal note must not show in any way");
    // Paging: two at a time, oldest first, by the last id seen.
    let page = |after: Option<i64>| {
        let q = after.map_or(String::new(), |a| format!("&after={a}"));
        app.get(&format!(
            "/api/v1/customer/tickets/{number}/messages?limit=2{q}"
        ))
        .header("x-lookup-code", &code)
        .send()
    };
    let first: Value = page(None).await.unwrap().json().await.unwrap();
    let bodies = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| m["body"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(bodies(&first), vec!["第一句", "第2句"]);
    let last_id = first[1]["id"].as_i64().unwrap();
    let second: Value = page(Some(last_id)).await.unwrap().json().await.unwrap();
    assert_eq!(bodies(&second), vec!["第3句", "第4句"]);
    let r = app
        .get(&format!(
            "/api/v1/customer/tickets/{number}/messages?limit=0"
        ))
        .header("x-lookup-code", &code)
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(p["errors"][0]["field"], "limit");
}

#[tokio::test]
async fn staff_opening_a_ticket_for_a_customer_never_rewrites_their_details() {
    let app = spawn_app().await;
    let r = app
        .post("/api/v1/tickets")
        .bearer_auth(app.channel_key())
        .json(&json!({"customer": {"external_id": "cs-5", "name": "王小明", "email": "wang@example.com"}, "body": "你好"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let admin = app.login("admin@kefu.local").await;
    let r = app
        .post("/api/v1/tickets")
        .bearer_auth(&admin)
        .json(&json!({"customer": {"external_id": "cs-5", "name": "冒名", "email": "evil@example.com"}, "channel": "api", "body": "代客户提交"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let number = r.json::<Value>().await.unwrap()["ticket"]["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let detail: Value = app
        .get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(detail["customer"]["name"], "王小明");
    assert_eq!(detail["customer"]["email"], "wang@example.com");
}

#[tokio::test]
async fn progress_lines_speak_the_customers_language() {
    let app = spawn_app().await;
    let opened = |external_id: &'static str, language: &'static str| {
        app.post("/api/v1/tickets")
            .bearer_auth(app.channel_key())
            .json(&json!({
                "customer": {"external_id": external_id, "language": language},
                "body": "My account was hacked",
                "category": "account"
            }))
            .send()
    };
    for (customer, language, expected) in [
        ("lang-en", "en-US", "Waiting for the next available agent"),
        ("lang-zh", "zh-CN", "已进入人工客服队列，正在为您分配客服"),
    ] {
        let r = opened(customer, language).await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let t: Value = r.json().await.unwrap();
        let number = t["ticket"]["number"].as_str().unwrap();
        let view: Value = app
            .get(&format!("/api/v1/customer/tickets/{number}"))
            .header("x-lookup-code", t["lookup_code"].as_str().unwrap())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(view["status"], "queued", "{view}");
        assert_eq!(view["progress"], expected, "{language}");
        let list: Value = list_own(&app, app.channel_key(), customer)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["items"][0]["progress"], expected, "{language}");
    }
}
