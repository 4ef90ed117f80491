//! Throughput of outbound deliveries and customer notifications through the jobs table (a
//! documented command, not a test): one node in this process, a webhook channel whose
//! platform is a local HTTP receiver that accepts everything, T social tickets.
//!
//! 1. deliveries: R replies per ticket written as delivery rows with their
//!    `channel.deliver` jobs, then the job runner posts them all to the receiver;
//! 2. notifications: one notification topic per ticket (`channel.notify` job, which
//!    renders and writes a `channel.deliver` job), until every one is posted.
//!
//! ```sh
//! cargo run --release -p kefu-server --example channel_throughput -- --tickets 200 --replies 10
//! KEFU_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!   cargo run --release -p kefu-server --example channel_throughput -- --postgres
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a load tool: failing loudly is the report"
)]
#![allow(clippy::cast_precision_loss, reason = "rates for printing")]

use kefu_service::channels::notify::{Topic, note};
use kefu_service::channels::outbound::{NewOutbound, enqueue};
use kefu_service::channels::{OutboundKind, Visibility, WebhookChannel, signature, webhook};
use kefu_service::jobs::RunnerConfig;
use kefu_service::{Core, Settings};
use kefu_store::testing::TestDatabase;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const SECRET: &[u8] = b"bench-shared-secret-0001";

struct Args {
    tickets: usize,
    replies: usize,
    postgres: bool,
}

fn args() -> Args {
    let mut a = Args {
        tickets: 200,
        replies: 10,
        postgres: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{flag} needs a number"))
        };
        match flag.as_str() {
            "--tickets" => a.tickets = value(),
            "--replies" => a.replies = value(),
            "--postgres" => a.postgres = true,
            _ => {
                eprintln!(
                    "usage: channel_throughput [--tickets T (200)] [--replies R (10)] [--postgres]"
                );
                std::process::exit(2);
            }
        }
    }
    a
}

/// The platform: accepts every delivery and counts it.
async fn start_receiver(count: Arc<AtomicUsize>) -> String {
    let router = axum::Router::new().route(
        "/replies",
        axum::routing::post(move || {
            let count = count.clone();
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                "{}"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/replies", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

async fn wait_for(count: &AtomicUsize, want: usize) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while count.load(Ordering::SeqCst) < want {
        assert!(
            Instant::now() < deadline,
            "not all delivered within 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::main]
async fn main() {
    let a = args();
    let db = if a.postgres {
        let url = std::env::var("KEFU_TEST_POSTGRES_URL").expect("KEFU_TEST_POSTGRES_URL");
        TestDatabase::postgres(&url).await.unwrap()
    } else {
        TestDatabase::sqlite().await.unwrap()
    };
    kefu_service::seed::seed_defaults(db.store.as_ref(), jiff::Timestamp::now())
        .await
        .unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let url = start_receiver(count.clone()).await;
    let mut settings = Settings::default();
    settings.channels.webhooks = vec![WebhookChannel {
        name: "weibo".into(),
        channel: kefu_domain::Channel::Social,
        secret: SECRET.to_vec(),
        outbound_url: Some(url),
    }];
    settings.channels.notify_interval = Duration::ZERO;
    let core = Arc::new(Core::new(db.store.clone(), settings).await.unwrap());
    kefu_server::channels::install(&core).unwrap();

    let mut tickets = Vec::new();
    for t in 0..a.tickets {
        let body = format!(
            r#"{{"type":"message","id":"m-{t}","user":{{"id":"u-{t}"}},"text":"求助 {t}"}}"#
        );
        let ts = jiff::Timestamp::now().as_second().to_string();
        let sig = signature::sign(SECRET, &ts, body.as_bytes());
        match webhook::receive(&core, "weibo", Some(&ts), Some(&sig), body.as_bytes())
            .await
            .unwrap()
        {
            webhook::WebhookOutcome::Received(r) => tickets.push(r.ticket),
            webhook::WebhookOutcome::Ignored(why) => panic!("ignored: {why}"),
        }
    }

    let (_stop_tx, stop) = kefu_service::workers::Stop::new();
    let config = RunnerConfig {
        concurrency: 16,
        idle_min: Duration::from_millis(5),
        idle_max: Duration::from_millis(50),
        ..RunnerConfig::default()
    };
    let registry = Arc::new(kefu_service::jobs::kinds::registry());
    let backend = if a.postgres { "PostgreSQL" } else { "SQLite" };

    let deliveries = a.tickets * a.replies;
    let started = Instant::now();
    for r in 0..a.replies {
        for t in &tickets {
            let out = NewOutbound {
                source: format!("bench:{}:{r}", t.id.0),
                kind: OutboundKind::Reply,
                visibility: Visibility::Private,
                body: format!("第 {r} 条回复"),
                topics: None,
            };
            enqueue(&core, t, out).await.unwrap();
        }
    }
    let written = started.elapsed();
    let run_started = Instant::now();
    tokio::spawn(kefu_service::jobs::runner::run(
        core.clone(),
        registry,
        config,
        stop,
    ));
    wait_for(&count, deliveries).await;
    let ran = run_started.elapsed();
    println!(
        "{backend}: {deliveries} deliveries ({} tickets × {}): written {:.0}/s, delivered {:.0}/s",
        a.tickets,
        a.replies,
        deliveries as f64 / written.as_secs_f64(),
        deliveries as f64 / ran.as_secs_f64(),
    );

    let before = count.load(Ordering::SeqCst);
    let started = Instant::now();
    for t in &tickets {
        note(&core, t, Topic::Assigned, 0).await.unwrap();
    }
    wait_for(&count, before + tickets.len()).await;
    let took = started.elapsed();
    println!(
        "{backend}: {} notifications (noted, rendered, delivered): {:.0}/s",
        tickets.len(),
        tickets.len() as f64 / took.as_secs_f64(),
    );
}
