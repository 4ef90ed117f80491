//! The live channel through the real server: a real WebSocket client, the event tailer
//! running as in `kefu serve`.

use super::*;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

pub type Ws = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// The app with its event tailer running (spawn_app starts no workers).
pub async fn live_app() -> TestApp {
    let app = spawn_app().await;
    tokio::spawn(kefu_service::workers::tailer::run(
        app.state.core.clone(),
        kefu_service::workers::Stop::never(),
    ));
    app
}

pub fn live_url(app: &TestApp) -> String {
    format!("{}/api/v1/live", app.base.replace("http://", "ws://"))
}

/// Connects without credentials in the request.
pub async fn connect(app: &TestApp) -> Ws {
    tokio_tungstenite::connect_async(live_url(app))
        .await
        .unwrap()
        .0
}

pub async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.unwrap();
}

/// The next frame that is not a `ping` or `queue`, within 5 s.
pub async fn next(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("the connection is open")
            .unwrap();
        match m {
            Message::Text(t) => {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] != "ping" && v["type"] != "queue" {
                    return v;
                }
            }
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => {}
        }
    }
}

/// Every frame (but pings and queue) until nothing comes for `quiet`.
pub async fn drain(ws: &mut Ws, quiet: Duration) -> Vec<Value> {
    let mut got = Vec::new();
    while let Ok(Some(Ok(m))) = tokio::time::timeout(quiet, ws.next()).await {
        if let Message::Text(t) = m {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] != "ping" && v["type"] != "queue" {
                got.push(v);
            }
        }
    }
    got
}

/// Authenticates with the first frame and expects `ready`.
pub async fn auth(ws: &mut Ws, frame: Value, side: &str) {
    send(ws, frame).await;
    let ready = next(ws).await;
    assert_eq!(ready["type"], "ready", "{ready}");
    assert_eq!(ready["side"], side);
}

/// Subscribes and returns the frames up to and including `subscribed`.
pub async fn subscribe(ws: &mut Ws, number: &str, last_seq: Option<i64>) -> Vec<Value> {
    let mut frame = json!({"type": "subscribe", "ticket": number});
    if let Some(s) = last_seq {
        frame["last_seq"] = json!(s);
    }
    send(ws, frame).await;
    let mut got = Vec::new();
    loop {
        let f = next(ws).await;
        let done = f["type"] == "subscribed" || f["type"] == "error";
        got.push(f);
        if done {
            return got;
        }
    }
}

pub fn message_bodies(frames: &[Value]) -> Vec<String> {
    frames
        .iter()
        .filter(|f| f["type"] == "event" && f["kind"] == "message_added")
        .map(|f| f["payload"]["message"]["body"].as_str().unwrap().to_owned())
        .collect()
}

pub async fn post(app: &TestApp, token: &str, path: &str, body: Value) {
    let r = app
        .post(path)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
}

#[tokio::test]
async fn a_customer_gets_the_agents_reply_live_and_never_an_internal_note() {
    let app = live_app().await;
    let opened = app.open("live-c1", "账号登录不了").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let code = opened["lookup_code"].as_str().unwrap().to_owned();
    let mut customer = connect(&app).await;
    auth(
        &mut customer,
        json!({"type": "auth", "lookup_code": code}),
        "customer",
    )
    .await;
    let subscribed = subscribe(&mut customer, &number, None).await;
    assert_eq!(
        subscribed.last().unwrap()["type"],
        "subscribed",
        "{subscribed:?}"
    );

    let agent = app.login("agent1@kefu.local").await;
    let mut staff = connect(&app).await;
    auth(&mut staff, json!({"type": "auth", "token": agent}), "staff").await;
    subscribe(&mut staff, &number, None).await;

    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{number}/take"),
        json!({}),
    )
    .await;
    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{number}/notes"),
        json!({"body": "内部备注：疑似盗号"}),
    )
    .await;
    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{number}/replies"),
        json!({"body": "请提供注册手机号"}),
    )
    .await;

    let mut seen = Vec::new();
    while !message_bodies(&seen).contains(&"请提供注册手机号".to_owned()) {
        seen.push(next(&mut customer).await);
    }
    seen.extend(drain(&mut customer, Duration::from_millis(700)).await);
    assert_eq!(message_bodies(&seen), ["请提供注册手机号"], "{seen:?}");
    let text = serde_json::to_string(&seen).unwrap();
    assert!(
        !text.contains("内部备注"),
        "a note reached the customer: {text}"
    );
    let assigned = seen.iter().find(|f| f["kind"] == "assigned").unwrap();
    assert_eq!(assigned["payload"]["agent_name"], "客服小李");
    assert!(assigned["payload"].get("reason").is_none(), "{assigned}");
    let reply = seen.iter().find(|f| f["kind"] == "message_added").unwrap();
    assert_eq!(reply["payload"]["message"]["from"], "agent");

    // Staff see both, the note with its kind.
    let mut staff_seen = Vec::new();
    while message_bodies(&staff_seen).len() < 2 {
        staff_seen.push(next(&mut staff).await);
    }
    assert_eq!(
        message_bodies(&staff_seen),
        ["内部备注：疑似盗号", "请提供注册手机号"]
    );
    let note = staff_seen
        .iter()
        .find(|f| f["kind"] == "message_added")
        .unwrap();
    assert_eq!(note["payload"]["message"]["kind"], "internal_note");

    // Typing reaches the other side.
    send(&mut staff, json!({"type": "typing", "ticket": number})).await;
    let typing = next(&mut customer).await;
    assert_eq!(typing["type"], "typing", "{typing}");
    assert_eq!(typing["side"], "staff");
}

