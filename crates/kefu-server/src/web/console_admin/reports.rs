//! `GET /console/reports/{name}`: the reports (volume, bot, speed, the promise, satisfaction,
//! staffing) as pages — one tab per report, a form for the local date range, time zone,
//! channel, domain, team, agent and local hours of the day, every table of the report with a chart of its main
//! figures ([`crate::web::report_charts`]) and a CSV link.
//! `GET /console/reports/{name}/csv?…&table=…` answers the API's CSV of one table.
//! Both call `kefu_service::reports::run`, the same use-case as `/api/v1/reports/{name}`:
//! no figure is computed here. Without `tz` the page's script reloads it with the
//! browser's zone; without dates it shows the last 7 days.

use super::super::console::{Console, enter};
use super::super::report_charts::{self, Series};
use super::super::texts::console::ConsoleTexts;
use super::super::texts::reports::{ReportTexts, name};
use super::page;
use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use kefu_service::reports::{self, Cell, Report, ReportName, ReportRequest, Table};
use kefu_service::types::{DEFAULT_TIME_ZONE, time_zone};
use kefu_service::{Lang, ServiceError};
use serde::{Deserialize, Serialize};

/// The page's query: the API's report parameters, as text (blank means absent).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ReportForm {
    from: String,
    to: String,
    tz: String,
    channel: String,
    domain: String,
    team: String,
    agent: String,
    hour: String,
    table: String,
}

fn given(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|v| !v.is_empty())
}

impl ReportForm {
    /// Fills absent dates with the last 7 days in the form's zone (or the default zone).
    fn with_defaults(mut self) -> Self {
        if self.from.trim().is_empty() && self.to.trim().is_empty() {
            let zone = time_zone(given(&self.tz).unwrap_or(DEFAULT_TIME_ZONE))
                .or_else(|_| time_zone(DEFAULT_TIME_ZONE));
            if let Ok(zone) = zone {
                let today = jiff::Timestamp::now().to_zoned(zone).date();
                self.to = today.to_string();
                self.from = today
                    .checked_sub(jiff::Span::new().days(6))
                    .unwrap_or(today)
                    .to_string();
            }
        }
        self
    }

    /// The request, or the field errors of ids that are not numbers.
    fn request(&self) -> Result<ReportRequest<'_>, ServiceError> {
        let id = |field: &str, raw: &str| match given(raw) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| ServiceError::field(field, "must be an id")),
        };
        Ok(ReportRequest {
            from: given(&self.from),
            to: given(&self.to),
            tz: given(&self.tz),
            channel: given(&self.channel),
            domain: given(&self.domain),
            team: id("team", &self.team)?,
            agent: id("agent", &self.agent)?,
            hour: given(&self.hour),
        })
    }

    /// The query string of these values (blank ones left out), for links.
    fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("from", &self.from),
            ("to", &self.to),
            ("tz", &self.tz),
            ("channel", &self.channel),
            ("domain", &self.domain),
            ("team", &self.team),
            ("agent", &self.agent),
            ("hour", &self.hour),
        ] {
            if let Some(v) = given(v) {
                q.append_pair(k, v);
            }
        }
        q.finish()
    }
}

#[derive(Serialize)]
struct Tab {
    name: &'static str,
    label: String,
    href: String,
    active: bool,
}

#[derive(Serialize)]
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct TableView {
    id: &'static str,
    title: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    csv: String,
    chart: Option<String>,
}

#[derive(Serialize)]
struct ReportsPage {
    r: &'static ReportTexts,
    report: &'static str,
    title: String,
    tabs: Vec<Tab>,
    from: String,
    to: String,
    tz: String,
    channels: Vec<Choice>,
    domains: Vec<Choice>,
    teams: Vec<Choice>,
    agents: Vec<Choice>,
    hour: String,
    errors: Vec<String>,
    tables: Vec<TableView>,
    rollup_note: String,
}

/// Columns shown as a percentage.
fn is_rate(column: &str) -> bool {
    column.ends_with("_rate")
        || column.starts_with("share")
        || matches!(
            column,
            "attainment" | "service_level" | "average_occupancy" | "sla_attainment"
        )
}

/// Codes shown by name on the page — channels, domains, weekdays — in the reader's
/// language (the API and the CSV keep the codes).
struct Labels {
    lang: Lang,
    catalogue: kefu_service::Catalogue,
}

impl Labels {
    fn of(state: &AppState, lang: Lang) -> Self {
        Self {
            lang,
            catalogue: state.catalogue(),
        }
    }

