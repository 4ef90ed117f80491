//! The live channel on two nodes over one PostgreSQL database: a reply written on one node
//! reaches a customer connected to the other, and a resume works on either node.

use super::live::{auth, message_bodies, next, post, subscribe};
use super::*;
use std::time::Duration;

/// Serves `core` on a new port with its event tailer, as `kefu serve` would; returns the
/// base URL and the state.
async fn serve_node(core: Arc<Core>) -> (String, AppState) {
    let state = AppState::new(core);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(kefu_server::serve(
        listener,
        state.clone(),
        std::future::pending(),
    ));
    tokio::spawn(kefu_service::workers::tailer::run(
        state.core.clone(),
        kefu_service::workers::Stop::never(),
    ));
    (base, state)
}

async fn connect_to(base: &str) -> super::live::Ws {
    let url = format!("{}/api/v1/live", base.replace("http://", "ws://"));
    tokio_tungstenite::connect_async(url).await.unwrap().0
}

#[tokio::test]
#[cfg_attr(not(kefu_test_postgres), ignore = "KEFU_TEST_POSTGRES_URL not set")]
async fn a_reply_on_one_node_reaches_a_customer_on_another_and_resume_works_on_either() {
    let url = kefu_store::testing::postgres_url().expect("KEFU_TEST_POSTGRES_URL");
    let db = TestDatabase::postgres(&url).await.unwrap();
    let seed = seed_defaults(db.store.as_ref(), jiff::Timestamp::now())
        .await
        .unwrap()
        .unwrap();
    let core_a = Arc::new(
        Core::new(db.store.clone(), Settings::default())
            .await
            .unwrap(),
    );
    let other = kefu_store::open(&db.url).await.unwrap();
    let core_b = Arc::new(Core::new(other, Settings::default()).await.unwrap());
    let (base_a, state_a) = serve_node(core_a).await;
    let (base_b, _state_b) = serve_node(core_b).await;
    let (_, api_key) =
        kefu_service::admin::create_api_key(&state_a, &Caller::System, "tests", Some("api"), None)
            .await
            .unwrap();
    let (shutdown, _) = tokio::sync::oneshot::channel();
    let node_a = TestApp {
        base: base_a.clone(),
        http: Client::new(),
        seed,
        state: state_a,
        api_key,
        shutdown: Some(shutdown),
        server: tokio::spawn(async { Ok(()) }),
        _db: db,
    };

    let opened = node_a.open("live-pg", "两个节点").await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let code = opened["lookup_code"].as_str().unwrap().to_owned();
    let agent = node_a.login("agent1@kefu.local").await;

    // The customer is on node B; the agent works on node A.
    let mut on_b = connect_to(&base_b).await;
    auth(
        &mut on_b,
        json!({"type": "auth", "lookup_code": code}),
        "customer",
    )
    .await;
    let mut last_seq = subscribe(&mut on_b, &number, None).await.last().unwrap()["seq"]
        .as_i64()
        .unwrap();
    post(
        &node_a,
        &agent,
        &format!("/api/v1/tickets/{number}/take"),
        json!({}),
    )
    .await;
    post(
        &node_a,
        &agent,
        &format!("/api/v1/tickets/{number}/replies"),
        json!({"body": "来自节点 A"}),
    )
    .await;
    let mut seen = Vec::new();
    while message_bodies(&seen).is_empty() {
        seen.push(next(&mut on_b).await);
    }
    assert_eq!(message_bodies(&seen), ["来自节点 A"]);
    for f in &seen {
        last_seq = last_seq.max(f["seq"].as_i64().unwrap());
    }
    drop(on_b);

    // Written on A while the customer was away; they come back on A this time.
    post(
        &node_a,
        &agent,
        &format!("/api/v1/tickets/{number}/replies"),
        json!({"body": "离开时的回复"}),
    )
    .await;
    let mut on_a = connect_to(&base_a).await;
    auth(
        &mut on_a,
        json!({"type": "auth", "lookup_code": code}),
        "customer",
    )
    .await;
    let resumed = subscribe(&mut on_a, &number, Some(last_seq)).await;
    assert_eq!(message_bodies(&resumed), ["离开时的回复"], "{resumed:?}");
    assert_eq!(resumed.last().unwrap()["type"], "subscribed");
    // A note written on node A reaches staff on node B, and not the customer on A.
    let mut on_b = connect_to(&base_b).await;
    let token = node_a.login("supervisor@kefu.local").await;
    auth(&mut on_b, json!({"type": "auth", "token": token}), "staff").await;
    subscribe(&mut on_b, &number, None).await;
    post(
        &node_a,
        &agent,
        &format!("/api/v1/tickets/{number}/notes"),
        json!({"body": "仅员工可见"}),
    )
    .await;
    let staff_frame = tokio::time::timeout(Duration::from_secs(10), next(&mut on_b))
        .await
        .unwrap();
    assert_eq!(staff_frame["payload"]["message"]["body"], "仅员工可见");
    let quiet = super::live::drain(&mut on_a, Duration::from_millis(1500)).await;
    assert!(
        message_bodies(&quiet).is_empty(),
        "the note stays with staff: {quiet:?}"
    );
}
