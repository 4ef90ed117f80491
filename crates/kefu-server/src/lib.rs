//! kefu's server: the HTTP API, the web pages, health and metrics, over the store. Handlers
//! are thin; the use-cases live in kefu-service.

pub mod api;
pub mod channels;
pub mod client_addr;
pub mod edge;
pub mod extract;
pub mod live;
pub mod metrics;
pub mod openapi;
pub mod problem;
pub mod rate_limit;
pub mod request_id;
pub mod security;
pub mod serve;
pub mod state;
pub mod web;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use problem::{ApiError, ErrorCode};
pub use serve::{Limits, serve_router};
pub use state::AppState;
use tower::ServiceBuilder;
use tower::util::MapRequestLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;

/// The whole application router, with the default [`Limits`].
pub fn router(state: AppState) -> Router {
    router_with(state, &Limits::default())
}

/// The whole application router; `limits.request_timeout` bounds every request.
///
/// The routes carry one small layer (their template, for the metrics); everything every
/// request goes through sits once around them (see [`edge`] for why not per route).
pub fn router_with(state: AppState, limits: &Limits) -> Router {
    let request_timeout = limits.request_timeout;
    // Installs the Prometheus recorder before the first request is counted.
    let _ = metrics::handle();
    let routes = Router::new()
        .nest("/api/v1", api::v1::routes())
        .merge(web::routes())
        .route("/api/openapi.json", get(openapi_json))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        // `layer`, not `route_layer`: a route's 405 answers are labelled too.
        .layer(middleware::from_fn(metrics::label_route))
        .with_state(state.clone());
    let [nosniff, referrer, frames] = security::header_layers();
    // Outermost first: a client's request id is screened, then kept or made, before
    // anything runs, so every answer (a timeout or a panic included) carries it; the edge
    // sees the final status.
    let around = ServiceBuilder::new()
        .layer(MapRequestLayer::new(request_id::screen::<Body>))
        .layer(SetRequestIdLayer::new(
            request_id::HEADER.clone(),
            request_id::MakeKefuRequestId,
        ))
        .layer(PropagateRequestIdLayer::new(request_id::HEADER.clone()))
        .layer(nosniff)
        .layer(referrer)
        .layer(frames)
        .layer(middleware::from_fn_with_state(
            (state.clone(), request_timeout),
            edge::handle,
        ))
        .layer(TimeoutLayer::with_status_code(
            security::TIMEOUT_MARKER,
            request_timeout,
        ))
        .layer(CatchPanicLayer::custom(security::panic_problem))
        .layer(DefaultBodyLimit::max(state.settings.body_limit_bytes));
    Router::new().fallback_service(around.service(routes))
}

async fn openapi_json() -> Response {
    Json(openapi::document()).into_response()
}

/// 200 when the node can serve: the database answers.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) if !state.workers_healthy() => {
            let down: Vec<String> = state
                .workers_health()
                .into_iter()
                .filter(|w| !w.alive)
                .map(|w| w.name.to_string())
                .collect();
            tracing::warn!(workers = ?down, "health check: a background worker is down");
            ApiError::new(
                ErrorCode::ServiceUnavailable,
                format!("A background worker is down: {}.", down.join(", ")),
            )
            .into_response()
        }
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check failed");
            ApiError::new(
                ErrorCode::ServiceUnavailable,
                "The database does not answer.",
            )
            .into_response()
        }
    }
}

/// A browser reading pages gets the HTML 404 page; everyone else a problem document.
async fn not_found(uri: axum::http::Uri, headers: axum::http::HeaderMap) -> Response {
    if web::wants_page(&uri, &headers) {
        return web::not_found_page(&uri, &headers);
    }
    ApiError::new(ErrorCode::NotFound, "There is no such route.").into_response()
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "This route does not accept that method.",
    )
}

/// Serves with the default [`Limits`] until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, Limits::default(), shutdown).await
}

/// Serves with `limits` until `shutdown` resolves, then finishes requests in flight for
/// up to `limits.shutdown_grace` (see [`serve`](mod@serve)).
pub async fn serve_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Live connections are upgraded out of the HTTP drain: tell them to close (1001) too.
    let live = state.live.clone();
    let app = router_with(state, &limits);
    let shutdown = async move {
        shutdown.await;
        live.stop();
    };
    serve_router(listener, app, limits, shutdown).await
}
