//! The signed social webhook through the real server: a private message opens a ticket
//! and the next joins it; a bad signature, an old timestamp, a duplicate delivery and an
//! unknown shape get clear refusals and no second ticket; a public post is answered in
//! public only with a move to private. Also the platform's side of outbound deliveries (a
//! real local HTTP receiver) that `channels_outbound` and `app_users` share.

use super::*;
use axum::extract::State as AxState;
use axum::http::HeaderMap;
use kefu_service::channels::{AppSecret, WebhookChannel, follower, signature};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

pub const SECRET: &[u8] = b"weibo-shared-secret";
pub const APP_SECRET: &[u8] = b"douyin-app-secret-0001";

/// What the platform's receiver got: one entry per accepted delivery.
#[derive(Default)]
pub struct Receiver {
    /// Answers 503 to everything while set.
    pub down: AtomicBool,
    /// Answers 503 to this many more requests, then accepts again.
    pub fail_next: AtomicUsize,
    /// Requests answered 503.
    pub refused: AtomicUsize,
    /// (Idempotency-Key, body) of each accepted delivery.
    pub accepted: Mutex<Vec<(String, Value)>>,
}

async fn receive(
    AxState(rx): AxState<Arc<Receiver>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> (axum::http::StatusCode, String) {
    let failing = rx.down.load(Ordering::SeqCst)
        || rx
            .fail_next
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
    if failing {
        rx.refused.fetch_add(1, Ordering::SeqCst);
        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "down".into());
    }
    let ts = headers["x-kefu-timestamp"].to_str().unwrap();
    let sig = headers["x-kefu-signature"].to_str().unwrap();
    let now = jiff::Timestamp::now().as_second();
    signature::verify(SECRET, Some(ts), Some(sig), &body, now, 60).expect("kefu signs deliveries");
    let key = headers["idempotency-key"].to_str().unwrap().to_owned();
    let json: Value = serde_json::from_slice(&body).unwrap();
    let mut accepted = rx.accepted.lock().unwrap();
    accepted.push((key, json));
    (
        axum::http::StatusCode::OK,
        format!(r#"{{"id":"remote-{}"}}"#, accepted.len()),
    )
}

/// A platform receiver on 127.0.0.1:0; its URL.
pub async fn start_receiver() -> (Arc<Receiver>, String) {
    let rx = Arc::new(Receiver::default());
    let router = axum::Router::new()
        .route("/replies", axum::routing::post(receive))
        .with_state(rx.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/replies", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (rx, url)
}

pub async fn spawn_channels(
    outbound_url: Option<String>,
    tune: impl FnOnce(&mut Settings),
) -> TestApp {
    spawn_app_configured(Limits::default(), |s| {
        s.channels.webhooks = vec![WebhookChannel {
            name: "weibo".into(),
            channel: kefu_domain::Channel::Social,
            secret: SECRET.to_vec(),
            outbound_url,
        }];
        s.channels.apps = vec![AppSecret {
            app: "douyin".into(),
            secret: APP_SECRET.to_vec(),
        }];
        tune(s);
    })
    .await
}

pub fn now_s() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Posts `body` to the weibo webhook signed at `ts` with `secret`.
pub async fn webhook(app: &TestApp, body: &Value, ts: i64, secret: &[u8]) -> Response {
    let body = body.to_string();
    let ts = ts.to_string();
    app.post("/api/v1/channels/weibo/webhook")
        .header("x-kefu-timestamp", &ts)
        .header(
            "x-kefu-signature",
            signature::sign(secret, &ts, body.as_bytes()),
        )
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap()
}

pub fn dm(id: &str, user: &str, text: &str) -> Value {
    json!({"type": "message", "id": id, "thread": format!("dm-{user}"), "user": {"id": user, "name": "小王"}, "text": text})
}

pub async fn tickets(app: &TestApp) -> Vec<Value> {
    let admin = app.login("admin@kefu.local").await;
    let r: Value = app.get_json("/api/v1/tickets?limit=100", &admin).await;
    r["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_signed_private_message_opens_a_ticket_and_the_next_joins_it() {
    let app = spawn_channels(None, |_| {}).await;
    let r = webhook(&app, &dm("m-1", "u-1", "我的账号被封了"), now_s(), SECRET).await;
    assert_eq!(r.status(), StatusCode::OK);
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["status"], "received");
    assert_eq!(first["opened"], true);
    let r = webhook(&app, &dm("m-2", "u-1", "账号是 12345"), now_s(), SECRET).await;
    let second: Value = r.json().await.unwrap();
    assert_eq!(second["opened"], false);
    assert_eq!(second["ticket_number"], first["ticket_number"]);
    // A direct message naming no thread is in the user's direct conversation.
    let plain = json!({"type": "message", "id": "m-3", "user": {"id": "u-1"}, "text": "还在吗"});
    let third: Value = webhook(&app, &plain, now_s(), SECRET)
        .await
        .json()
        .await
        .unwrap();
    let again = json!({"type": "message", "id": "m-4", "user": {"id": "u-1"}, "text": "？"});
    let fourth: Value = webhook(&app, &again, now_s(), SECRET)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fourth["ticket_number"], third["ticket_number"]);
    assert_eq!(fourth["opened"], false);
    let all = tickets(&app).await;
    assert_eq!(all.len(), 2);
    assert_eq!(all[0]["channel"], "social");
    let ping = webhook(&app, &json!({"type": "ping"}), now_s(), SECRET).await;
    assert_eq!(ping.json::<Value>().await.unwrap()["status"], "ignored");
}

#[tokio::test]
async fn bad_signatures_old_or_future_timestamps_and_unknown_channels_are_refused() {
    let app = spawn_channels(None, |_| {}).await;
    let body = dm("m-1", "u-1", "你好");
    let r = webhook(&app, &body, now_s(), b"not-the-secret").await;
    expect_problem(r, StatusCode::UNAUTHORIZED, "signature_invalid").await;
    let r = webhook(&app, &body, now_s() - 301, SECRET).await;
    let p = expect_problem(r, StatusCode::UNAUTHORIZED, "timestamp_out_of_range").await;
    assert!(p["detail"].as_str().unwrap().contains("5 minutes"), "{p}");
    let r = webhook(&app, &body, now_s() + 600, SECRET).await;
    expect_problem(r, StatusCode::UNAUTHORIZED, "timestamp_out_of_range").await;
    let r = app
        .post("/api/v1/channels/weibo/webhook")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::UNAUTHORIZED, "timestamp_out_of_range").await;
    let ts = now_s().to_string();
    let r = app
        .post("/api/v1/channels/weibo/webhook")
        .header("x-kefu-timestamp", &ts)
        .header("x-kefu-signature", "md5=abc")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::UNAUTHORIZED, "signature_invalid").await;
    let r = app
        .post("/api/v1/channels/twitter/webhook")
        .body("{}")
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "channel_not_found").await;
    assert!(tickets(&app).await.is_empty(), "nothing was accepted");
}

