//! Reports against hand-computed values: a small fixed data set written through the store
//! with fixed times (a bot-resolved ticket, a ticket spanning local midnight, a reopened
//! one, an escalation that came back, SLA warnings and a breach, a paused-clock ticket
//! answered late without a breach), folded into the rollups, then read over HTTP in two
//! time zones, as JSON and CSV.

use crate::{TestApp, expect_problem, spawn_app};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::*;
use kefu_service::workers::Stop;
use kefu_store::*;
use reqwest::StatusCode;
use serde_json::Value;

/// 2026-03-10 00:00 in Asia/Shanghai (UTC+8).
fn base() -> Timestamp {
    "2026-03-09T16:00:00Z".parse().unwrap()
}

fn t(minutes: i64) -> Timestamp {
    base()
        .checked_add(SignedDuration::from_mins(minutes))
        .unwrap()
}

pub(crate) struct Data {
    pub(crate) agent: AgentId,
}

async fn open(store: &dyn Store, who: &str, status: TicketStatus, min: i64) -> TicketId {
    let new = NewTicket {
        customer: CustomerProfile {
            identity: CustomerRef {
                channel: Channel::InApp,
                external_id: who.into(),
            },
            display_name: None,
            email: None,
            phone: None,
            language: "zh-CN".into(),
        },
        channel: Channel::InApp,
        subject: "问题".into(),
        body: "你好".into(),
        attachments: vec![],
        category: CategoryCode::parse("account").unwrap(),
        priority: Priority::Normal,
        status,
        context: serde_json::json!({}),
        first_response_due: None,
        actor: Actor::Customer,
        idempotency: None,
        bot: None,
        jobs: Vec::new(),
        sla: None,
        at: t(min),
    };
    store.open_ticket(new).await.unwrap().ticket.id
}

async fn say(store: &dyn Store, id: TicketId, agent: Option<AgentId>, min: i64) {
    let kind = if agent.is_some() {
        MessageKind::Agent
    } else {
        MessageKind::Customer
    };
    store
        .add_message(NewMessage {
            ticket_id: id,
            kind,
            actor: agent.map_or(Actor::Customer, |id| Actor::Agent { id }),
            author_agent: agent,
            body: "…".into(),
            attachments: vec![],
            then_status: None,
            at: t(min),
        })
        .await
        .unwrap();
}

async fn status(store: &dyn Store, id: TicketId, to: TicketStatus, min: i64) {
    store
        .change_status(StatusChange {
            ticket_id: id,
            to,
            actor: Actor::System,
            reason: None,
            at: t(min),
        })
        .await
        .unwrap();
}

async fn assign(store: &dyn Store, id: TicketId, agent: AgentId, min: i64) {
    store
        .assign_ticket(Assignment {
            ticket_id: id,
            agent_id: agent,
            actor: Actor::System,
            reason: "skill".into(),
            at: t(min),
        })
        .await
        .unwrap();
}

async fn flag(store: &dyn Store, id: TicketId, kind: EventKind, min: i64) {
    assert!(store.flag_ticket(id, kind, t(min)).await.unwrap());
}