#[tokio::test]
async fn staff_cannot_follow_a_ticket_they_may_not_see() {
    let app = live_app().await;
    let opened = app.open("live-c2", "账号被封").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let agent = app.login("agent1@kefu.local").await;
    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{number}/take"),
        json!({}),
    )
    .await;

    for email in ["account.security@kefu.local", "agent2@kefu.local"] {
        let token = app.login(email).await;
        let mut ws = connect(&app).await;
        auth(&mut ws, json!({"type": "auth", "token": token}), "staff").await;
        let answer = subscribe(&mut ws, &number, None).await;
        let error = answer.last().unwrap();
        assert_eq!(error["type"], "error", "{email}: {answer:?}");
        assert_eq!(error["code"], "forbidden");
        assert_eq!(error["ticket"], number.as_str());
    }
    let supervisor = app.login("supervisor@kefu.local").await;
    let mut ws = connect(&app).await;
    auth(
        &mut ws,
        json!({"type": "auth", "token": supervisor}),
        "staff",
    )
    .await;
    let answer = subscribe(&mut ws, &number, None).await;
    assert_eq!(answer.last().unwrap()["type"], "subscribed", "{answer:?}");
}

#[tokio::test]
async fn a_reconnect_with_last_seq_gets_exactly_what_was_missed_in_order() {
    let app = live_app().await;
    let opened = app.open("live-c3", "广告扣费不对").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let code = opened["lookup_code"].as_str().unwrap().to_owned();
    let agent = app.login("agent1@kefu.local").await;

    // Credentials in the upgrade request work as in the API.
    let mut request = live_url(&app).into_client_request().unwrap();
    request
        .headers_mut()
        .insert("x-lookup-code", code.parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request.clone())
        .await
        .unwrap();
    assert_eq!(next(&mut ws).await["type"], "ready");
    let subscribed = subscribe(&mut ws, &number, None).await;
    let mut last_seq = subscribed.last().unwrap()["seq"].as_i64().unwrap();
    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{number}/take"),
        json!({}),
    )
    .await;
    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{number}/replies"),
        json!({"body": "第一条"}),
    )
    .await;
    let mut seen = Vec::new();
    while message_bodies(&seen).is_empty() {
        seen.push(next(&mut ws).await);
    }
    for f in &seen {
        last_seq = last_seq.max(f["seq"].as_i64().unwrap());
    }
    ws.close(None).await.unwrap();
    drop(ws);

    // Gone: two replies and a note come meanwhile.
    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{number}/replies"),
        json!({"body": "第二条"}),
    )
    .await;
    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{number}/notes"),
        json!({"body": "内部"}),
    )
    .await;
    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{number}/replies"),
        json!({"body": "第三条", "status": "pending_customer"}),
    )
    .await;

    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    assert_eq!(next(&mut ws).await["type"], "ready");
    let resumed = subscribe(&mut ws, &number, Some(last_seq)).await;
    let (done, events) = resumed.split_last().unwrap();
    assert_eq!(done["type"], "subscribed", "{resumed:?}");
    assert_eq!(message_bodies(events), ["第二条", "第三条"], "{resumed:?}");
    let seqs: Vec<i64> = events.iter().map(|f| f["seq"].as_i64().unwrap()).collect();
    assert!(
        seqs.windows(2).all(|w| w[0] < w[1]),
        "in order, once: {seqs:?}"
    );
    assert!(
        seqs[0] > last_seq,
        "nothing already seen: {seqs:?} after {last_seq}"
    );
    // Every event since then, as staff count them, was considered: the resume ends at the
    // ticket's last seq.
    let log: Value = app
        .get(&format!("/api/v1/tickets/{number}/events"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let total = log.as_array().unwrap().len() as i64;
    assert_eq!(done["seq"], total);
    let status = events
        .iter()
        .find(|f| f["kind"] == "status_changed")
        .expect("the status change to pending_customer");
    assert_eq!(status["payload"]["to"], "pending_customer", "{status}");
    assert!(status["payload"]["progress"].is_string(), "{status}");
    assert!(status["payload"].get("reason").is_none(), "{status}");
    // And nothing comes twice afterwards.
    let after = drain(&mut ws, Duration::from_millis(700)).await;
    assert!(after.is_empty(), "{after:?}");
}

#[tokio::test]
async fn bad_credentials_and_plain_requests_are_refused() {
    let app = live_app().await;
    // A bad token in the request: refused before the upgrade, as the API would.
    let mut request = live_url(&app).into_client_request().unwrap();
    request
        .headers_mut()
        .insert("authorization", "Bearer nope".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 401),
        other => panic!("{other:?}"),
    }
    // A bad token in the first frame: an error frame, then close 4401.
    let mut ws = connect(&app).await;
    send(&mut ws, json!({"type": "auth", "token": "nope"})).await;
    let error = next(&mut ws).await;
    assert_eq!(error["code"], "unauthenticated", "{error}");
    let close = loop {
        match ws.next().await {
            Some(Ok(Message::Close(c))) => break c.unwrap(),
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(close.code, CloseCode::from(4401));
    // A plain GET is a problem, not a server error.
    let r = app.get("/api/v1/live").send().await.unwrap();
    expect_problem(r, StatusCode::UPGRADE_REQUIRED, "websocket_required").await;
}

#[tokio::test]
async fn a_bad_frame_gets_an_error_naming_the_field_and_the_connection_stays() {
    let app = live_app().await;
    let opened = app.open("live-c4", "直播权限").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let code = opened["lookup_code"].as_str().unwrap().to_owned();
    let mut ws = connect(&app).await;
    send(&mut ws, json!({"type": "subscribe", "ticket": number})).await;
    let early = next(&mut ws).await;
    assert_eq!(
        early["code"], "unauthenticated",
        "auth comes first: {early}"
    );
    auth(
        &mut ws,
        json!({"type": "auth", "lookup_code": code}),
        "customer",
    )
    .await;
    for (frame, field) in [
        (json!({"type": "subscribe", "ticket": "12345"}), "ticket"),
        (
            json!({"type": "subscribe", "ticket": number, "last_seq": -3}),
            "last_seq",
        ),
        (json!({"type": "dance"}), "type"),
        (json!({"type": "typing", "ticket": number}), "ticket"),
    ] {
        send(&mut ws, frame.clone()).await;
        let error = next(&mut ws).await;
        assert_eq!(error["type"], "error", "{frame}: {error}");
        assert_eq!(error["field"], field, "{frame}: {error}");
    }
    ws.send(Message::text("{not json")).await.unwrap();
    assert_eq!(next(&mut ws).await["code"], "malformed_json");
    let answer = subscribe(&mut ws, &number, None).await;
    assert_eq!(answer.last().unwrap()["type"], "subscribed", "{answer:?}");
    // Another ticket with this ticket's lookup code: not theirs.
    let other = app.open("live-c5", "另一张").await;
    let other = other["ticket"]["number"].as_str().unwrap();
    let answer = subscribe(&mut ws, other, None).await;
    assert_eq!(answer.last().unwrap()["code"], "ticket_not_found");
}
