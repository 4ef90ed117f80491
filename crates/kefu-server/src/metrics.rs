//! Prometheus metrics through the `metrics` facade: request counts and latency histograms
//! per method, route template and status, open live connections, bot decisions, SLA
//! breaches; and the database's live numbers (tickets, queues, agents, jobs), read at each
//! scrape through `kefu_service::gauges`.
//!
//! The recorder is process-wide (the facade has one global recorder); its handle lives in a
//! `OnceLock` here. Every label is bounded: methods outside the standard seven are `other`,
//! requests that match no route are `unmatched`, never their raw path.

use crate::state::AppState;
use axum::extract::{FromRequestParts, MatchedPath, RawPathParams, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kefu_service::gauges::Gauges;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::fmt::{Display, Write as _};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Requests served, by method, route and status.
pub const REQUESTS: &str = "kefu_http_requests_total";
/// Request latency histogram, by method, route and status.
pub const DURATION: &str = "kefu_http_request_duration_seconds";

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// How often histogram samples are folded into their buckets when nobody scrapes.
pub const UPKEEP_INTERVAL: Duration = Duration::from_secs(5);

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's Prometheus recorder, installed on first use. `None` only when another
/// recorder was installed first (then this module's series are not collected).
pub fn handle() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), &BUCKETS);
            match builder.and_then(PrometheusBuilder::install_recorder) {
                Ok(handle) => {
                    metrics::describe_counter!(
                        REQUESTS,
                        "HTTP requests by method, route and status."
                    );
                    metrics::describe_histogram!(
                        DURATION,
                        metrics::Unit::Seconds,
                        "HTTP request latency."
                    );
                    metrics::describe_counter!(
                        kefu_service::gauges::BOT_DECISIONS,
                        "Bot decisions on customers' messages, by decision."
                    );
                    metrics::describe_counter!(
                        kefu_service::gauges::SLA_BREACHES,
                        "SLA deadlines breached (sla_breached events fired on this node), by clock."
                    );
                    crate::live::connection::describe_metrics();
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the Prometheus recorder could not be installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Kept in the application state (building a state installs the recorder, as does
/// `router_with`); the series live in the recorder, not here (no lock on the request path).
/// Nothing reads it: it can go when the state is next reshaped.
pub struct Metrics {
    _installed: bool,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            _installed: handle().is_some(),
        }
    }
}

/// Folds histogram samples into buckets every [`UPKEEP_INTERVAL`], so memory stays flat on
/// a node nobody scrapes. Ends when `stop` resolves.
pub async fn run_upkeep(stop: impl std::future::Future<Output = ()>) {
    let Some(handle) = handle() else { return };
    tokio::pin!(stop);
    let mut tick = tokio::time::interval(UPKEEP_INTERVAL);
    loop {
        tokio::select! {
            () = &mut stop => return,
            _ = tick.tick() => handle.run_upkeep(),
        }
    }
}

/// The method label: one of the seven standard methods, else `other`.
pub fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The route template a request matched, carried on its response from inside the router
/// (where axum knows it) to [`crate::edge`] (outside, where the request is timed).
#[derive(Clone)]
pub struct RouteLabel(pub MatchedPath);

/// Middleware on the router's routes: puts the matched route template on the response, and
/// the route and the ticket number (on `/tickets/{number}` routes) in a span for the logs.
pub async fn label_route(request: Request, next: Next) -> Response {
    let path = request.extensions().get::<MatchedPath>().cloned();
    let (mut parts, body) = request.into_parts();
    let number = RawPathParams::from_request_parts(&mut parts, &())
        .await
        .ok()
        .and_then(|p| {
            p.iter()
                .find(|(k, _)| *k == "number")
                .map(|(_, v)| v.to_owned())
        });
    let span = tracing::info_span!(
        "route",
        route = path.as_ref().map_or("unmatched", MatchedPath::as_str),
        ticket.number = number.as_deref(),
    );
    let request = Request::from_parts(parts, body);
    let mut response = next.run(request).instrument(span).await;
    if let Some(path) = path {
        response.extensions_mut().insert(RouteLabel(path));
    }
    response
}

/// Counts and times one answered request under its route template (never the raw path,
/// which would make one series per ticket number); `unmatched` when no route matched.
pub fn record(method: &Method, response: &Response, started: Instant) {
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map_or("unmatched", |r| r.0.as_str());
    let labels = [
        ("method", method_label(method).to_owned()),
        ("route", route.to_owned()),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!(REQUESTS, &labels).increment(1);
    metrics::histogram!(DURATION, &labels).record(started.elapsed().as_secs_f64());
}

/// `GET /metrics`: Prometheus text format.
pub async fn render(State(state): State<AppState>) -> Response {
    let mut out = handle().map(PrometheusHandle::render).unwrap_or_default();
    // The database's numbers are read per scrape through one use-case rather than kept as
    // gauges in the process-wide recorder (which several states in one process would share).
    match kefu_service::gauges::read(&state.core).await {
        Ok(g) => {
            write_gauges(&mut out, &g);
            out.push_str("kefu_store_up 1\n");
        }
        Err(e) => {
            tracing::warn!(error = %e, "metrics could not read the live gauges");
            out.push_str("kefu_store_up 0\n");
        }
    }
    let mut response = out.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

/// Writes one gauge family: its header, then one series per `(label value, number)`.
fn labelled<L: Display, N: Display>(
    out: &mut String,
    name: &str,
    help: &str,
    label: &str,
    rows: impl IntoIterator<Item = (L, N)>,
) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
    for (value, n) in rows {
        let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {n}");
    }
}

/// Writes one gauge without labels.
fn single(out: &mut String, name: &str, help: &str, value: impl Display) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}"
    );
}

/// The database gauges in Prometheus text format. Label values are codes from closed sets
/// (statuses, presences, job states) or category codes, which are validated identifiers.
fn write_gauges(out: &mut String, g: &Gauges) {
    labelled(
        out,
        "kefu_tickets",
        "Tickets by status.",
        "status",
        g.tickets_by_status.iter().map(|(s, n)| (s, n)),
    );
    labelled(
        out,
        "kefu_queue_length",
        "Unowned queued or escalated tickets by domain.",
        "domain",
        &g.waiting_by_domain,
    );
    single(
        out,
        "kefu_queue_oldest_waiting_seconds",
        "Age of the oldest unowned waiting ticket (0 when none waits).",
        format_args!("{:.3}", g.oldest_waiting_seconds),
    );
    labelled(
        out,
        "kefu_agents",
        "Agents by presence.",
        "presence",
        g.agents_by_presence.iter().map(|(p, n)| (p, n)),
    );
    labelled(
        out,
        "kefu_jobs",
        "Background jobs by state; dead ones are the dead letters.",
        "state",
        [
            ("pending", g.jobs.pending),
            ("leased", g.jobs.leased),
            ("dead", g.jobs.dead),
        ],
    );
    single(
        out,
        "kefu_jobs_due",
        "Pending jobs already due to run.",
        g.jobs.due,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_standard_methods_get_their_own_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        assert_eq!(method_label(&Method::TRACE), "other");
        let odd = Method::from_bytes(b"BREW").unwrap();
        assert_eq!(method_label(&odd), "other");
    }
}
