//! Outbound deliveries through the real server to a real local HTTP receiver (the
//! platform): a platform that fails a few times gets the reply once on a later attempt;
//! one that is always down dead-letters the delivery (an admin can queue it again); the
//! fault test — the platform is down during traffic, nothing is lost, everything arrives
//! once and in order per ticket; and coalesced customer notifications.

use super::channels::{
    Receiver, SECRET, dm, drain, now_s, spawn_channels, start_receiver, webhook,
};
use super::*;
use kefu_service::channels::{follower, notify};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::time::Duration;

/// A social ticket taken by agent1, with the follower's cursor set before it; its number
/// and the agent's token.
pub async fn taken_ticket(app: &TestApp, user: &str) -> (String, String) {
    follower::round(&app.state.core, jiff::Timestamp::now())
        .await
        .unwrap();
    let r: Value = webhook(
        app,
        &dm(&format!("m-{user}"), user, "求助"),
        now_s(),
        SECRET,
    )
    .await
    .json()
    .await
    .unwrap();
    let number = r["ticket_number"].as_str().unwrap().to_owned();
    let agent = app.login("agent1@kefu.local").await;
    let taken = app
        .post(&format!("/api/v1/tickets/{number}/take"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), StatusCode::OK);
    (number, agent)
}

/// Runs due jobs as if `hours` hours had passed, one hour at a time (past any backoff).
async fn run_later(app: &TestApp, hours: i64) {
    for h in 1..=hours {
        let later = jiff::Timestamp::now()
            .checked_add(jiff::SignedDuration::from_hours(h))
            .unwrap();
        kefu_service::jobs::run_due(&app.state.core, later)
            .await
            .unwrap();
    }
}

async fn deliveries(app: &TestApp, number: &str) -> Vec<Value> {
    let admin = app.login("admin@kefu.local").await;
    let r: Value = app
        .get_json(&format!("/api/v1/tickets/{number}/deliveries"), &admin)
        .await;
    r.as_array().unwrap().clone()
}

#[tokio::test]
async fn a_platform_that_fails_twice_gets_the_reply_once_on_the_third_attempt() {
    let (rx, url) = start_receiver().await;
    let app = spawn_channels(Some(url), |s| s.channels.notify = false).await;
    let (number, agent) = taken_ticket(&app, "u-retry").await;
    rx.fail_next.store(2, Ordering::SeqCst);
    reply(&app, &agent, &number, "请重新登录试试").await;
    drain(&app).await;
    assert_eq!(
        rx.refused.load(Ordering::SeqCst),
        1,
        "the first attempt failed"
    );
    let d = deliveries(&app, &number).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["status"], "pending");
    assert!(
        d[0]["last_error"].as_str().unwrap().contains("503"),
        "{d:?}"
    );
    run_later(&app, 3).await;
    let accepted = rx.accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert_eq!(accepted[0].1["text"], "请重新登录试试");
    assert_eq!(accepted[0].1["user_id"], "u-retry");
    assert_eq!(accepted[0].0, format!("kefu-delivery-{}", d[0]["id"]));
    let d = deliveries(&app, &number).await;
    assert_eq!(d[0]["status"], "delivered");
    assert_eq!(d[0]["attempts"], 3);
    assert_eq!(rx.refused.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_platform_that_is_always_down_dead_letters_the_delivery_until_an_admin_retries() {
    let (rx, url) = start_receiver().await;
    let app = spawn_channels(Some(url), |s| {
        s.channels.notify = false;
        s.channels.max_attempts = 3;
    })
    .await;
    let (number, agent) = taken_ticket(&app, "u-dead").await;
    rx.down.store(true, Ordering::SeqCst);
    reply(&app, &agent, &number, "您的账号已解封").await;
    drain(&app).await;
    run_later(&app, 6).await;
    assert_eq!(
        rx.refused.load(Ordering::SeqCst),
        3,
        "max_attempts, no more"
    );
    assert!(rx.accepted.lock().unwrap().is_empty());
    let d = deliveries(&app, &number).await;
    assert_eq!(
        (d[0]["status"].as_str(), d[0]["attempts"].as_u64()),
        (Some("failed"), Some(3))
    );

    let admin = app.login("admin@kefu.local").await;
    let dead: Value = app.get_json("/api/v1/jobs/dead", &admin).await;
    let dead: Vec<&Value> = dead
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["kind"] == "channel.deliver")
        .collect();
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert_eq!(dead[0]["payload"]["delivery"], d[0]["id"]);
    let events: Value = app
        .get_json(&format!("/api/v1/tickets/{number}/events"), &admin)
        .await;
    assert!(
        events
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["change"]["kind"] == "delivery_failed"),
        "{events}"
    );

    // The platform is back; the admin queues the dead delivery again: it goes out once.
    rx.down.store(false, Ordering::SeqCst);
    let r = app
        .post(&format!("/api/v1/jobs/{}/retry", dead[0]["id"]))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    run_later(&app, 1).await;
    run_later(&app, 1).await;
    assert_eq!(rx.accepted.lock().unwrap().len(), 1);
    assert_eq!(deliveries(&app, &number).await[0]["status"], "delivered");
}

