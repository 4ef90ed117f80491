//! The console's report pages over real HTTP (signed in with the session cookie): the same
//! figures as the API (they call the same use-case), a chart per main table, a CSV link per
//! table answering the API's CSV byte for byte, filters kept in every link, the field named
//! for a bad range, and the role rule. (e2e/tests/reports.test.mjs drives them in Chromium.)

use super::console::{Signed, sign_in};
use super::reports::fixed_data;
use super::*;

const DAY: &str = "from=2026-03-10&to=2026-03-10&tz=Asia%2FShanghai";

/// The page, with the template's escapes of `/` and `&` in attributes read back.
async fn html(s: &Signed, app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = s.get(app, path).send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, text.replace("&#x2f;", "/").replace("&amp;", "&"))
}

#[tokio::test]
async fn report_pages_show_the_apis_figures_with_charts_and_its_csv() {
    let app = spawn_app().await;
    fixed_data(&app).await;
    let sup = sign_in(&app, "supervisor@kefu.local").await;
    let (status, page) = html(&sup, &app, &format!("/console/reports/volume?{DAY}")).await;
    assert_eq!(status, StatusCode::OK);
    // The six tabs, each keeping the range and zone.
    for name in [
        "volume",
        "bot",
        "speed",
        "promise",
        "satisfaction",
        "staffing",
    ] {
        assert!(
            page.contains(&format!("href=\"/console/reports/{name}?{DAY}\"")),
            "tab {name}"
        );
    }
    // Six tickets opened on 03-10 in Shanghai, all in-app (as the API says), named in the
    // reader's language as the weekdays are (the CSV keeps the codes).
    let table = &page[page.find("id=\"table-by_channel\"").unwrap()..];
    let table = &table[..table.find("</section>").unwrap()];
    assert!(table.contains("<td>App 内</td><td>6</td>"), "{table}");
    assert!(!table.contains("in_app</td>"), "{table}");
    assert!(page.contains("<td>星期二</td>"), "weekdays by name");
    assert!(page.contains("id=\"table-by_hour_of_day\""));
    assert!(
        page.matches("<svg").count() >= 3,
        "hour, channel and date charts"
    );

    // The CSV link answers exactly what the API answers.
    let href = "/console/reports/volume/csv?from=2026-03-10&to=2026-03-10&tz=Asia%2FShanghai&table=by_channel";
    assert!(page.contains(href), "the link");
    let r = sup.get(&app, href).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let from_page = r.text().await.unwrap();
    let token = app.login("supervisor@kefu.local").await;
    let from_api = app
        .get(&format!(
            "/api/v1/reports/volume?{DAY}&format=csv&table=by_channel"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(from_page, from_api);
    assert_eq!(from_page, "channel,opened\nin_app,6\n");

    // Speed and staffing: the timings and tomorrow's forecast, in English on request.
    let (status, page) = html(&sup, &app, &format!("/console/reports/speed?{DAY}&lang=en")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Median (s)") && page.contains("id=\"table-timings\""));
    let (_, page) = html(&sup, &app, &format!("/console/reports/staffing?{DAY}")).await;
    assert!(page.contains("id=\"table-forecast\"") && page.contains("id=\"table-by_hour\""));

    // A filter stays in the links; a bad range names the field; an unknown report is 404.
    let (_, page) = html(
        &sup,
        &app,
        &format!("/console/reports/volume?{DAY}&domain=account"),
    )
    .await;
    assert!(page.contains("domain=account&table=by_domain"));
    let (status, page) = html(
        &sup,
        &app,
        "/console/reports/volume?from=2026-03-10&to=2026-03-01&tz=UTC",
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("id=\"report-errors\"") && page.contains("to: "));
    let (status, _) = html(&sup, &app, &format!("/console/reports/nothing?{DAY}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = html(&sup, &app, "/console/reports/volume?team=x&tz=UTC").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // Agents may not read reports.
    let agent = sign_in(&app, "agent1@kefu.local").await;
    let (status, _) = html(&agent, &app, &format!("/console/reports/volume?{DAY}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let r = agent.get(&app, href).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_hour_filter_is_in_the_form_the_figures_and_the_csv_link() {
    let app = spawn_app().await;
    fixed_data(&app).await;
    let sup = sign_in(&app, "supervisor@kefu.local").await;
    // 22:00 to 02:00 in Shanghai: T1 (01:00) and T2 (23:30) of the six.
    let (status, page) = html(
        &sup,
        &app,
        &format!("/console/reports/volume?{DAY}&hour=22-2"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("name=\"hour\" id=\"hour\" value=\"22-2\""),
        "the form keeps it"
    );
    let table = &page[page.find("id=\"table-by_channel\"").unwrap()..];
    let table = &table[..table.find("</section>").unwrap()];
    assert!(table.contains("<td>App 内</td><td>2</td>"), "{table}");
    let href = format!("/console/reports/volume/csv?{DAY}&hour=22-2&table=by_channel");
    assert!(page.contains(&href), "the CSV link keeps it");
    let r = sup.get(&app, &href).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "channel,opened\nin_app,2\n");
    assert!(page.contains(&format!("href=\"/console/reports/speed?{DAY}&hour=22-2\"")));
    // A bad hour is named above the form, in English too.
    let (status, page) = html(
        &sup,
        &app,
        &format!("/console/reports/volume?{DAY}&hour=25&lang=en"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("hour: 25 is not an hour of the day"),
        "{page}"
    );
    assert!(page.contains("Hours") && page.contains("e.g. 9-17"));
}