    fn show(&self, column: &str, cell: &Cell) -> String {
        let Cell::Text(code) = cell else {
            return show(column, cell);
        };
        match column {
            "channel" => code.parse::<kefu_domain::Channel>().map_or_else(
                |_| code.clone(),
                |c| ConsoleTexts::of(self.lang).channel_names.of(c).to_owned(),
            ),
            "domain" => self.catalogue.category_name(code, self.lang),
            "weekday" => weekday(self.lang, code).unwrap_or(code).to_owned(),
            _ => code.clone(),
        }
    }
}

/// A weekday's name, for its code in [`reports::WEEKDAYS`].
fn weekday(lang: Lang, code: &str) -> Option<&'static str> {
    const ZH: [&str; 7] = [
        "星期一",
        "星期二",
        "星期三",
        "星期四",
        "星期五",
        "星期六",
        "星期日",
    ];
    const EN: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let i = reports::WEEKDAYS.iter().position(|d| *d == code)?;
    match lang {
        Lang::Zh => ZH.get(i).copied(),
        Lang::En => EN.get(i).copied(),
    }
}

fn show(column: &str, cell: &Cell) -> String {
    match cell {
        Cell::Int(v) => v.to_string(),
        Cell::Text(t) => t.clone(),
        Cell::Num(None) => "–".into(),
        Cell::Num(Some(v)) if is_rate(column) => format!("{:.1}%", v * 100.0),
        Cell::Num(Some(v)) if v.fract() == 0.0 => format!("{v:.0}"),
        Cell::Num(Some(v)) => format!("{v:.2}"),
    }
}

fn number(cell: &Cell) -> Option<f64> {
    match cell {
        #[expect(
            clippy::cast_precision_loss,
            reason = "report counts are far below 2^52"
        )]
        Cell::Int(v) => Some(*v as f64),
        Cell::Num(v) => *v,
        Cell::Text(_) => None,
    }
}

/// Which columns of a table are drawn, on which axis: (table, label column, value
/// columns, axis). Tables not listed have no chart.
const CHARTS: &[(&str, &str, &[&str], Axis)] = &[
    ("by_hour_of_day", "hour", &["opened"], Axis::Count),
    ("by_channel", "channel", &["opened"], Axis::Count),
    ("by_date", "date", &["opened"], Axis::Count),
    ("handover_reasons", "reason", &["count"], Axis::Count),
    ("timings", "metric", &["median_s", "p90_s"], Axis::Seconds),
    ("attainment", "target", &["attainment"], Axis::Rate),
    ("by_agent", "name", &["csat_average"], Axis::Count),
    (
        "by_hour",
        "hour",
        &["arrivals_per_hour", "on_duty", "erlang_c_required"],
        Axis::People,
    ),
];

#[derive(Clone, Copy)]
enum Axis {
    Count,
    Seconds,
    Rate,
    People,
}

fn chart(report: &str, t: &Table, labels: &Labels) -> Option<String> {
    let lang = labels.lang;
    let (_, label, values, axis) = CHARTS
        .iter()
        .find(|(table, ..)| *table == t.name && !(report == "speed" && t.name == "by_domain"))?;
    if t.rows.is_empty() {
        return None;
    }
    let col = |c: &str| t.columns.iter().position(|x| *x == c);
    let at = col(label)?;
    let slots: Vec<String> = t.rows.iter().map(|r| labels.show(label, &r[at])).collect();
    let series: Vec<Series> = values
        .iter()
        .filter_map(|v| {
            let i = col(v)?;
            Some(Series {
                name: name(lang, v),
                values: t.rows.iter().map(|r| r.get(i).and_then(number)).collect(),
            })
        })
        .collect();
    if series.iter().all(|s| s.values.iter().all(Option::is_none)) {
        return None;
    }
    let texts = ReportTexts::of(lang);
    let whole = matches!(axis, Axis::Count);
    let axis = match axis {
        Axis::Count => texts.chart_count,
        Axis::Seconds => texts.chart_seconds,
        Axis::Rate => texts.chart_rate,
        Axis::People => texts.chart_people,
    };
    report_charts::bars(&name(lang, t.name), &slots, &series, axis, whole)
        .map_err(|e| tracing::error!(error = %e, table = t.name, "a report chart did not draw"))
        .ok()
}

fn tables(done: &Report, form: &ReportForm, labels: &Labels) -> Vec<TableView> {
    let lang = labels.lang;
    let query = form.query();
    done.tables
        .iter()
        .map(|t| TableView {
            id: t.name,
            title: name(lang, t.name),
            columns: t.columns.iter().map(|c| name(lang, c)).collect(),
            rows: t
                .rows
                .iter()
                .map(|r| {
                    t.columns
                        .iter()
                        .zip(r)
                        .map(|(c, v)| labels.show(c, v))
                        .collect()
                })
                .collect(),
            csv: format!(
                "/console/reports/{}/csv?{query}&table={}",
                done.name, t.name
            ),
            chart: chart(done.name, t, labels),
        })
        .collect()
}

