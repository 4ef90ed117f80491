//! Intake, idempotency, customer lookup and isolation.

use super::*;

#[tokio::test]
async fn intake_gives_a_number_and_the_customer_reads_it_with_the_code() {
    let app = spawn_app().await;
    let opened = app.open("u-1", "账号登录不了").await;
    let number = opened["ticket"]["number"].as_str().unwrap();
    assert_eq!(number.len(), 15);
    assert_eq!(opened["ticket"]["status"], "queued");
    assert!(opened["ticket"]["first_response_due"].is_string());
    let code = opened["lookup_code"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-lookup-code", code.to_lowercase())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let view: Value = r.json().await.unwrap();
    assert_eq!(view["messages"][0]["body"], "账号登录不了");
    assert_eq!(view["progress"], "已进入人工客服队列，正在为您分配客服");
    // The grouped form works too.
    let grouped = opened["ticket"]["number_display"].as_str().unwrap();
    let r = app
        .get(&format!("/api/v1/customer/tickets/{grouped}"))
        .header("x-lookup-code", code)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn same_idempotency_key_and_body_give_the_same_ticket_and_another_body_conflicts() {
    let app = spawn_app().await;
    let body = json!({"customer": {"external_id": "u-2"}, "body": "直播权限怎么开通"});
    let send = |b: Value| {
        app.post("/api/v1/tickets")
            .bearer_auth(app.channel_key())
            .header("idempotency-key", "retry-7")
            .json(&b)
            .send()
    };
    let first = send(body.clone()).await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let again = send(body.clone()).await.unwrap();
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["ticket"]["number"], first["ticket"]["number"]);
    assert_eq!(again["lookup_code"], first["lookup_code"]);
    assert_eq!(again["replayed"], true);
    let other = send(json!({"customer": {"external_id": "u-2"}, "body": "另一个问题"}))
        .await
        .unwrap();
    expect_problem(other, StatusCode::CONFLICT, "idempotency_key_reused").await;
    // Concurrent retries of one request still make one ticket.
    let mut tasks = vec![];
    for _ in 0..8 {
        let req = app
            .post("/api/v1/tickets")
            .bearer_auth(app.channel_key())
            .header("idempotency-key", "burst")
            .json(&body);
        tasks.push(tokio::spawn(async move {
            req.send().await.unwrap().json::<Value>().await.unwrap()
        }));
    }
    let mut numbers = std::collections::HashSet::new();
    for t in tasks {
        numbers.insert(
            t.await.unwrap()["ticket"]["number"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert_eq!(numbers.len(), 1);
}

#[tokio::test]
async fn customers_never_read_each_others_tickets() {
    let app = spawn_app().await;
    let a = app.open("alice", "A 的问题").await;
    let b = app.open("bob", "B 的问题").await;
    let a_number = a["ticket"]["number"].as_str().unwrap();
    let b_code = b["lookup_code"].as_str().unwrap();
    // Bob's code does not open Alice's ticket, and the answer equals a missing ticket's.
    let wrong = app
        .get(&format!("/api/v1/customer/tickets/{a_number}"))
        .header("x-lookup-code", b_code)
        .send()
        .await
        .unwrap();
    let wrong = expect_problem(wrong, StatusCode::NOT_FOUND, "ticket_not_found").await;
    let missing_number =
        kefu_domain::TicketNumber::new(jiff::civil::date(2026, 1, 1), 12345).as_string();
    let missing = app
        .get(&format!("/api/v1/customer/tickets/{missing_number}"))
        .header("x-lookup-code", b_code)
        .send()
        .await
        .unwrap();
    let missing = expect_problem(missing, StatusCode::NOT_FOUND, "ticket_not_found").await;
    assert_eq!(wrong["detail"], missing["detail"]);
    // The channel vouches for its own customer only.
    let as_bob = app
        .get(&format!("/api/v1/customer/tickets/{a_number}"))
        .bearer_auth(app.channel_key())
        .header("x-customer-id", "bob")
        .send()
        .await
        .unwrap();
    expect_problem(as_bob, StatusCode::NOT_FOUND, "ticket_not_found").await;
    let as_alice = app
        .get(&format!("/api/v1/customer/tickets/{a_number}"))
        .bearer_auth(app.channel_key())
        .header("x-customer-id", "alice")
        .send()
        .await
        .unwrap();
    assert_eq!(as_alice.status(), StatusCode::OK);
    // Writing is guarded the same way.
    let post = app
        .post(&format!("/api/v1/customer/tickets/{a_number}/messages"))
        .header("x-lookup-code", b_code)
        .json(&json!({"body": "hi"}))
        .send()
        .await
        .unwrap();
    expect_problem(post, StatusCode::NOT_FOUND, "ticket_not_found").await;
    // No proof at all is a 401.
    let none = app
        .get(&format!("/api/v1/customer/tickets/{a_number}"))
        .send()
        .await
        .unwrap();
    expect_problem(none, StatusCode::UNAUTHORIZED, "unauthenticated").await;
    // Guessing: every other serial on the same day with a valid check digit finds nothing
    // (and past the per-address lookup limit, a 429 says nothing either).
    let date = jiff::civil::date(2026, 11, 24);
    for serial in 0..30u32 {
        let guess = kefu_domain::TicketNumber::new(date, serial).as_string();
        let r = app
            .get(&format!("/api/v1/customer/tickets/{guess}"))
            .header("x-lookup-code", b_code)
            .send()
            .await
            .unwrap();
        assert!(
            [StatusCode::NOT_FOUND, StatusCode::TOO_MANY_REQUESTS].contains(&r.status()),
            "{}",
            r.status()
        );
    }
}

#[tokio::test]
async fn a_mistyped_number_is_invalid_not_missing() {
    let app = spawn_app().await;
    let opened = app.open("u-3", "问题").await;
    let number = opened["ticket"]["number"].as_str().unwrap();
    let code = opened["lookup_code"].as_str().unwrap();
    let mut swapped: Vec<char> = number.chars().collect();
    // Serials may be sequential (0000 0000 on a new day), so look over the whole number.
    let i = (0..swapped.len() - 1)
        .find(|&i| swapped[i] != swapped[i + 1])
        .unwrap();
    swapped.swap(i, i + 1);
    let swapped: String = swapped.into_iter().collect();
    let r = app
        .get(&format!("/api/v1/customer/tickets/{swapped}"))
        .header("x-lookup-code", code)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::BAD_REQUEST, "invalid_ticket_number").await;
}