#[tokio::test]
async fn a_duplicate_delivery_writes_no_second_ticket_or_message() {
    let app = spawn_channels(None, |_| {}).await;
    let body = dm("m-1", "u-1", "直播权限怎么开通");
    let first: Value = webhook(&app, &body, now_s(), SECRET)
        .await
        .json()
        .await
        .unwrap();
    for _ in 0..3 {
        let r = webhook(&app, &body, now_s(), SECRET).await;
        assert_eq!(r.status(), StatusCode::OK);
        let again: Value = r.json().await.unwrap();
        assert_eq!(again["duplicate"], true);
        assert_eq!(again["ticket_number"], first["ticket_number"]);
    }
    // The same platform message id on another thread is still the same message.
    let mut moved = body.clone();
    moved["thread"] = json!("elsewhere");
    let again: Value = webhook(&app, &moved, now_s(), SECRET)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["duplicate"], true);
    assert_eq!(tickets(&app).await.len(), 1);
    let number = first["ticket_number"].as_str().unwrap();
    let admin = app.login("admin@kefu.local").await;
    let t: Value = app
        .get_json(&format!("/api/v1/tickets/{number}"), &admin)
        .await;
    let customer_messages = t["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "customer")
        .count();
    assert_eq!(customer_messages, 1, "{t}");
}

#[tokio::test]
async fn unknown_shapes_are_refused_clearly_and_kept_for_admins() {
    let app = spawn_channels(None, |_| {}).await;
    let r = webhook(&app, &json!({"type": "like", "id": "x"}), now_s(), SECRET).await;
    let p = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "payload_unrecognized").await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("unknown type \"like\""),
        "{p}"
    );
    let r = webhook(
        &app,
        &json!({"type": "message", "id": "1"}),
        now_s(),
        SECRET,
    )
    .await;
    expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "payload_unrecognized").await;
    assert!(tickets(&app).await.is_empty());

    let agent = app.login("agent1@kefu.local").await;
    let r = app
        .get("/api/v1/channels/inbox")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let admin = app.login("admin@kefu.local").await;
    let inbox: Value = app.get_json("/api/v1/channels/inbox", &admin).await;
    let inbox = inbox.as_array().unwrap();
    assert_eq!(inbox.len(), 2);
    assert_eq!(inbox[1]["channel"], "weibo");
    assert!(inbox[1]["payload"].as_str().unwrap().contains("like"));
    assert!(
        inbox[0]["reason"]
            .as_str()
            .unwrap()
            .contains("`user` is required")
    );
    let page: Value = app
        .get_json(
            &format!("/api/v1/channels/inbox?before={}", inbox[0]["id"]),
            &admin,
        )
        .await;
    assert_eq!(page.as_array().unwrap().len(), 1);
}

/// Runs the follower and the due jobs until nothing is left to do now.
pub async fn drain(app: &TestApp) {
    let core = &app.state.core;
    for _ in 0..20 {
        let followed = follower::round(core, jiff::Timestamp::now()).await.unwrap();
        let ran = kefu_service::jobs::run_due(core, jiff::Timestamp::now())
            .await
            .unwrap();
        if followed == 0 && ran.completed.is_empty() && ran.failed.is_empty() {
            return;
        }
    }
}

#[tokio::test]
async fn a_public_post_is_answered_in_public_only_with_a_move_to_private() {
    let (rx, url) = start_receiver().await;
    let app = spawn_channels(Some(url), |_| {}).await;
    follower::round(&app.state.core, jiff::Timestamp::now())
        .await
        .unwrap();
    let post = json!({"type": "post", "id": "p-1", "thread": "post-1", "user": {"id": "u-9"}, "text": "@客服 我的账号 13800000000 被封了"});
    let r: Value = webhook(&app, &post, now_s(), SECRET)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["opened"], true);
    drain(&app).await;
    let accepted = rx.accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    let (_, public) = &accepted[0];
    assert_eq!(public["visibility"], "public");
    assert_eq!(public["kind"], "public_redirect");
    assert_eq!(public["user_id"], "u-9");
    assert_eq!(public["reply_to"], "p-1");
    let text = public["text"].as_str().unwrap();
    assert!(text.contains("私信") && text.contains(r["ticket_number"].as_str().unwrap()));
    assert!(!text.contains("13800000000"), "details never go public");
}
