//! The reports' hour-of-day filter: the local hours of the viewer's zone over the fixed
//! data set of `reports.rs`, and the errors that name the `hour` field.

use crate::reports::{cell, fixed_data, near, report, table};
use crate::{expect_problem, spawn_app};
use reqwest::StatusCode;

#[tokio::test]
async fn an_hour_filter_keeps_the_local_hours_of_the_viewers_zone() {
    let app = spawn_app().await;
    fixed_data(&app).await;
    let token = app.login("supervisor@kefu.local").await;
    let day = "from=2026-03-10&to=2026-03-10&tz=Asia/Shanghai";
    let two_days = "from=2026-03-10&to=2026-03-11&tz=Asia/Shanghai";

    // Over midnight: T1 (01:00) and T2 (23:30) opened from 22:00 to 02:00 in Shanghai; T3
    // (02:00) is after the range's end.
    let v = report(
        &app,
        &token,
        &format!("/api/v1/reports/volume?{day}&hour=22-2"),
    )
    .await;
    assert_eq!(*cell(table(&v, "by_channel"), Some("in_app"), "opened"), 2);
    let hours = table(&v, "by_hour_of_day");
    for (h, n) in [(1, 1), (23, 1), (2, 0), (8, 0), (10, 0)] {
        assert_eq!(*cell(hours, Some(&h.to_string()), "opened"), n, "hour {h}");
    }
    // The same instant in UTC: T1 opened at 17:00 UTC on 03-09.
    let utc = report(
        &app,
        &token,
        "/api/v1/reports/volume?from=2026-03-09&to=2026-03-09&tz=UTC&hour=17",
    )
    .await;
    assert_eq!(
        *cell(table(&utc, "by_channel"), Some("in_app"), "opened"),
        1
    );

    // Bot: resolved from 00:00 to 03:00 — T1 by the bot at 01:05 on 03-10, T2 at 01:30 on
    // 03-11.
    let b = report(&app, &token, &format!("/api/v1/reports/bot?{day}&hour=0-3")).await;
    let s = table(&b, "summary");
    assert_eq!(*cell(s, None, "resolved"), 1);
    assert_eq!(*cell(s, None, "bot_resolved"), 1);
    let b2 = report(
        &app,
        &token,
        &format!("/api/v1/reports/bot?{two_days}&hour=0-3"),
    )
    .await;
    assert_eq!(*cell(table(&b2, "summary"), None, "resolved"), 2);
    near(cell(table(&b2, "summary"), None, "containment_rate"), 0.5);

    // Speed: first responses given from 08:00 to 13:00 — T4 at 08:30 (30 minutes) and T6
    // at 12:40 on 03-11 (1500 minutes; T5's at 13:00 is out); resolutions: T4 at 12:00
    // (240 minutes).
    let sp = report(
        &app,
        &token,
        &format!("/api/v1/reports/speed?{two_days}&hour=8-13"),
    )
    .await;
    let tm = table(&sp, "timings");
    assert_eq!(*cell(tm, Some("first_response"), "count"), 2);
    near(
        cell(tm, Some("first_response"), "mean_s"),
        (30.0 + 1500.0) / 2.0 * 60.0,
    );
    assert_eq!(*cell(tm, Some("resolution"), "count"), 1);
    near(cell(tm, Some("resolution"), "median_s"), 240.0 * 60.0);
    assert_eq!(*cell(table(&sp, "by_domain"), None, "first_responses"), 2);

    // The CSV of a table with the filter.
    let r = app
        .get(&format!(
            "/api/v1/reports/volume?{day}&hour=22-2&format=csv&table=by_channel"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.text().await.unwrap(), "channel,opened\nin_app,2\n");
}

#[tokio::test]
async fn a_bad_hour_or_a_zone_off_the_whole_hour_names_the_hour_field() {
    let app = spawn_app().await;
    let token = app.login("supervisor@kefu.local").await;
    let range = "from=2026-03-10&to=2026-03-11";
    for (query, says) in [
        ("hour=24", "0 to 23"),
        ("hour=9-x", "START-END"),
        ("hour=nine", "START-END"),
        ("hour=9-9", "empty"),
        ("hour=22-25", "after 24"),
        ("tz=Asia/Kolkata&hour=9", "Asia/Kolkata"),
        ("tz=Australia/Adelaide&hour=9-17", "whole number of hours"),
    ] {
        let r = app
            .get(&format!("/api/v1/reports/volume?{range}&{query}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let body = expect_problem(r, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        let e = &body["errors"][0];
        assert_eq!(e["field"], "hour", "{query}: {body}");
        assert!(
            e["message"].as_str().unwrap().contains(says),
            "{query}: {body}"
        );
    }
    // Without an hour filter such a zone is read as before.
    report(
        &app,
        &token,
        &format!("/api/v1/reports/volume?{range}&tz=Asia/Kolkata"),
    )
    .await;
}