/// The fixed data set (minutes after 2026-03-10 00:00 Shanghai):
/// - T1 bot-resolved: opened 60, resolved 65 (never touched by a person);
/// - T2 spans local midnight: opened 1410 (23:30), assigned 1420, answered 1450 (00:10 next
///   day), resolved 1530;
/// - T3 reopened: opened 120, assigned 120, answered 140, customer 180, answered 210,
///   resolved 240, reopened 300, resolved 360;
/// - T4 escalation came back: opened 480, assigned 495, answered 510, escalated 540, sent
///   back 660, resolved 720;
/// - T5 SLA: opened 600, warning 660, breach 720 (first response), answered 780;
/// - T6 paused clock: opened 700 (waiting on the customer, its SLA clock paused), answered
///   at 700 + 25 h = 2200, no breach.
pub(crate) async fn fixed_data(app: &TestApp) -> Data {
    let store = app.state.store.as_ref();
    let agents = store.list_agents().await.unwrap();
    let agent = agents
        .iter()
        .find(|a| a.email == "agent1@kefu.local")
        .unwrap()
        .id;
    let specialists = store
        .list_teams()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.specialist)
        .unwrap();

    let t1 = open(store, "c1", TicketStatus::New, 60).await;
    status(store, t1, TicketStatus::Resolved, 65).await;

    let t2 = open(store, "c2", TicketStatus::Queued, 1410).await;
    assign(store, t2, agent, 1420).await;
    say(store, t2, Some(agent), 1450).await;
    status(store, t2, TicketStatus::Resolved, 1530).await;

    let t3 = open(store, "c3", TicketStatus::Queued, 120).await;
    assign(store, t3, agent, 120).await;
    say(store, t3, Some(agent), 140).await;
    say(store, t3, None, 180).await;
    say(store, t3, Some(agent), 210).await;
    status(store, t3, TicketStatus::Resolved, 240).await;
    status(store, t3, TicketStatus::Assigned, 300).await;
    status(store, t3, TicketStatus::Resolved, 360).await;

    let t4 = open(store, "c4", TicketStatus::Queued, 480).await;
    assign(store, t4, agent, 495).await;
    say(store, t4, Some(agent), 510).await;
    store
        .escalate_ticket(Escalation {
            ticket_id: t4,
            team_id: specialists.id,
            reason: "需要专家".into(),
            actor: Actor::Agent { id: agent },
            at: t(540),
        })
        .await
        .unwrap();
    store
        .send_back(SendBack {
            ticket_id: t4,
            findings: "已处理".into(),
            reason: "back".into(),
            author: agent,
            actor: Actor::Agent { id: agent },
            at: t(660),
        })
        .await
        .unwrap();
    status(store, t4, TicketStatus::Resolved, 720).await;

    let t5 = open(store, "c5", TicketStatus::Queued, 600).await;
    let due = t(720);
    let target = "first_response".to_owned();
    flag(
        store,
        t5,
        EventKind::SlaWarning {
            target: target.clone(),
            due_at: due,
        },
        660,
    )
    .await;
    flag(
        store,
        t5,
        EventKind::SlaBreached {
            target,
            due_at: due,
        },
        720,
    )
    .await;
    assign(store, t5, agent, 770).await;
    say(store, t5, Some(agent), 780).await;

    let t6 = open(store, "c6", TicketStatus::Queued, 700).await;
    assign(store, t6, agent, 701).await;
    status(store, t6, TicketStatus::PendingCustomer, 702).await;
    say(store, t6, Some(agent), 2200).await;

    kefu_service::workers::rollups::catch_up(&app.state, Timestamp::MAX, &Stop::never())
        .await
        .unwrap();
    Data { agent }
}

pub(crate) async fn report(app: &TestApp, token: &str, path: &str) -> Value {
    let r = app.get(path).bearer_auth(token).send().await.unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "{path}: {}",
        r.text().await.unwrap()
    );
    r.json().await.unwrap()
}

pub(crate) fn table<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap_or_else(|| panic!("no table {name} in {report}"))
}

/// The value in `column` of the row whose first cell is `key` (or the only row).
pub(crate) fn cell<'a>(table: &'a Value, key: Option<&str>, column: &str) -> &'a Value {
    let col = table["columns"]
        .as_array()
        .unwrap()
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column {column}"));
    let rows = table["rows"].as_array().unwrap();
    let row = match key {
        None => &rows[0],
        Some(k) => rows
            .iter()
            .find(|r| r[0] == k || r[0].as_i64().is_some_and(|v| v.to_string() == k))
            .unwrap_or_else(|| panic!("no row {k} in {table}")),
    };
    &row[col]
}

pub(crate) fn near(v: &Value, expected: f64) {
    let got = v.as_f64().unwrap_or_else(|| panic!("{v} is not a number"));
    assert!(
        (got - expected).abs() <= expected.abs() * 0.02 + 1e-9,
        "{got} is not within 2 % of {expected}"
    );
}

