//! Who a live client is: the same credentials as the API — a staff bearer token, a ticket's
//! lookup code, or a channel key with the customer's id — read from the upgrade request's
//! headers or, for browsers (which cannot set headers on a WebSocket), from the first
//! frame (`auth`). A token in a query string would end up in access logs and proxies, so
//! none is read there.

use crate::problem::{ErrorCode, ServiceError};
use crate::state::AppState;
use axum::http::{HeaderMap, header};
use kefu_service::caller::authenticate;
use kefu_service::{Caller, CustomerProof, ServiceResult};

/// Credentials as the client offered them.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub token: Option<String>,
    pub lookup_code: Option<String>,
    pub customer_id: Option<String>,
    /// An app-user token (`X-App-Token`, or `app_token` in the first frame).
    pub app_token: Option<String>,
}

impl Credentials {
    /// The credentials of an upgrade request, as the API reads them.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let get = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        Self {
            token,
            lookup_code: get("x-lookup-code"),
            customer_id: get("x-customer-id"),
            app_token: get("x-app-token"),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.token.is_none()
            && self.lookup_code.is_none()
            && self.customer_id.is_none()
            && self.app_token.is_none()
    }
}

/// The caller the credentials stand for. A lookup code makes a customer (of the ticket it
/// belongs to); a staff token a staff member; a channel key with a customer id that
/// customer. Anything else is `unauthenticated`.
pub async fn caller(state: &AppState, c: &Credentials) -> ServiceResult<Caller> {
    if let Some(code) = &c.lookup_code {
        return Ok(Caller::Customer(CustomerProof::LookupCode(code.clone())));
    }
    if let Some(token) = &c.app_token {
        return kefu_service::channels::app_token::caller(&state.core, token);
    }
    let Some(token) = &c.token else {
        return Err(unauthenticated());
    };
    let Some(principal) = authenticate(&state.core, token).await? else {
        return Err(unauthenticated());
    };
    match (Caller::from(principal), &c.customer_id) {
        (Caller::Channel(key), Some(id)) => Ok(Caller::Customer(CustomerProof::Channel {
            key,
            external_id: id.clone(),
        })),
        (Caller::Staff(s), _) => Ok(Caller::Staff(s)),
        _ => Err(ServiceError::new(
            ErrorCode::Unauthenticated,
            "A channel key follows tickets for one customer: send the customer's id with it.",
        )),
    }
}

fn unauthenticated() -> ServiceError {
    ServiceError::new(
        ErrorCode::Unauthenticated,
        "Send a valid staff token, a ticket's lookup code, or a channel key with the customer's id.",
    )
}
