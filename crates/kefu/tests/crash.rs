//! Durability: every ticket the API acknowledged is there after the server is killed with
//! SIGKILL mid-load and started again on the same database.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use serde_json::{Value, json};
use tokio::process::Child;

struct Running {
    child: Child,
    base: String,
    channel_key: Option<String>,
}

/// Starts `kefu serve` on a free port and waits for its "serving" line.
async fn start(data: &std::path::Path) -> Running {
    let (child, mut lines) = common::serve(
        data,
        &[
            // The check below reads every acknowledged ticket back from one address, quickly.
            ("KEFU_LOOKUPS_PER_SECOND_PER_ADDRESS", "0"),
            ("KEFU_LOOKUPS_PER_SECOND_PER_TICKET", "0"),
            // Durability, not the bot, is tested: the semantic model's dot products,
            // unoptimized in a test build, would halve the load acknowledged before the kill.
            ("KEFU_BOT_MODEL", "none"),
        ],
    );
    let mut channel_key = None;
    let base = loop {
        let line = lines
            .next_line()
            .await
            .unwrap()
            .expect("kefu exited before serving");
        if let Some(k) = line.split("demo in-app channel API key: ").nth(1) {
            channel_key = Some(k.trim().to_owned());
        }
        if line.contains("kefu is serving") {
            let addr = line
                .split("listen=")
                .nth(1)
                .unwrap()
                .split_whitespace()
                .next()
                .unwrap();
            break format!("http://{addr}");
        }
    };
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Running {
        child,
        base,
        channel_key,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_tickets_survive_sigkill() {
    let data = std::env::temp_dir().join(format!("kefu-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let first = start(&data).await;
    let key = first
        .channel_key
        .clone()
        .expect("first start prints the demo channel key");
    let http = reqwest::Client::new();

    // 32 clients write as fast as they can; the server is killed while they are busy.
    let mut clients = vec![];
    for c in 0..32 {
        let (http, base, key) = (http.clone(), first.base.clone(), key.clone());
        clients.push(tokio::spawn(async move {
            let mut acked = vec![];
            for i in 0.. {
                let body = json!({"customer": {"external_id": format!("crash-{c}")}, "body": format!("第 {i} 个问题")});
                let sent = http.post(format!("{base}/api/v1/tickets")).bearer_auth(&key).json(&body).send().await;
                let Ok(r) = sent else { break };
                if r.status() != 201 {
                    break;
                }
                let Ok(v) = r.json::<Value>().await else { break };
                acked.push((v["ticket"]["number"].as_str().unwrap().to_owned(), v["lookup_code"].as_str().unwrap().to_owned()));
            }
            acked
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let mut first = first;
    first.child.kill().await.unwrap(); // SIGKILL: no shutdown, no flush.
    let mut acked = vec![];
    for c in clients {
        acked.extend(c.await.unwrap());
    }
    assert!(
        acked.len() > 50,
        "the load should have been acknowledged many times, got {}",
        acked.len()
    );

    let second = start(&data).await;
    assert!(
        second.channel_key.is_none(),
        "a restart must not seed again"
    );
    for (number, code) in &acked {
        let r = http
            .get(format!("{}/api/v1/customer/tickets/{number}", second.base))
            .header("x-lookup-code", code)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged ticket {number} is lost");
    }
    drop(second);
    let _ = std::fs::remove_dir_all(&data);
}
