//! Safe against a hostile client: connection limits and timeouts through the real server,
//! security headers, request ids, bounded metric labels.

use crate::{expect_problem, spawn_app, spawn_app_with};
use kefu_server::Limits;
use reqwest::StatusCode;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn limits(header_s: u64, idle_s: u64, request_s: u64, max_connections: usize) -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(header_s),
        idle_timeout: Duration::from_secs(idle_s),
        request_timeout: Duration::from_secs(request_s),
        max_connections,
        shutdown_grace: Duration::from_secs(5),
    }
}

fn addr(base: &str) -> String {
    base.trim_start_matches("http://").to_owned()
}

/// Opens a connection and sends a request head without its final blank line.
async fn half_sent(addr: &str) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: kefu\r\nX-Slow: ")
        .await
        .unwrap();
    s
}

/// Reads until the server closes the connection (or `limit` passes); returns when it
/// closed, and the bytes it sent.
async fn until_closed(s: &mut TcpStream, limit: Duration) -> (Option<Duration>, Vec<u8>) {
    let start = Instant::now();
    let mut got = vec![];
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((start + limit).into(), s.read(&mut buf)).await {
            Err(_) => return (None, got),
            Ok(Ok(0) | Err(_)) => return (Some(start.elapsed()), got),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_sent_requests_beyond_the_cap_do_not_stop_health_checks() {
    const CAP: usize = 50;
    let header = Duration::from_secs(1);
    let app = spawn_app_with(limits(1, 30, 30, CAP)).await;
    let addr = addr(&app.base);

    // Twice the cap of connections, each holding half a request.
    let sent_at = Instant::now();
    let mut attackers = vec![];
    for _ in 0..2 * CAP {
        attackers.push(half_sent(&addr).await);
    }

    // The attack is real: the slots are taken, so a complete request on a new connection
    // is not answered at once (it waits in the backlog).
    let mut probe = TcpStream::connect(&addr).await.unwrap();
    probe
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: kefu\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), probe.read(&mut byte)).await;
    assert!(
        early.is_err(),
        "with every slot taken the server should not answer a new connection at once"
    );

    // A normal client is still answered: the half-sent requests are dropped after the
    // header-read timeout, a cap's worth at a time (two rounds: it queued behind 50).
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let r = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let waited = sent_at.elapsed();
    assert!(
        waited < 2 * header + Duration::from_secs(2),
        "health check took {waited:?}"
    );

    // The first half-sent request was held, then closed after about the header timeout.
    let (closed, _) = until_closed(&mut attackers[0], Duration::from_secs(10)).await;
    let closed = closed.expect("a half-sent request must be closed");
    let since_sent = sent_at.elapsed();
    assert!(
        since_sent >= header.mul_f32(0.9),
        "closed after {since_sent:?}, before the header timeout"
    );
    assert!(
        closed < Duration::from_secs(5),
        "closed only after {closed:?}"
    );
}

#[tokio::test]
async fn a_silent_connection_is_closed_after_the_idle_timeout() {
    // Header timeout longer than the idle one: only the idle watchdog can close it.
    let app = spawn_app_with(limits(30, 1, 1, 100)).await;
    let mut s = half_sent(&addr(&app.base)).await;
    let start = Instant::now();
    let (closed, _) = until_closed(&mut s, Duration::from_secs(10)).await;
    assert!(closed.is_some(), "an idle connection must be closed");
    let after = start.elapsed();
    assert!(
        (Duration::from_millis(900)..Duration::from_secs(5)).contains(&after),
        "closed after {after:?}"
    );
}

#[tokio::test]
async fn a_kept_alive_connection_waiting_for_nothing_is_closed() {
    let app = spawn_app_with(limits(1, 30, 30, 100)).await;
    let mut s = TcpStream::connect(addr(&app.base)).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: kefu\r\n\r\n")
        .await
        .unwrap();
    let (closed, got) = until_closed(&mut s, Duration::from_secs(10)).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    let closed = closed.expect("the idle kept-alive connection must be closed");
    assert!(
        closed >= Duration::from_millis(900),
        "closed after {closed:?}"
    );
}

