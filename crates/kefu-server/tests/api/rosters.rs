//! Rosters over HTTP: only agents on shift are routed work, shifts crossing midnight and
//! the shift-end handover, the coverage view, per-category certification, bad input.

use super::*;
use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp, Zoned};
use kefu_service::workers::shifts;

const SHANGHAI: &str = "Asia/Shanghai";

async fn put_roster(app: &TestApp, token: &str, id: i64, body: Value) -> Response {
    app.http
        .put(app.url(&format!("/api/v1/agents/{id}/roster")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn roster_ok(app: &TestApp, token: &str, id: i64, body: Value) -> Value {
    let r = put_roster(app, token, id, body).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn ticket(app: &TestApp, token: &str, number: &str) -> Value {
    app.get(&format!("/api/v1/tickets/{number}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn events(app: &TestApp, token: &str, number: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/tickets/{number}/events"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// An `account` ticket from the API channel (no bot): straight to the queue.
async fn open_account(app: &TestApp, external_id: &str) -> String {
    let opened = app.open(external_id, "账号登录不了").await;
    opened["ticket"]["number"].as_str().unwrap().to_owned()
}

/// The ticket as the test sees it: `(status, assignee id)`.
fn status(t: &Value) -> (String, Option<i64>) {
    let t = if t["ticket"].is_object() {
        &t["ticket"]
    } else {
        t
    };
    let assignee = t["assignee_id"]
        .as_i64()
        .or_else(|| t["assignee"]["id"].as_i64())
        .or_else(|| t["assignee"].as_i64());
    (t["status"].as_str().unwrap().to_owned(), assignee)
}

fn shanghai_now() -> Zoned {
    Timestamp::now().to_zoned(TimeZone::get(SHANGHAI).unwrap())
}

fn hhmm(z: &Zoned) -> String {
    z.strftime("%H:%M").to_string()
}

/// A daily shift from `from` to `to` hours away from now (Shanghai wall clock).
fn daily_around_now(from: i64, to: i64) -> Value {
    let now = shanghai_now();
    let at = |h: i64| hhmm(&now.checked_add(SignedDuration::from_hours(h)).unwrap());
    json!({"shifts": [{
        "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
        "start": at(from), "end": at(to),
    }]})
}

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|f| f["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn an_off_shift_agent_is_not_routed_work_and_an_on_shift_one_is() {
    let app = spawn_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let agent = app.login("agent1@kefu.local").await;
    let id = me(&app, &agent).await;

    // Without a roster the agent is always on shift.
    let before: Value = app
        .get(&format!("/api/v1/agents/{id}/roster"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(before["rostered"], false);
    assert_eq!(before["on_shift_now"], true);

    // A shift two hours from now: online but off shift.
    let view = roster_ok(&app, &supervisor, id, daily_around_now(2, 3)).await;
    assert_eq!(view["rostered"], true);
    assert_eq!(view["time_zone"], SHANGHAI);
    assert_eq!(view["on_shift_now"], false);
    presence(&app, &agent, "online").await;
    let number = open_account(&app, "sh-1").await;
    assert_eq!(
        status(&ticket(&app, &supervisor, &number).await),
        ("queued".into(), None)
    );

    // The roster changes to a shift around now: the agent pulls the waiting ticket.
    let view = roster_ok(&app, &supervisor, id, daily_around_now(-1, 1)).await;
    assert_eq!(view["on_shift_now"], true);
    assert_eq!(
        status(&ticket(&app, &supervisor, &number).await),
        ("assigned".into(), Some(id))
    );
    // And new tickets go to them directly.
    let next = open_account(&app, "sh-2").await;
    assert_eq!(
        status(&ticket(&app, &supervisor, &next).await),
        ("assigned".into(), Some(id))
    );
}

/// A weekday three days from today in Shanghai: a night shift starting on it (neither
/// today nor yesterday) cannot cover the real "now" of the test.
fn weekday_not_near_today(now: &Zoned) -> (Weekday, &'static str) {
    let wd = now.date().weekday().next().next().next();
    let name = match wd {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    };
    (wd, name)
}

fn at(date: Date, h: i8, m: i8) -> Timestamp {
    date.at(h, m, 0, 0)
        .to_zoned(TimeZone::get(SHANGHAI).unwrap())
        .unwrap()
        .timestamp()
}

#[tokio::test]
async fn a_night_shift_crosses_midnight_and_its_end_hands_chats_back() {
    let app = spawn_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let agent = app.login("agent2@kefu.local").await;
    let id = me(&app, &agent).await;
    let now = shanghai_now();
    let (weekday, day) = weekday_not_near_today(&now);
    let view = roster_ok(
        &app,
        &supervisor,
        id,
        json!({"time_zone": SHANGHAI, "shifts": [{"days": [day], "start": "22:00", "end": "06:00",
            "breaks": [{"start": "02:00", "minutes": 30}]}]}),
    )
    .await;
    assert_eq!(view["on_shift_now"], false);
    assert_eq!(view["shifts"][0]["days"], json!([day]));
    assert_eq!(view["shifts"][0]["start"], "22:00");
    assert_eq!(view["shifts"][0]["end"], "06:00");
    assert_eq!(view["shifts"][0]["breaks"][0]["start"], "02:00");
    let read: Value = app
        .get(&format!("/api/v1/agents/{id}/roster"))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(read["shifts"], view["shifts"]);

    // A live chat (in-app, handed to a person) given to the agent by a supervisor.
    presence(&app, &agent, "online").await;
    // With the account and the problem given, the request is handed over at once.
    let opened = app
        .open_in_app("night-1", "我要转人工，账号13800138000，直播带货佣金没结算")
        .await;
    let number = opened["ticket"]["number"].as_str().unwrap().to_owned();
    let r = app
        .post(&format!("/api/v1/tickets/{number}/assign"))
        .bearer_auth(&supervisor)
        .json(&json!({"agent_id": id}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(
        status(&ticket(&app, &supervisor, &number).await),
        ("assigned".into(), Some(id))
    );

    let start = now.date().nth_weekday(1, weekday).unwrap();
    let next = start.tomorrow().unwrap();
    let tick = |from, to| shifts::tick(&app.state, from, to);
    // The shift begins at 22:00 and is still on across midnight.
    let began = tick(at(start, 21, 59), at(start, 22, 0)).await.unwrap();
    assert_eq!(began.began, vec![kefu_domain::AgentId(id)]);
    let across = tick(at(start, 23, 59), at(next, 0, 1)).await.unwrap();
    assert!(across.ended.is_empty() && across.began.is_empty());
    let still = tick(at(next, 1, 0), at(next, 1, 1)).await.unwrap();
    assert!(still.ended.is_empty());
    assert_eq!(
        status(&ticket(&app, &supervisor, &number).await),
        ("assigned".into(), Some(id))
    );
    // 06:00 the next morning it ends: the chat goes back to the queue with a note.
    let ended = tick(at(next, 5, 59), at(next, 6, 0)).await.unwrap();
    assert_eq!(ended.ended, vec![(kefu_domain::AgentId(id), 1)]);
    assert_eq!(
        status(&ticket(&app, &supervisor, &number).await),
        ("queued".into(), None)
    );
    let log = events(&app, &supervisor, &number).await;
    assert!(
        log.iter()
            .any(|e| e.to_string().contains("班次结束，会话已退回队列")),
        "{log:?}"
    );
    // Ticking the same minute again (another node) changes nothing.
    let again = tick(at(next, 5, 59), at(next, 6, 0)).await.unwrap();
    assert_eq!(again.ended, vec![(kefu_domain::AgentId(id), 0)]);
}

#[tokio::test]
async fn coverage_counts_agents_on_duty_per_hour_and_compares_with_erlang_c() {
    let app = spawn_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let a1 = me(&app, &app.login("agent1@kefu.local").await).await;
    let a2 = me(&app, &app.login("agent2@kefu.local").await).await;
    let a3 = me(&app, &app.login("agent3@kefu.local").await).await;
    roster_ok(
        &app,
        &supervisor,
        a1,
        json!({"shifts": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "08:00", "end": "16:00"}]}),
    )
    .await;
    roster_ok(
        &app,
        &supervisor,
        a2,
        json!({"shifts": [{"days": ["mon"], "start": "22:00", "end": "06:00"}]}),
    )
    .await;
    roster_ok(&app, &supervisor, a3, json!({"shifts": []})).await;
    // The seeded specialists are off duty here: the counts below are the frontline's.
    let agents: Value = app
        .get("/api/v1/agents")
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for a in agents.as_array().unwrap() {
        if a["role"] == "specialist" {
            let id = a["id"].as_i64().unwrap();
            roster_ok(&app, &supervisor, id, json!({"shifts": []})).await;
        }
    }
    let coverage = async |q: &str| {
        let r = app
            .get(&format!("/api/v1/coverage?{q}"))
            .bearer_auth(&supervisor)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json::<Value>().await.unwrap()
    };
    // The admin and the supervisor have no roster: on duty every hour.
    // 2025-03-04 is a Tuesday: agent2's Monday night shift runs until 06:00.
    let tue = coverage("date=2025-03-04").await;
    assert_eq!(tue["time_zone"], SHANGHAI);
    let hours = tue["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    let on_duty = |h: &Value| h["on_duty"].as_u64().unwrap();
    let expected = [
        3, 3, 3, 3, 3, 3, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2,
    ];
    assert_eq!(hours.iter().map(on_duty).collect::<Vec<_>>(), expected);
    assert_eq!(hours[3]["by_skill"]["account"], 3);
    assert!(hours[3]["demand"].is_null());
    // Monday: the night shift starts at 22:00 (Sunday night is not rostered).
    let mon = coverage("date=2025-03-03").await;
    let hours = mon["hours"].as_array().unwrap();
    assert_eq!(on_duty(&hours[3]), 2);
    assert_eq!(on_duty(&hours[10]), 3);
    assert_eq!(on_duty(&hours[23]), 3);
    // 200 arrivals an hour of 3 minutes each need 14 agents for 80% in 20 s.
    let demand = coverage(
        "date=2025-03-04&category=account&arrivals_per_hour=200&aht_seconds=180&target_service_level=0.8&target_answer_seconds=20",
    )
    .await;
    let h8 = &demand["hours"][8]["demand"];
    assert_eq!(h8["required"], 14);
    assert_eq!(h8["on_duty"], 3);
    assert_eq!(h8["surplus"], -11);
    // Per-hour arrivals: demand only at 08:00.
    let mut per_hour = vec!["0"; 24];
    per_hour[8] = "200";
    let q = format!(
        "date=2025-03-04&arrivals_per_hour={}&aht_seconds=180",
        per_hour.join(",")
    );
    let per = coverage(&q).await;
    assert_eq!(per["hours"][8]["demand"]["required"], 14);
    assert_eq!(per["hours"][9]["demand"]["required"], 0);
    assert_eq!(per["hours"][9]["demand"]["surplus"], 3);
}

#[tokio::test]
async fn a_category_requiring_certification_goes_only_to_certified_agents() {
    let app = spawn_app().await;
    let admin = app.login("admin@kefu.local").await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let agent = app.login("agent1@kefu.local").await;
    let id = me(&app, &agent).await;
    let r = app
        .http
        .put(app.url("/api/v1/categories/account"))
        .bearer_auth(&admin)
        .json(
            &json!({"name_zh": "账号", "name_en": "Account", "specialist_team": "account_security",
            "requires_certification": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap()["requires_certification"],
        true
    );
    let skills = |certified: bool| {
        json!({"skills": [
            {"name": "category:account", "level": 3, "certified": certified},
            {"name": "lang:zh-CN", "level": 5, "certified": true},
        ]})
    };
    let patch = |token: String, body: Value| {
        app.http
            .patch(app.url(&format!("/api/v1/agents/{id}")))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    // Agents cannot certify themselves; supervisors set skills (and only skills).
    let r = patch(agent.clone(), skills(true)).await.unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = patch(supervisor.clone(), json!({"chat_capacity": 9}))
        .await
        .unwrap();
    expect_problem(r, StatusCode::FORBIDDEN, "forbidden").await;
    let r = patch(supervisor.clone(), skills(false)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    presence(&app, &agent, "online").await;
    let number = open_account(&app, "cert-1").await;
    assert_eq!(
        status(&ticket(&app, &supervisor, &number).await),
        ("queued".into(), None),
        "an uncertified agent must not get a ticket needing certification"
    );
    let r = patch(supervisor.clone(), skills(true)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let changed = presence(&app, &agent, "online").await;
    assert_eq!(changed["assigned"], json!([number]));
    assert_eq!(
        status(&ticket(&app, &supervisor, &number).await),
        ("assigned".into(), Some(id))
    );
}

#[tokio::test]
async fn roster_and_coverage_routes_name_each_bad_field() {
    let app = spawn_app().await;
    let supervisor = app.login("supervisor@kefu.local").await;
    let id = me(&app, &app.login("agent1@kefu.local").await).await;
    let cases = [
        (
            json!({"time_zone": "Mars/Olympus", "shifts": []}),
            "time_zone",
        ),
        (
            json!({"shifts": [{"days": [], "start": "09:00", "end": "17:00"}]}),
            "shifts[0].days",
        ),
        (
            json!({"shifts": [{"days": ["funday"], "start": "09:00", "end": "17:00"}]}),
            "shifts[0].days",
        ),
        (
            json!({"shifts": [{"days": ["mon"], "start": "25:00", "end": "17:00"}]}),
            "shifts[0].start",
        ),
        (
            json!({"shifts": [{"days": ["mon"], "start": "09:00", "end": "soon"}]}),
            "shifts[0].end",
        ),
        (
            json!({"shifts": [{"days": ["mon"], "start": "09:00", "end": "17:00",
                "breaks": [{"start": "16:30", "minutes": 60}]}]}),
            "shifts[0].breaks",
        ),
        (
            json!({"shifts": [{"days": ["mon"], "start": "09:00", "end": "17:00",
                "breaks": [{"start": "12:00", "minutes": 0}]}]}),
            "shifts[0].breaks[0].minutes",
        ),
        (
            json!({"shifts": [{"days": ["mon"], "start": "09:00", "end": "17:00",
                "breaks": [{"start": "12:00", "minutes": -5}]}]}),
            "shifts[0].breaks[0].minutes",
        ),
        (json!({"time_zone": "UTC"}), "shifts"),
    ];
    for (body, field) in cases {
        let r = put_roster(&app, &supervisor, id, body.clone()).await;
        let problem =
            expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(
            fields(&problem).iter().any(|f| f == field),
            "{body} should name {field}: {problem}"
        );
    }
    for path in ["/api/v1/agents/999999/roster", "/api/v1/agents/abc/roster"] {
        let r = app
            .http
            .put(app.url(path))
            .bearer_auth(&supervisor)
            .json(&json!({"shifts": []}))
            .send()
            .await
            .unwrap();
        expect_problem(r, StatusCode::NOT_FOUND, "agent_not_found").await;
        let r = app.get(path).bearer_auth(&supervisor).send().await.unwrap();
        expect_problem(r, StatusCode::NOT_FOUND, "agent_not_found").await;
    }
    let queries = [
        ("date=2025-13-01", "date"),
        ("date=tomorrow", "date"),
        ("time_zone=Mars/Olympus", "time_zone"),
        ("category=refunds", "category"),
        ("arrivals_per_hour=-1", "arrivals_per_hour"),
        ("arrivals_per_hour=1,2", "arrivals_per_hour"),
        ("arrivals_per_hour=lots", "arrivals_per_hour"),
        ("arrivals_per_hour=10&aht_seconds=0", "aht_seconds"),
        ("arrivals_per_hour=10&aht_seconds=abc", "aht_seconds"),
        (
            "arrivals_per_hour=10&target_service_level=1.5",
            "target_service_level",
        ),
        (
            "arrivals_per_hour=10&target_answer_seconds=-1",
            "target_answer_seconds",
        ),
        ("arrivals_per_hour=10&shrinkage=1", "shrinkage"),
        (
            "arrivals_per_hour=100000000&aht_seconds=3600",
            "arrivals_per_hour",
        ),
        ("colour=red", "colour"),
    ];
    for (q, field) in queries {
        let r = app
            .get(&format!("/api/v1/coverage?{q}"))
            .bearer_auth(&supervisor)
            .send()
            .await
            .unwrap();
        let problem =
            expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(
            fields(&problem).iter().any(|f| f == field),
            "{q} should name {field}: {problem}"
        );
    }
}
