//! Load check of the live channel (a documented command, not a test): one node in this
//! process (SQLite in a temporary directory, its event tailer running), N WebSocket
//! clients each following its own ticket as its customer, and M agent replies written to
//! every ticket. Reports delivery latency (reply write started → frame read by the client)
//! p50/p99/max, whether every client got every reply once and in order, and the memory the
//! connections take.
//!
//! ```sh
//! ulimit -n 10000   # two sockets per client in one process
//! cargo run --release -p kefu-server --example live_load -- --clients 2000 --messages 5
//! ```
//!
//! Memory is the process's resident set growth after connecting, divided per 1,000
//! connections: server and client sides together (both live in this process), so it is
//! an upper bound for the server's share.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a load tool: failing loudly is the report"
)]
#![allow(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss,
    reason = "percentile ranks and MiB figures for printing"
)]

use futures_util::{SinkExt, StreamExt};
use kefu_server::AppState;
use kefu_service::{Caller, Core, Settings};
use kefu_store::testing::TestDatabase;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

struct Args {
    clients: usize,
    messages: usize,
}

fn args() -> Args {
    let mut a = Args {
        clients: 500,
        messages: 5,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--clients" => a.clients = value(),
            "--messages" => a.messages = value(),
            _ => {
                eprintln!("usage: live_load [--clients N (500)] [--messages M (5)]");
                std::process::exit(2);
            }
        }
    }
    a
}

/// This process's resident memory in KiB (Linux).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// What one client saw: latencies of the replies it got, and whether they came in order.
struct Seen {
    latencies: Vec<Duration>,
    in_order: bool,
}