fn report_name(raw: &str) -> Option<ReportName> {
    ReportName::ALL.into_iter().find(|r| r.as_str() == raw)
}

async fn choices(
    state: &AppState,
    console: &Console,
    form: &ReportForm,
) -> Result<[Vec<Choice>; 4], ServiceError> {
    let lang = console.lang.lang;
    let pick = |value: String, label: String, current: &str| Choice {
        selected: value == current.trim(),
        value,
        label,
    };
    let channels = kefu_domain::Channel::ALL
        .iter()
        .map(|c| {
            let label = ConsoleTexts::of(lang).channel_names.of(*c).to_owned();
            pick(c.as_str().to_owned(), label, &form.channel)
        })
        .collect();
    let domains = state
        .catalogue()
        .categories
        .iter()
        .map(|c| {
            let label = match lang {
                Lang::Zh => c.name_zh.clone(),
                Lang::En => c.name_en.clone(),
            };
            pick(c.code.as_str().to_owned(), label, &form.domain)
        })
        .collect();
    let teams = kefu_service::admin::list_teams(state, &console.caller)
        .await?
        .into_iter()
        .map(|t| pick(t.id.0.to_string(), t.name, &form.team))
        .collect();
    let agents = kefu_service::admin::list_agents(state, &console.caller)
        .await?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| pick(a.id.0.to_string(), a.display_name, &form.agent))
        .collect();
    Ok([channels, domains, teams, agents])
}

/// The console's sign-in, the report the path names (404 page when none) and its run
/// (`kefu_service::reports::run`, as the API does).
async fn open(
    state: &AppState,
    raw: &str,
    form: &ReportForm,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<(Console, ReportName, Result<Report, ServiceError>), Response> {
    let console = enter(state, uri, headers).await?;
    let Some(which) = report_name(raw) else {
        return Err(super::super::console::error_page(
            &console.lang,
            Some(&console),
            StatusCode::NOT_FOUND,
        ));
    };
    let done = match form.request() {
        Ok(req) => reports::run(state, &console.caller, which, &req).await,
        Err(e) => Err(e),
    };
    Ok((console, which, done))
}

/// `GET /console/reports/{name}`.
pub async fn show_report(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Query(form): Query<ReportForm>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let form = form.with_defaults();
    let (console, which, done) = match open(&state, &raw, &form, &uri, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = console.lang.lang;
    let (tables, errors, cursor) = match done {
        Ok(d) => (
            tables(&d, &form, &Labels::of(&state, lang)),
            Vec::new(),
            d.rollup_cursor,
        ),
        Err(e) if !e.errors.is_empty() => (
            Vec::new(),
            e.errors
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect(),
            0,
        ),
        Err(e) => return console.service_error(&e),
    };
    let [channels, domains, teams, agents] = match choices(&state, &console, &form).await {
        Ok(c) => c,
        Err(e) => return console.service_error(&e),
    };
    let query = form.query();
    let texts = ReportTexts::of(lang);
    let value = ReportsPage {
        r: texts,
        report: which.as_str(),
        title: name(lang, which.as_str()),
        tabs: ReportName::ALL
            .iter()
            .map(|n| Tab {
                name: n.as_str(),
                label: name(lang, n.as_str()),
                href: format!("/console/reports/{}?{query}", n.as_str()),
                active: *n == which,
            })
            .collect(),
        from: form.from.trim().to_owned(),
        to: form.to.trim().to_owned(),
        tz: given(&form.tz).unwrap_or(DEFAULT_TIME_ZONE).to_owned(),
        channels,
        domains,
        teams,
        agents,
        hour: form.hour.trim().to_owned(),
        errors,
        tables,
        rollup_note: texts.rollup_note.replace("{cursor}", &cursor.to_string()),
    };
    let status = if value.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let mut resp = page(&console, "reports", "console/reports.html", value);
    *resp.status_mut() = status;
    resp
}

/// `GET /console/reports/{name}/csv`: one table as the API gives it.
pub async fn download_csv(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    Query(form): Query<ReportForm>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (console, _, done) = match open(&state, &raw, &form, &uri, &headers).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match done.and_then(|d| crate::api::v1::reports::csv_download(&d, given(&form.table))) {
        Ok(r) => r,
        Err(e) => console.service_error(&e),
    }
}

/// `GET /console/reports`: the first report.
pub async fn show_first() -> Response {
    axum::response::Redirect::to("/console/reports/volume").into_response()
}
