//! In-app users through the real server: a token the app's backend signs
//! (HMAC-SHA256 under the app's secret, with an expiry) makes the caller that in-app
//! customer on the API and on the live channel; a wrong signature, an expired token or
//! garbage is refused with `app_token_invalid` (401), and another user's ticket stays
//! hidden.

use super::channels::{APP_SECRET, now_s, spawn_channels};
use super::live::{auth, connect, live_url, next, send, subscribe};
use super::*;
use kefu_service::channels::app_token;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

fn token(sub: &str, exp: i64, secret: &[u8]) -> String {
    app_token::sign(
        secret,
        &app_token::Claims {
            app: "douyin".into(),
            sub: sub.into(),
            exp,
        },
    )
}

/// Opens a ticket as the app user `sub`; its number.
async fn open_as(app: &TestApp, sub: &str) -> String {
    let r = app
        .post("/api/v1/tickets")
        .header("x-app-token", token(sub, now_s() + 600, APP_SECRET))
        .json(&json!({"customer": {"external_id": sub}, "body": "直播间被限流了"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let v: Value = r.json().await.unwrap();
    v["ticket"]["number"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_app_user_token_makes_the_caller_that_customer() {
    let app = spawn_channels(None, |_| {}).await;
    let mine = token("user-1", now_s() + 600, APP_SECRET);
    let r = app
        .post("/api/v1/tickets")
        .header("x-app-token", &mine)
        .json(&json!({"customer": {"external_id": "user-1"}, "body": "我要转人工"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    let r = app
        .post("/api/v1/tickets")
        .header("x-app-token", &mine)
        .json(&json!({"customer": {"external_id": "user-2"}, "body": "冒充别人"}))
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let list: Value = app
        .get("/api/v1/customer/tickets")
        .header("x-app-token", &mine)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = list["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "{list}");
    let number = items[0]["number"].as_str().unwrap().to_owned();
    let r = app
        .get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-app-token", &mine)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let other = token("user-2", now_s() + 600, APP_SECRET);
    let r = app
        .get(&format!("/api/v1/customer/tickets/{number}"))
        .header("x-app-token", &other)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "ticket_not_found").await;

    for bad in [
        token("user-1", now_s() - 1, APP_SECRET),
        token("user-1", now_s() + 600, b"someone-elses-secret"),
        "garbage".to_owned(),
    ] {
        let r = app
            .get("/api/v1/customer/tickets")
            .header("x-app-token", &bad)
            .send()
            .await
            .unwrap();
        expect_problem(r, StatusCode::UNAUTHORIZED, "app_token_invalid").await;
    }
}

#[tokio::test]
async fn the_live_channel_takes_an_app_user_token_in_the_request_or_the_first_frame() {
    let app = spawn_channels(None, |_| {}).await;
    tokio::spawn(kefu_service::workers::tailer::run(
        app.state.core.clone(),
        kefu_service::workers::Stop::never(),
    ));
    let mine = open_as(&app, "live-1").await;
    let theirs = open_as(&app, "live-2").await;

    let mut ws = connect(&app).await;
    let frame = json!({"type": "auth", "app_token": token("live-1", now_s() + 600, APP_SECRET)});
    auth(&mut ws, frame, "customer").await;
    let got = subscribe(&mut ws, &mine, None).await;
    assert_eq!(got.last().unwrap()["type"], "subscribed", "{got:?}");
    let got = subscribe(&mut ws, &theirs, None).await;
    assert_eq!(got.last().unwrap()["code"], "ticket_not_found", "{got:?}");

    let mut request = live_url(&app).into_client_request().unwrap();
    request.headers_mut().insert(
        "x-app-token",
        token("live-2", now_s() + 600, APP_SECRET).parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let got = subscribe(&mut ws, &theirs, None).await;
    assert_eq!(got.last().unwrap()["type"], "subscribed", "{got:?}");

    let mut request = live_url(&app).into_client_request().unwrap();
    request.headers_mut().insert(
        "x-app-token",
        token("live-1", now_s() + 600, b"a-forged-secret!")
            .parse()
            .unwrap(),
    );
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 401),
        other => panic!("a forged token was let in: {other:?}"),
    }
    let mut ws = connect(&app).await;
    let expired = token("live-1", now_s() - 1, APP_SECRET);
    send(&mut ws, json!({"type": "auth", "app_token": expired})).await;
    let error = next(&mut ws).await;
    assert_eq!(error["code"], "app_token_invalid", "{error}");
}
