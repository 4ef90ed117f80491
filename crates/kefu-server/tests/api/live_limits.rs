//! The live channel's limits through the real server: idle and slow clients, the cap,
//! shutdown, signing out, lookup limits on subscribe, and queue positions.

use super::live::{Ws, auth, connect, live_app, live_url, next, post, subscribe};
use super::*;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// The app with the given live limits and its event tailer running.
async fn live_app_with(live: kefu_server::live::LiveLimits) -> TestApp {
    let db = TestDatabase::sqlite().await.unwrap();
    let seed = seed_defaults(db.store.as_ref(), jiff::Timestamp::now())
        .await
        .unwrap()
        .unwrap();
    let core = Arc::new(
        Core::new(db.store.clone(), Settings::default())
            .await
            .unwrap(),
    );
    let state = AppState::new(core).with_live(live);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kefu_server::serve_with(
        listener,
        state.clone(),
        Limits::default(),
        async move {
            let _ = stop.await;
        },
    ));
    tokio::spawn(kefu_service::workers::tailer::run(
        state.core.clone(),
        kefu_service::workers::Stop::never(),
    ));
    let (_, api_key) =
        kefu_service::admin::create_api_key(&state, &Caller::System, "tests", Some("api"), None)
            .await
            .unwrap();
    TestApp {
        base,
        http: Client::new(),
        seed,
        state,
        api_key,
        shutdown: Some(shutdown),
        server,
        _db: db,
    }
}

/// The close frame's code, reading past every other frame (within 30 s).
pub async fn close_code(ws: &mut Ws) -> u16 {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        match tokio::time::timeout_at(deadline, ws.next())
            .await
            .expect("closed within 30 s")
        {
            Some(Ok(Message::Close(Some(c)))) => return c.code.into(),
            Some(Ok(Message::Close(None))) | None => panic!("closed without a code"),
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("{e}"),
        }
    }
}

#[tokio::test]
async fn a_silent_client_is_closed_as_idle_and_the_cap_refuses_more_connections() {
    let app = live_app_with(kefu_server::live::LiveLimits {
        max_connections: 1,
        heartbeat: Duration::from_millis(100),
        idle_timeout: Duration::from_millis(400),
        ..Default::default()
    })
    .await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let mut ws = connect(&app).await;
    auth(
        &mut ws,
        json!({"type": "auth", "token": supervisor}),
        "staff",
    )
    .await;
    match tokio_tungstenite::connect_async(live_url(&app)).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(r)) => assert_eq!(r.status(), 503),
        other => panic!("over the cap: {other:?}"),
    }
    let metrics = app.metrics().await;
    assert!(metrics.contains("kefu_live_connections"), "{metrics}");
    // Pings come, and nothing is answered: closed as idle.
    assert_eq!(close_code(&mut ws).await, 4408);
    drop(ws);
    // Its place is free again.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut ws = connect(&app).await;
    auth(
        &mut ws,
        json!({"type": "auth", "token": supervisor}),
        "staff",
    )
    .await;
}

#[tokio::test]
async fn a_client_that_cannot_keep_up_is_closed_not_buffered() {
    let app = live_app_with(kefu_server::live::LiveLimits {
        send_buffer: 4,
        ..Default::default()
    })
    .await;
    let opened = app.open("live-slow", "慢").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let supervisor = app.login("supervisor@kefu.local").await;
    let mut ws = connect(&app).await;
    auth(
        &mut ws,
        json!({"type": "auth", "token": supervisor}),
        "staff",
    )
    .await;
    assert_eq!(
        subscribe(&mut ws, &number, None).await.last().unwrap()["type"],
        "subscribed"
    );
    // Far more than the socket buffers hold, while the client reads nothing.
    let ticket = app
        .state
        .store
        .ticket_by_number(&number.parse().unwrap())
        .await
        .unwrap()
        .unwrap();
    let body = "慢".repeat(20_000);
    for _ in 0..300 {
        app.state
            .store
            .add_message(kefu_store::NewMessage {
                ticket_id: ticket.id,
                kind: kefu_domain::MessageKind::InternalNote,
                actor: kefu_domain::Actor::System,
                author_agent: None,
                body: body.clone(),
                attachments: vec![],
                then_status: None,
                at: jiff::Timestamp::now(),
            })
            .await
            .unwrap();
        app.state.events_written();
    }
    assert_eq!(close_code(&mut ws).await, 4409);
}

