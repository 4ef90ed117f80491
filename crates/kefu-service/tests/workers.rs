//! Every worker of a node starts under the supervisor, reports healthy, and stops on
//! shutdown; the node's event stream works through the spawned tailer.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use kefu_service::events::Received;
use std::time::Duration;

#[tokio::test]
async fn spawned_workers_report_healthy_serve_events_and_stop_on_shutdown() {
    let (_db, core) = common::sqlite_node().await;
    let workers = kefu_service::workers::spawn(core.clone());
    let names: Vec<&str> = core.workers_health().iter().map(|w| w.name).collect();
    assert_eq!(
        names,
        [
            "sla_timers",
            "shifts",
            "bot_refresher",
            "event_tailer",
            "attachment_sweeper",
            "channel_follower",
            "job_runner",
            "report_rollups"
        ]
    );
    assert!(core.workers_healthy());
    let mut sub = core.events().subscribe();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let t = common::open(&core, "w-1").await;
    let heard = tokio::time::timeout(Duration::from_secs(5), sub.recv())
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(heard, Received::Event(e) if e.ticket_id == t.id));
    tokio::time::timeout(Duration::from_secs(10), workers.shutdown())
        .await
        .expect("workers stop promptly");
    assert!(!core.workers_healthy(), "stopped workers are not alive");
}
