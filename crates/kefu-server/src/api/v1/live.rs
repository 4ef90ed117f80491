//! `GET /api/v1/live`: the live channel's WebSocket (protocol in docs/LIVE.md). Credentials
//! in the upgrade request are checked before upgrading (a bad token gets a 401 problem);
//! without any, the client authenticates with its first frame.

use crate::client_addr::ClientAddr;
use crate::live::auth::{self, Credentials};
use crate::problem::{ApiError, ApiResult, ErrorCode, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

/// What one connection reads from its socket at a time.
const READ_BUFFER_BYTES: usize = 4 * 1024;

/// Opens the live channel: a WebSocket carrying ticket events, typing, queue position and
/// heartbeats as JSON frames (docs/LIVE.md). Without an upgrade it answers 426.
#[utoipa::path(get, path = "/api/v1/live", operation_id = "open_live", tag = "customer",
    params(
        ("X-Lookup-Code" = Option<String>, Header, description = "A customer's lookup code (or send it in the first frame)"),
        ("X-Customer-Id" = Option<String>, Header, description = "With a channel's API key as bearer token: the channel's id for the customer", max_length = 200), ("X-App-Token" = Option<String>, Header, description = "An in-app user's token, signed by the app's backend (docs/CHANNELS.md)", max_length = 4096)),
    responses(
        (status = 101, description = "Switching to the WebSocket protocol"),
        (status = 426, description = "Not a WebSocket upgrade", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "This node has as many live connections as it takes", body = Problem, content_type = "application/problem+json"),
        (status = "4XX", body = Problem, content_type = "application/problem+json")),
    security((), ("bearer" = [])))]
pub async fn open_live(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> ApiResult<Response> {
    let Ok(upgrade) = upgrade else {
        let mut r = ApiError::new(
            ErrorCode::WebsocketRequired,
            "Open this route with a WebSocket client (GET with Upgrade: websocket); see docs/LIVE.md.",
        )
        .into_response();
        r.headers_mut()
            .insert(header::UPGRADE, HeaderValue::from_static("websocket"));
        return Ok(r);
    };
    let mut credentials = Credentials::from_headers(&headers);
    // The console's pages sign in with the staff session cookie (same-origin only).
    if credentials.is_empty() {
        credentials.token = crate::web::console::session::live_token(&headers);
    }
    let caller = if credentials.is_empty() {
        None
    } else {
        Some((auth::caller(&state, &credentials).await?, credentials))
    };
    let Some(slot) = state.live.admit() else {
        return Err(ApiError::new(
            ErrorCode::ServiceUnavailable,
            "This node has as many live connections as it takes; try again shortly.",
        ));
    };
    // The WebSocket layer refuses far larger frames itself (read error: 1002); up to 4× the
    // limit the connection says why (1009).
    let max = state.live.limits().max_frame_bytes.saturating_mul(4);
    // Small buffers: tungstenite's defaults (128 KiB each way, allocated per connection)
    // would cost a quarter of a GiB per 1,000 mostly idle connections. Frames are small;
    // the send queue bounds what waits to be written.
    Ok(upgrade
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| crate::live::connection::run(socket, state, caller, addr, slot)))
}