/// Replies to a ticket as `agent`.
async fn reply(app: &TestApp, agent: &str, number: &str, body: &str) {
    reply_with(app, agent, number, json!({ "body": body })).await;
}

/// Posts an agent's reply (`{"body", "status"?}`), expecting it taken.
pub async fn reply_with(app: &TestApp, agent: &str, number: &str, reply: Value) {
    let r = app
        .post(&format!("/api/v1/tickets/{number}/replies"))
        .bearer_auth(agent)
        .json(&reply)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
}

/// The fault test: the platform is down for `KEFU_TEST_OUTAGE_SECS` (default 6) while
/// customers write and agents answer; once it is back everything arrives, each once, in
/// order per ticket.
#[tokio::test]
async fn deliveries_survive_an_outage_in_order_once_each() {
    let outage = std::env::var("KEFU_TEST_OUTAGE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let (rx, url) = start_receiver().await;
    let app = spawn_channels(Some(url), |s| {
        s.channels.max_attempts = 100;
        s.channels.notify = false;
    })
    .await;
    let core = app.state.core.clone();
    let (stop_tx, stop) = kefu_service::workers::Stop::new();
    let runner = kefu_service::jobs::RunnerConfig {
        concurrency: 8,
        idle_min: Duration::from_millis(20),
        idle_max: Duration::from_millis(200),
        retry_base: Duration::from_millis(200),
        retry_cap: Duration::from_secs(2),
        ..kefu_service::jobs::RunnerConfig::default()
    };
    let workers = [
        tokio::spawn(follower::run(core.clone(), stop.clone())),
        tokio::spawn(kefu_service::jobs::runner::run(
            core.clone(),
            Arc::new(kefu_service::jobs::kinds::registry()),
            runner,
            stop.clone(),
        )),
    ];
    rx.down.store(true, Ordering::SeqCst);
    let agent = app.login("agent1@kefu.local").await;
    let mut numbers = Vec::new();
    for t in 0..4 {
        let r: Value = webhook(
            &app,
            &dm(&format!("m-{t}"), &format!("u-{t}"), "求助"),
            now_s(),
            SECRET,
        )
        .await
        .json()
        .await
        .unwrap();
        let number = r["ticket_number"].as_str().unwrap().to_owned();
        let taken = app
            .post(&format!("/api/v1/tickets/{number}/take"))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap();
        assert_eq!(taken.status(), StatusCode::OK);
        numbers.push(number);
    }
    let replies = 5;
    for i in 0..replies {
        for number in &numbers {
            reply(&app, &agent, number, &format!("第 {i} 条回复")).await;
        }
    }
    tokio::time::sleep(Duration::from_secs(outage)).await;
    assert!(rx.refused.load(Ordering::SeqCst) > 0, "the outage was felt");
    assert!(rx.accepted.lock().unwrap().is_empty());
    rx.down.store(false, Ordering::SeqCst);

    let expected = numbers.len() * replies;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while rx.accepted.lock().unwrap().len() < expected && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A little longer: anything delivered twice would show up now.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let _ = stop_tx.send(true);
    for w in workers {
        let _ = w.await;
    }
    let accepted = rx.accepted.lock().unwrap().clone();
    assert_eq!(accepted.len(), expected, "every reply once");
    let mut keys: HashMap<&str, usize> = HashMap::new();
    for (key, _) in &accepted {
        *keys.entry(key.as_str()).or_default() += 1;
    }
    assert!(keys.values().all(|n| *n == 1), "nothing twice: {keys:?}");
    let mut per_ticket: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (_, d) in &accepted {
        per_ticket
            .entry(d["ticket_number"].as_str().unwrap())
            .or_default()
            .push(d["text"].as_str().unwrap().to_owned());
    }
    for number in &numbers {
        let want: Vec<String> = (0..replies).map(|i| format!("第 {i} 条回复")).collect();
        assert_eq!(per_ticket[number.as_str()], want, "in order on {number}");
    }
    let admin = app.login("admin@kefu.local").await;
    let deliveries: Value = app
        .get_json(
            &format!("/api/v1/tickets/{}/deliveries", numbers[0]),
            &admin,
        )
        .await;
    let deliveries = deliveries.as_array().unwrap();
    assert_eq!(deliveries.len(), replies);
    assert!(
        deliveries.iter().all(|d| d["status"] == "delivered"),
        "{deliveries:?}"
    );
    assert!(
        deliveries
            .iter()
            .any(|d| d["attempts"].as_u64().unwrap() > 1)
    );
}

#[tokio::test]
async fn notifications_are_coalesced_to_one_per_interval_and_logged_with_their_result() {
    let (rx, url) = start_receiver().await;
    let app = spawn_channels(Some(url), |s| {
        s.channels.notify_interval = Duration::from_secs(3600);
    })
    .await;
    let core = app.state.core.clone();
    let (number, agent) = taken_ticket(&app, "u-1").await;
    drain(&app).await;
    let notes = notifications;
    assert_eq!(notes(&rx).len(), 1, "the assignment went out at once");
    assert!(notes(&rx)[0].contains("客服专员"));

    // Three more changes within the hour: held back, then one message for all.
    for status in ["pending_customer", "assigned", "pending_customer"] {
        let r = app
            .post(&format!("/api/v1/tickets/{number}/status"))
            .bearer_auth(&agent)
            .json(&json!({"status": status}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    drain(&app).await;
    assert_eq!(notes(&rx).len(), 1, "nothing more within the interval");
    let later = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(3601))
        .unwrap();
    kefu_service::jobs::run_due(&core, later).await.unwrap();
    drain(&app).await;
    let sent = notes(&rx);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(
        sent[1].lines().count(),
        1,
        "the same topic once: {}",
        sent[1]
    );

    all_notifications_logged_delivered(&app, &number, 2).await;
}

/// The ticket's event log (as an admin reads it) holds `count` `customer_notified` events,
/// each with the result `delivered`.
async fn all_notifications_logged_delivered(app: &TestApp, number: &str, count: usize) {
    let admin = app.login("admin@kefu.local").await;
    let events: Value = app
        .get_json(&format!("/api/v1/tickets/{number}/events"), &admin)
        .await;
    let notified: Vec<&Value> = events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["change"]["kind"] == "customer_notified")
        .collect();
    assert_eq!(notified.len(), count, "{events}");
    assert!(
        notified
            .iter()
            .all(|e| e["change"]["result"] == "delivered"),
        "{notified:?}"
    );
}

/// The texts of the notifications the platform accepted, in order.
fn notifications(rx: &Receiver) -> Vec<String> {
    rx.accepted
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, d)| d["kind"] == "notification")
        .map(|(_, d)| d["text"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_escalation_names_the_expected_time_and_still_on_it_goes_out_before_it() {
    let (rx, url) = start_receiver().await;
    let app = spawn_channels(Some(url), |s| {
        s.channels.notify_interval = Duration::ZERO;
        s.channels.still_on_it_before = Duration::from_secs(3600);
    })
    .await;
    let core = app.state.core.clone();
    let (number, agent) = taken_ticket(&app, "u-esc").await;
    drain(&app).await;
    let escalated_at = jiff::Timestamp::now();
    let r = app
        .post(&format!("/api/v1/tickets/{number}/escalate"))
        .bearer_auth(&agent)
        .json(&json!({"team_code": "account_security", "reason": "需要核实身份"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    drain(&app).await;
    let sent = notifications(&rx);
    assert_eq!(sent.len(), 2, "assignment, then escalation: {sent:?}");
    let escalated = &sent[1];
    let by = escalated
        .split("预计在 ")
        .nth(1)
        .and_then(|rest| rest.split(" 前解决").next())
        .unwrap_or_else(|| panic!("no expected time in {escalated:?}"));

    // Nothing more until "still on it" is due: an hour before the promise (or halfway to
    // it, when that is later).
    let ticket = core
        .store
        .ticket_by_number(&kefu_service::lookup::parse_number(&number).unwrap())
        .await
        .unwrap()
        .unwrap();
    let promised = kefu_service::sla::expected_resolution(&core.catalogue(), &ticket).unwrap();
    let due = notify::still_on_it_at(promised, escalated_at, Duration::from_secs(3600)).unwrap();
    let before_due = due.checked_sub(jiff::SignedDuration::from_mins(1)).unwrap();
    kefu_service::jobs::run_due(&core, before_due)
        .await
        .unwrap();
    drain(&app).await;
    assert_eq!(notifications(&rx).len(), 2, "not due yet");
    let after_due = due.checked_add(jiff::SignedDuration::from_mins(1)).unwrap();
    assert!(after_due < promised);
    kefu_service::jobs::run_due(&core, after_due).await.unwrap();
    drain(&app).await;
    let sent = notifications(&rx);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(
        sent[2].contains("仍在处理中") && sent[2].contains(by),
        "still on it, with the same promised time {by}: {}",
        sent[2]
    );

    // Each is in the ticket's event log with its delivery result.
    all_notifications_logged_delivered(&app, &number, 3).await;
}