#[tokio::test]
async fn a_request_whose_body_never_arrives_times_out_as_a_problem() {
    let app = spawn_app_with(limits(30, 30, 1, 100)).await;
    let mut s = TcpStream::connect(addr(&app.base)).await.unwrap();
    let head = format!(
        "POST /api/v1/tickets HTTP/1.1\r\nHost: kefu\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"body\":",
        app.channel_key()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let start = Instant::now();
    let mut buf = vec![0u8; 8192];
    let n = tokio::time::timeout(Duration::from_secs(10), s.read(&mut buf))
        .await
        .expect("the server must answer a request that never completes")
        .unwrap();
    let text = String::from_utf8_lossy(&buf[..n]).to_string();
    assert!(start.elapsed() >= Duration::from_millis(900));
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(
        text.contains("application/problem+json") && text.contains("service_unavailable"),
        "{text}"
    );
    assert!(
        text.to_ascii_lowercase().contains("x-request-id:"),
        "{text}"
    );
}

#[tokio::test]
async fn shutdown_finishes_the_request_in_flight_and_refuses_new_connections() {
    let mut app = spawn_app_with(limits(30, 30, 30, 100)).await;
    let addr = addr(&app.base);
    let body = r#"{"customer":{"external_id":"drain-1"},"body":"还在吗","category":"account"}"#;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/tickets HTTP/1.1\r\nHost: kefu\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        app.channel_key(),
        body.len()
    );
    s.write_all(head.as_bytes()).await.unwrap();
    s.write_all(&body.as_bytes()[..10]).await.unwrap();
    // Let the server read the head, so the request is in flight.
    tokio::time::sleep(Duration::from_millis(200)).await;

    app.shutdown.take().unwrap().send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        TcpStream::connect(&addr).await.is_err(),
        "a draining server must not accept connections"
    );
    assert!(!app.server.is_finished(), "it must wait for the request");

    s.write_all(&body.as_bytes()[10..]).await.unwrap();
    let (closed, got) = until_closed(&mut s, Duration::from_secs(10)).await;
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 201"), "{text}");
    assert!(
        closed.is_some(),
        "the connection closes after its last answer"
    );
    tokio::time::timeout(Duration::from_secs(5), &mut app.server)
        .await
        .expect("serve returns once drained")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn every_answer_has_security_headers_and_the_api_is_not_cached() {
    let app = spawn_app().await;
    let token = app.login("admin@kefu.local").await;
    let api = app
        .get("/api/v1/categories")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let missing = app.get("/api/v1/nope").send().await.unwrap();
    let health = app.get("/healthz").send().await.unwrap();
    for r in [&api, &missing, &health] {
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{h:?}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{h:?}");
        assert_eq!(h["x-frame-options"], "DENY", "{h:?}");
        assert!(h.contains_key("x-request-id"), "{h:?}");
    }
    assert_eq!(api.status(), StatusCode::OK);
    assert_eq!(api.headers()["cache-control"], "no-store");
    assert_eq!(missing.headers()["cache-control"], "no-store");
    assert!(!health.headers().contains_key("cache-control"));
}

#[tokio::test]
async fn request_ids_are_made_kept_when_plain_and_shown_in_problems() {
    let app = spawn_app().await;
    let kept = app
        .get("/api/v1/nope")
        .header("x-request-id", "edge-42.a_b")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "edge-42.a_b");
    let body = expect_problem(kept, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(body["instance"], "edge-42.a_b");

    let odd = "x".repeat(65);
    let replaced = app
        .get("/api/v1/nope")
        .header("x-request-id", &odd)
        .send()
        .await
        .unwrap();
    let id = replaced.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_ne!(id, odd);
    let body = expect_problem(replaced, StatusCode::NOT_FOUND, "not_found").await;
    assert_eq!(body["instance"], id.as_str());
}

#[tokio::test]
async fn metric_labels_stay_bounded() {
    let app = spawn_app().await;
    let brew = reqwest::Method::from_bytes(b"BREW").unwrap();
    let r = app
        .http
        .request(brew, app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let raw = format!("/no-such-page-{}", uuid::Uuid::new_v4().simple());
    let r = app.get(&raw).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    let metrics = app.metrics().await;
    assert!(
        metrics
            .contains(r#"kefu_http_requests_total{method="other",route="/healthz",status="405"}"#),
        "{metrics}"
    );
    assert!(!metrics.contains("BREW"), "{metrics}");
    assert!(
        metrics
            .contains(r#"kefu_http_requests_total{method="GET",route="unmatched",status="404"}"#),
        "{metrics}"
    );
    assert!(!metrics.contains(&raw), "{metrics}");
    assert!(
        metrics.contains("# TYPE kefu_http_request_duration_seconds histogram"),
        "{metrics}"
    );
}
