//! The JSON log option end to end: `kefu serve` with `KEFU_LOG_FORMAT=json` writes one JSON
//! object per line, and a line logged while serving a ticket's route carries the request id
//! and the ticket number from its spans.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly"
)]

mod common;

use serde_json::{Value, json};
use tokio::io::{BufReader, Lines};
use tokio::process::ChildStdout;

/// The next JSON log line whose message contains `text` (other output, such as the first
/// start's printed accounts, is skipped).
async fn next_log(lines: &mut Lines<BufReader<ChildStdout>>, text: &str) -> Value {
    loop {
        let line = lines.next_line().await.unwrap().expect("kefu exited");
        if !line.starts_with('{') {
            continue;
        }
        let v: Value = serde_json::from_str(&line).expect("a log line is one JSON object");
        if v["fields"]["message"].as_str().unwrap_or("").contains(text) {
            return v;
        }
    }
}

#[tokio::test]
async fn json_logs_carry_the_request_id_and_ticket_number() {
    let data = std::env::temp_dir().join(format!("kefu-logs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let (mut child, mut lines) = common::serve(
        &data,
        &[("KEFU_LOG_FORMAT", "json"), ("KEFU_BOT_MODEL", "none")],
    );
    let mut key = None;
    while key.is_none() {
        let line = lines.next_line().await.unwrap().expect("kefu exited");
        key = line
            .split("demo in-app channel API key: ")
            .nth(1)
            .map(|k| k.trim().to_owned());
    }
    let serving = next_log(&mut lines, "kefu is serving").await;
    let base = format!("http://{}", serving["fields"]["listen"].as_str().unwrap());
    let http = reqwest::Client::new();
    let opened: Value = http
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(key.unwrap())
        .json(&json!({"customer": {"external_id": "logs-1"}, "body": "我的手机号13812345678"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let number = opened["ticket"]["number"].as_str().unwrap();
    let r = http
        .get(format!("{base}/api/v1/customer/tickets/{number}"))
        .header("x-lookup-code", "wrong-code")
        .send()
        .await
        .unwrap();
    let request_id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let refused = next_log(&mut lines, "customer lookup refused").await;
    let spans = refused["spans"].to_string();
    assert!(spans.contains(&request_id), "{refused}");
    assert!(
        spans.contains(&format!("\"ticket.number\":\"{number}\"")),
        "{refused}"
    );
    child.kill().await.unwrap();
    let _ = std::fs::remove_dir_all(&data);
}