#[tokio::test]
async fn a_stopping_server_closes_live_connections_as_going_away() {
    let mut app = live_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let mut ws = connect(&app).await;
    auth(
        &mut ws,
        json!({"type": "auth", "token": supervisor}),
        "staff",
    )
    .await;
    drop(app.shutdown.take());
    assert_eq!(close_code(&mut ws).await, 1001);
}

#[tokio::test]
async fn guessing_lookup_codes_over_the_live_channel_meets_the_lookup_limits() {
    let app = live_app().await;
    let opened = app.open("live-guess", "猜码").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let mut ws = connect(&app).await;
    auth(
        &mut ws,
        json!({"type": "auth", "lookup_code": "AAAA-AAAA"}),
        "customer",
    )
    .await;
    let mut codes = Vec::new();
    for _ in 0..40 {
        let answer = subscribe(&mut ws, &number, None).await;
        codes.push(answer.last().unwrap()["code"].as_str().unwrap().to_owned());
    }
    assert_eq!(codes[0], "ticket_not_found");
    assert!(codes.iter().any(|c| c == "rate_limited"), "{codes:?}");
}

/// The next `queue` frame, within 5 s.
async fn next_queue(ws: &mut Ws) -> Value {
    loop {
        let m = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a queue frame within 5 s")
            .unwrap()
            .unwrap();
        if let Message::Text(t) = m {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == "queue" {
                return v;
            }
        }
    }
}

#[tokio::test]
async fn a_customer_in_the_queue_is_told_their_position_as_it_moves() {
    let app = live_app_with(kefu_server::live::LiveLimits {
        queue_refresh: Duration::from_millis(200),
        ..Default::default()
    })
    .await;
    let first = app.open("live-q1", "排队一").await;
    let first = first["ticket"]["number"].as_str().unwrap().to_owned();
    let second = app.open("live-q2", "排队二").await;
    let number = second["ticket"]["number"].as_str().unwrap().to_owned();
    let code = second["lookup_code"].as_str().unwrap().to_owned();
    let mut ws = connect(&app).await;
    auth(
        &mut ws,
        json!({"type": "auth", "lookup_code": code}),
        "customer",
    )
    .await;
    subscribe(&mut ws, &number, None).await;
    let queue = next_queue(&mut ws).await;
    assert_eq!(queue["ticket"], number.as_str());
    assert_eq!(queue["position"], 1, "one ticket ahead: {queue}");
    // The one ahead is taken: the customer moves up without asking.
    let agent = app.login("agent1@kefu.local").await;
    post(
        &app,
        &agent,
        &format!("/api/v1/tickets/{first}/take"),
        json!({}),
    )
    .await;
    let moved = next_queue(&mut ws).await;
    assert_eq!(moved["position"], 0, "{moved}");
}

#[tokio::test]
async fn signing_out_ends_the_live_connection() {
    let app = live_app_with(kefu_server::live::LiveLimits {
        heartbeat: Duration::from_millis(200),
        ..Default::default()
    })
    .await;
    let token = app.login("agent1@kefu.local").await;
    let mut ws = connect(&app).await;
    auth(&mut ws, json!({"type": "auth", "token": token}), "staff").await;
    let r = app
        .post("/api/v1/auth/logout")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    let error = next(&mut ws).await;
    assert_eq!(error["code"], "unauthenticated", "{error}");
    assert_eq!(close_code(&mut ws).await, 4401);
}

#[tokio::test]
async fn a_frame_over_the_size_limit_closes_with_1009() {
    let app = live_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let mut ws = connect(&app).await;
    auth(
        &mut ws,
        json!({"type": "auth", "token": supervisor}),
        "staff",
    )
    .await;
    let big = json!({"type": "typing", "ticket": "x".repeat(20 * 1024)});
    let _ = ws.send(Message::text(big.to_string())).await;
    assert_eq!(close_code(&mut ws).await, 1009);
}
