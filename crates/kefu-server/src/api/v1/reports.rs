//! `/api/v1/reports/{name}`: the reports (volume, bot, speed, promise, satisfaction,
//! staffing) for supervisors and admins, as JSON tables or one table as CSV
//! (`?format=csv` or `Accept: text/csv`). The figures and their definitions are
//! `kefu_service::reports`' (docs/REPORTS.md).

use crate::extract::{ApiQuery, Authed};
use crate::problem::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kefu_service::ServiceError;
use kefu_service::reports::{self, Report, ReportName, ReportRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Which range, zone and slice a report covers, and in which format.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// First local date, `YYYY-MM-DD`.
    #[param(format = Date)]
    pub from: Option<String>,
    /// Last local date (inclusive), `YYYY-MM-DD`; at most 3,700 days after `from`.
    #[param(format = Date)]
    pub to: Option<String>,
    /// The viewer's IANA time zone (default `Asia/Shanghai`).
    pub tz: Option<String>,
    /// Only this channel.
    pub channel: Option<String>,
    /// Only this domain (category code).
    pub domain: Option<String>,
    /// Only this handling team.
    #[param(minimum = 1)]
    pub team: Option<i64>,
    /// Only this agent (not with channel, domain or team).
    #[param(minimum = 1)]
    pub agent: Option<i64>,
    /// Only these local hours of the day (in `tz`): `9` (09:00–10:00), `9-17` (end
    /// excluded) or `22-6` (over midnight). Refused in zones whose UTC offset is not a whole
    /// number of hours.
    #[param(pattern = "^[0-9]{1,2}(-[0-9]{1,2})?$")]
    pub hour: Option<String>,
    /// `json` (default) or `csv`.
    #[param(pattern = "^(json|csv)$")]
    pub format: Option<String>,
    /// With CSV: which table (default the report's first).
    pub table: Option<String>,
}

/// One table of a report: column names and rows of numbers, texts or `null`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportTableView {
    pub name: String,
    pub columns: Vec<String>,
    /// Each cell is a number, a text or `null` (any JSON value in the schema).
    pub rows: Vec<Vec<serde_json::Value>>,
}

/// A report over a local date range.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub name: String,
    pub from: String,
    pub to: String,
    pub time_zone: String,
    /// The last event folded into the rollups the report read (newer events follow within
    /// seconds).
    pub rollup_cursor: i64,
    pub tables: Vec<ReportTableView>,
}

fn view(r: Report) -> ApiResult<ReportView> {
    let tables = r
        .tables
        .into_iter()
        .map(|t| {
            let rows = t
                .rows
                .iter()
                .map(|row| {
                    serde_json::to_value(row).map(|v| match v {
                        serde_json::Value::Array(cells) => cells,
                        other => vec![other],
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(ReportTableView {
                name: t.name.into(),
                columns: t.columns.iter().map(|c| (*c).to_owned()).collect(),
                rows,
            })
        })
        .collect::<Result<Vec<_>, serde_json::Error>>()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    Ok(ReportView {
        name: r.name.into(),
        from: r.from,
        to: r.to,
        time_zone: r.time_zone,
        rollup_cursor: r.rollup_cursor,
        tables,
    })
}

fn wants_csv(q: &ReportQuery, headers: &HeaderMap) -> Result<bool, ApiError> {
    match q.format.as_deref().map(str::trim) {
        Some("csv") => Ok(true),
        Some("json") => Ok(false),
        Some(_) => Err(ApiError::field("format", "must be json or csv")),
        None => Ok(headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/csv"))),
    }
}

/// A report (supervisors and admins): `volume`, `bot`, `speed`, `promise`, `satisfaction`
/// or `staffing`.
#[utoipa::path(get, path = "/api/v1/reports/{name}", operation_id = "find_report", tag = "reports",
    params(
        ("name" = String, Path, description = "The report", pattern = "^(volume|bot|speed|promise|satisfaction|staffing)$"),
        ReportQuery,
    ),
    responses(
        (status = 200, description = "The report's tables as JSON, or one table as CSV (`format=csv` or `Accept: text/csv`)",
            content((ReportView = "application/json"), (String = "text/csv"))),
        (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn find_report(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(name): Path<String>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let Some(report) = ReportName::ALL.into_iter().find(|r| r.as_str() == name) else {
        return Err(ApiError::new(
            ErrorCode::NotFound,
            "No such report: volume, bot, speed, promise, satisfaction and staffing exist.",
        ));
    };
    let csv = wants_csv(&q, &headers)?;
    let req = ReportRequest {
        from: q.from.as_deref(),
        to: q.to.as_deref(),
        tz: q.tz.as_deref(),
        channel: q.channel.as_deref(),
        domain: q.domain.as_deref(),
        team: q.team,
        agent: q.agent,
        hour: q.hour.as_deref(),
    };
    let done = reports::run(&state, &caller, report, &req).await?;
    if !csv {
        return Ok(Json(view(done)?).into_response());
    }
    Ok(csv_download(&done, q.table.as_deref())?)
}

/// One table of a report (its first when `table` is `None`) as a CSV download; the console's
/// report pages link the same answer.
pub(crate) fn csv_download(done: &Report, table: Option<&str>) -> Result<Response, ServiceError> {
    let table = match table.map(str::trim) {
        None => done.tables.first(),
        Some(t) => done.tables.iter().find(|x| x.name == t),
    }
    .ok_or_else(|| {
        let names: Vec<&str> = done.tables.iter().map(|t| t.name).collect();
        ServiceError::field("table", format!("must be one of {}", names.join(", ")))
    })?;
    let body = table.to_csv()?;
    let file = format!(
        "attachment; filename=\"{}-{}-{}-{}.csv\"",
        done.name, table.name, done.from, done.to
    );
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&file) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}