#[tokio::main]
async fn main() {
    let args = args();
    let db = TestDatabase::sqlite().await.unwrap();
    kefu_service::seed::seed_defaults(db.store.as_ref(), jiff::Timestamp::now())
        .await
        .unwrap();
    let core = Arc::new(
        Core::new(db.store.clone(), Settings::default())
            .await
            .unwrap(),
    );
    // Every client comes from 127.0.0.1: the per-address lookup limit would refuse most
    // subscribes, so it is off here.
    let off = kefu_server::rate_limit::Rate {
        per_second: 0,
        burst: 0,
    };
    let state = AppState::new(core.clone())
        .with_limits(
            kefu_service::login_guard::LoginLimits::default(),
            kefu_server::rate_limit::RateLimits {
                lookup_per_address: off,
                ..Default::default()
            },
        )
        .with_live(kefu_server::live::LiveLimits {
            max_connections: args.clients + 10,
            ..Default::default()
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(kefu_server::serve_with(
        listener,
        state.clone(),
        kefu_server::Limits {
            max_connections: args.clients * 2 + 100,
            ..Default::default()
        },
        std::future::pending(),
    ));
    tokio::spawn(kefu_service::workers::tailer::run(
        core.clone(),
        kefu_service::workers::Stop::never(),
    ));
    let (_, key) =
        kefu_service::admin::create_api_key(&state, &Caller::System, "load", Some("api"), None)
            .await
            .unwrap();

    println!("opening {} tickets …", args.clients);
    let http = reqwest::Client::new();
    let mut tickets = Vec::with_capacity(args.clients);
    for i in 0..args.clients {
        let r: Value = http
            .post(format!("http://{addr}/api/v1/tickets"))
            .bearer_auth(&key)
            .json(&json!({"customer": {"external_id": format!("load-{i}")}, "body": "压测", "category": "general"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let number = r["ticket"]["number"].as_str().unwrap().to_owned();
        let code = r["lookup_code"].as_str().unwrap().to_owned();
        tickets.push((number, code));
    }

    let before = rss_kib();
    println!("connecting {} clients …", args.clients);
    let start = Instant::now();
    let mut clients = Vec::with_capacity(args.clients);
    for (number, code) in &tickets {
        // Small client buffers too, so the memory figure is mostly the server's.
        let config = WebSocketConfig::default()
            .read_buffer_size(4 * 1024)
            .write_buffer_size(0);
        let (mut ws, _) = tokio_tungstenite::connect_async_with_config(
            format!("ws://{addr}/api/v1/live"),
            Some(config),
            false,
        )
        .await
        .unwrap();
        ws.send(Message::text(
            json!({"type": "auth", "lookup_code": code}).to_string(),
        ))
        .await
        .unwrap();
        ws.send(Message::text(
            json!({"type": "subscribe", "ticket": number}).to_string(),
        ))
        .await
        .unwrap();
        loop {
            let Some(Ok(Message::Text(t))) = ws.next().await else {
                panic!("connection refused");
            };
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == "subscribed" {
                break;
            }
            assert_ne!(v["type"], "error", "{v}");
        }
        clients.push(ws);
    }
    println!("connected in {:.1} s", start.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = rss_kib();

    // Clients read until they have every reply; the body carries when it was written.
    let base = Instant::now();
    let expected = args.messages;
    let readers: Vec<_> = clients
        .into_iter()
        .map(|mut ws| {
            tokio::spawn(async move {
                let mut seen = Seen {
                    latencies: Vec::new(),
                    in_order: true,
                };
                let mut last = (0_i64, -1_i64);
                while seen.latencies.len() < expected {
                    let Ok(Some(Ok(m))) =
                        tokio::time::timeout(Duration::from_secs(30), ws.next()).await
                    else {
                        break;
                    };
                    let Message::Text(t) = m else { continue };
                    let v: Value = serde_json::from_str(&t).unwrap();
                    if v["type"] == "ping" {
                        let _ = ws.send(Message::text(r#"{"type":"pong"}"#)).await;
                    }
                    if v["type"] != "event" || v["kind"] != "message_added" {
                        continue;
                    }
                    let seq = v["seq"].as_i64().unwrap_or(0);
                    let body = v["payload"]["message"]["body"].as_str().unwrap_or("");
                    let (round, micros) = body.split_once(':').unwrap_or(("0", "0"));
                    let round: i64 = round.parse().unwrap_or(0);
                    let micros: u64 = micros.parse().unwrap_or(0);
                    if seq <= last.0 || round <= last.1 {
                        seen.in_order = false;
                    }
                    last = (seq, round);
                    let now = u64::try_from(base.elapsed().as_micros()).unwrap_or(u64::MAX);
                    seen.latencies
                        .push(Duration::from_micros(now.saturating_sub(micros)));
                }
                seen
            })
        })
        .collect();

    println!("writing {expected} replies to each ticket …");
    let ids: Vec<_> = {
        let mut ids = Vec::new();
        for (number, _) in &tickets {
            let t = core
                .store
                .ticket_by_number(&number.parse().unwrap())
                .await
                .unwrap()
                .unwrap();
            ids.push(t.id);
        }
        ids
    };
    let write_start = Instant::now();
    for round in 0..expected {
        for id in &ids {
            let micros = base.elapsed().as_micros();
            core.store
                .add_message(kefu_store::NewMessage {
                    ticket_id: *id,
                    kind: kefu_domain::MessageKind::Agent,
                    actor: kefu_domain::Actor::System,
                    author_agent: None,
                    body: format!("{round}:{micros}"),
                    attachments: vec![],
                    then_status: None,
                    at: jiff::Timestamp::now(),
                })
                .await
                .unwrap();
            core.events_written();
        }
    }
    let written = write_start.elapsed();

    let mut latencies = Vec::new();
    let (mut complete, mut ordered) = (0, 0);
    for r in readers {
        let seen = r.await.unwrap();
        complete += usize::from(seen.latencies.len() == expected);
        ordered += usize::from(seen.in_order);
        latencies.extend(seen.latencies);
    }
    latencies.sort();
    let n = args.clients;
    println!(
        "clients: {n}, replies each: {expected}, written in {:.1} s",
        written.as_secs_f64()
    );
    println!("got every reply: {complete}/{n}; in order, once: {ordered}/{n}");
    println!(
        "delivery latency: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({} deliveries)",
        percentile(&latencies, 0.50).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1000.0,
        latencies.len()
    );
    let grown = after.saturating_sub(before);
    println!(
        "memory: resident set grew {:.1} MiB for {n} connections = {:.1} MiB per 1,000 (server and client sides)",
        grown as f64 / 1024.0,
        grown as f64 / 1024.0 * 1000.0 / n.max(1) as f64
    );
}