#[tokio::test]
async fn reports_equal_hand_computed_values_in_the_viewers_time_zone() {
    let app = spawn_app().await;
    let data = fixed_data(&app).await;
    let token = app.login("supervisor@kefu.local").await;
    let day = "from=2026-03-10&to=2026-03-10&tz=Asia/Shanghai";
    let two_days = "from=2026-03-10&to=2026-03-11&tz=Asia/Shanghai";

    // Volume: six tickets opened on 03-10 in Shanghai; by hour of day.
    let v = report(&app, &token, &format!("/api/v1/reports/volume?{day}")).await;
    assert_eq!(*cell(table(&v, "by_channel"), Some("in_app"), "opened"), 6);
    let hours = table(&v, "by_hour_of_day");
    for (h, n) in [(1, 1), (2, 1), (8, 1), (10, 1), (11, 1), (23, 1), (0, 0)] {
        assert_eq!(*cell(hours, Some(&h.to_string()), "opened"), n, "hour {h}");
    }
    assert_eq!(
        *cell(table(&v, "by_day_of_week"), Some("tuesday"), "opened"),
        6
    );
    // The same instants in UTC: 03-09 holds only what opened before 08:00 Shanghai.
    let utc = report(
        &app,
        &token,
        "/api/v1/reports/volume?from=2026-03-09&to=2026-03-09&tz=UTC",
    )
    .await;
    assert_eq!(
        *cell(table(&utc, "by_channel"), Some("in_app"), "opened"),
        2
    );
    assert_eq!(
        *cell(table(&utc, "by_hour_of_day"), Some("17"), "opened"),
        1
    );

    // Bot: resolutions on 03-10 are T1, T3 twice, T4 (T2 resolved after midnight).
    let b = report(&app, &token, &format!("/api/v1/reports/bot?{day}")).await;
    let s = table(&b, "summary");
    assert_eq!(*cell(s, None, "resolved"), 4);
    assert_eq!(*cell(s, None, "bot_resolved"), 1);
    near(cell(s, None, "containment_rate"), 0.25);
    let b2 = report(&app, &token, &format!("/api/v1/reports/bot?{two_days}")).await;
    near(cell(table(&b2, "summary"), None, "containment_rate"), 0.2);

    // Speed over both days: first responses (from opening) 40, 20, 30, 180 and 1500 minutes.
    let sp = report(&app, &token, &format!("/api/v1/reports/speed?{two_days}")).await;
    let tm = table(&sp, "timings");
    assert_eq!(*cell(tm, Some("first_response"), "count"), 5);
    near(
        cell(tm, Some("first_response"), "mean_s"),
        (40.0 + 20.0 + 30.0 + 180.0 + 1500.0) / 5.0 * 60.0,
    );
    near(cell(tm, Some("first_response"), "median_s"), 40.0 * 60.0);
    // Next response: T3's customer wrote at 180, answered at 210.
    assert_eq!(*cell(tm, Some("next_response"), "count"), 1);
    near(cell(tm, Some("next_response"), "mean_s"), 30.0 * 60.0);
    // Resolutions: T1 5, T2 120, T3 120 and 240, T4 240 minutes.
    assert_eq!(*cell(tm, Some("resolution"), "count"), 5);
    near(
        cell(tm, Some("resolution"), "mean_s"),
        (5.0 + 120.0 + 120.0 + 240.0 + 240.0) / 5.0 * 60.0,
    );
    near(cell(tm, Some("resolution"), "median_s"), 120.0 * 60.0);
    // Queue wait: T2 10, T3 0, T4 15, T5 170, T6 1 minutes.
    assert_eq!(*cell(tm, Some("queue_wait"), "count"), 5);
    near(
        cell(tm, Some("queue_wait"), "mean_s"),
        (10.0 + 0.0 + 15.0 + 170.0 + 1.0) / 5.0 * 60.0,
    );
    // With specialists: T4 from 540 to 660.
    assert_eq!(*cell(tm, Some("with_specialists"), "count"), 1);
    near(cell(tm, Some("with_specialists"), "median_s"), 120.0 * 60.0);

    // The promise: T6 answered after 25 h (its clock was paused: no breach), the rest in time.
    let p = report(&app, &token, &format!("/api/v1/reports/promise?{two_days}")).await;
    let s = table(&p, "summary");
    assert_eq!(*cell(s, None, "first_responses"), 5);
    assert_eq!(*cell(s, None, "within_24h"), 4);
    near(cell(s, None, "share_within_24h"), 0.8);
    assert_eq!(*cell(s, None, "sla_warnings"), 1);
    assert_eq!(*cell(s, None, "sla_breaches"), 1);
    let att = table(&p, "attainment");
    let fr = att["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r[0] == "first_response")
        .unwrap();
    assert_eq!(fr[1], "normal");
    assert_eq!(fr[2], 5);
    assert_eq!(fr[4], 1);
    near(&fr[5], 0.8);

    // Per agent: everything the agent answered; agent filter reads the per-agent rollup.
    let a = report(
        &app,
        &token,
        &format!("/api/v1/reports/speed?{two_days}&agent={}", data.agent.0),
    )
    .await;
    assert_eq!(
        *cell(table(&a, "timings"), Some("first_response"), "count"),
        5
    );

    // CSV of any table, by query or Accept header.
    let r = app
        .get(&format!(
            "/api/v1/reports/volume?{day}&format=csv&table=by_channel"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(r.text().await.unwrap(), "channel,opened\nin_app,6\n");
    let r = app
        .get(&format!("/api/v1/reports/speed?{two_days}"))
        .bearer_auth(&token)
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(
        text.starts_with("metric,count,mean_s,median_s,p90_s\nfirst_response,5,"),
        "{text}"
    );
}

#[tokio::test]
async fn reports_are_for_supervisors_and_name_bad_fields() {
    let app = spawn_app().await;
    let agent = app.login("agent1@kefu.local").await;
    let r = app
        .get("/api/v1/reports/volume?from=2026-03-10&to=2026-03-10")
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let token = app.login("supervisor@kefu.local").await;
    let r = app
        .get("/api/v1/reports/volume?from=2026-03-10&to=2026-03-01&tz=Mars/Base")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["tz", "to"]);
    let r = app
        .get("/api/v1/reports/nothing?from=2026-03-10&to=2026-03-10")
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    expect_problem(r, StatusCode::NOT_FOUND, "not_found").await;
    for report in [
        "volume",
        "bot",
        "speed",
        "promise",
        "satisfaction",
        "staffing",
    ] {
        let r = app
            .get(&format!(
                "/api/v1/reports/{report}?from=2026-03-10&to=2026-03-10"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{report}");
    }
}

/// The forecast's row of `table` as (column → value).
fn forecast_cell<'a>(report: &'a Value, column: &str) -> &'a Value {
    cell(table(report, "forecast"), None, column)
}

async fn put_no_shifts(app: &TestApp, token: &str, id: AgentId) {
    let r = app
        .http
        .put(app.url(&format!("/api/v1/agents/{}/roster", id.0)))
        .bearer_auth(token)
        .json(&serde_json::json!({"shifts": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

#[tokio::test]
async fn staffing_forecasts_tomorrow_with_the_simulator_on_the_current_roster() {
    let app = spawn_app().await;
    let store = app.state.store.as_ref();
    // A busy day: 240 account tickets, ten an hour, on 2026-04-01 in Shanghai.
    let day_start = 22 * 24 * 60; // minutes from 2026-03-10 00:00 to 2026-04-01 00:00
    for i in 0..240 {
        open(
            store,
            &format!("f{i}"),
            TicketStatus::Queued,
            day_start + i * 6,
        )
        .await;
    }
    kefu_service::workers::rollups::catch_up(&app.state, Timestamp::MAX, &Stop::never())
        .await
        .unwrap();
    let token = app.login("supervisor@kefu.local").await;
    let path = "/api/v1/reports/staffing?from=2026-04-01&to=2026-04-01&tz=Asia/Shanghai";
    let zone = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let tomorrow = || {
        Timestamp::now()
            .to_zoned(zone.clone())
            .date()
            .tomorrow()
            .unwrap()
            .to_string()
    };
    let before = tomorrow();
    let s = report(&app, &token, path).await;
    let after = tomorrow();
    let date = forecast_cell(&s, "date").as_str().unwrap().to_owned();
    assert!(date == before || date == after, "{date}");
    // The demand is the range's: about 240 arrivals (Poisson), all in the one domain.
    let offered = forecast_cell(&s, "offered").as_i64().unwrap();
    assert!((150..=330).contains(&offered), "{offered}");
    let domains = table(&s, "forecast_by_domain")["rows"].as_array().unwrap();
    assert_eq!(domains.len(), 1, "{domains:?}");
    assert_eq!(domains[0][0], "account");
    assert_eq!(domains[0][1], offered);
    // No bot resolutions in the range: the simulated bot contains nothing; every offered
    // ticket is answered by the end of the run (nobody gives up on a ticket).
    assert_eq!(*forecast_cell(&s, "contained_by_bot"), 0);
    assert_eq!(
        forecast_cell(&s, "answered").as_i64().unwrap()
            + forecast_cell(&s, "unanswered_at_end").as_i64().unwrap(),
        offered
    );
    let agents = forecast_cell(&s, "agents").as_i64().unwrap();
    assert!(agents >= 2, "{agents}");

    // An agent whose roster has no shifts is not on duty tomorrow: one agent fewer.
    let staff: Vec<AgentId> = store
        .list_agents()
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.active)
        .map(|a| a.id)
        .collect();
    let agent1 = store
        .list_agents()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.email == "agent1@kefu.local")
        .unwrap()
        .id;
    put_no_shifts(&app, &token, agent1).await;
    let s = report(&app, &token, path).await;
    assert_eq!(*forecast_cell(&s, "agents"), agents - 1);

    // Nobody on duty: nothing to simulate, the forecast tables are empty.
    for id in staff {
        put_no_shifts(&app, &token, id).await;
    }
    let s = report(&app, &token, path).await;
    assert_eq!(table(&s, "forecast")["rows"], serde_json::json!([]));
    assert_eq!(
        table(&s, "forecast_by_domain")["rows"],
        serde_json::json!([])
    );
}
