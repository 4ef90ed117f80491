//! The client's address, for limits keyed on it: the peer of the TCP connection, or — only
//! when the operator says a proxy in front sets it (`trust_forwarded_for`) — the last
//! address in `X-Forwarded-For`, the one that proxy appended. Without connection info (a
//! server not started with `into_make_service_with_connect_info`) the address is unknown
//! and address-keyed limits do not apply; nothing panics.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{Extensions, HeaderMap, request::Parts};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The caller's address, when known.
pub struct ClientAddr(pub Option<IpAddr>);

/// The address of a request from its headers and extensions.
pub fn client_addr(
    headers: &HeaderMap,
    extensions: &Extensions,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    if trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .next_back()
            .and_then(|a| a.trim().parse::<IpAddr>().ok());
        if forwarded.is_some() {
            return forwarded;
        }
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip())
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let trust = state.rate_limits.settings().trust_forwarded_for;
        Ok(ClientAddr(client_addr(
            &parts.headers,
            &parts.extensions,
            trust,
        )))
    }
}
