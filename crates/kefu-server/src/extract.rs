//! Extractors that turn bad input into our problem documents: JSON bodies, query strings and
//! the caller's identity.

mod query;
mod scan;

pub use query::parse_query;

use crate::problem::{ApiError, ErrorCode, FieldError, ServiceError};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header, request::Parts};
use kefu_service::caller::authenticate;
use kefu_service::{Caller, CustomerProof};
use serde::de::DeserializeOwned;

/// A JSON body, parsed with the failing field's path in the error.
pub struct ApiJson<T>(pub T);

/// The raw body of a JSON request (for fingerprinting) and its parsed value.
pub struct RawJson<T> {
    pub bytes: Bytes,
    pub value: T,
}

/// Parses JSON bytes; syntax errors are `malformed_json`, wrong shapes name the field.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Every body of this API is an object; anything else is the wrong shape, not bad JSON.
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(
        first,
        Some(b'[' | b'"' | b'0'..=b'9' | b'-' | b't' | b'f' | b'n')
    ) {
        return Err(ApiError::field("body", "must be a JSON object"));
    }
    let findings = scan::scan(bytes);
    if !findings.is_empty() {
        let errors = findings
            .into_iter()
            .map(|f| FieldError {
                field: f.path,
                message: f.message.into(),
            })
            .collect();
        return Err(ApiError(ServiceError::fields(errors)));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_data() {
            let message = inner.to_string();
            // serde reports a missing field at its parent's path; name the field itself.
            let missing = message
                .strip_prefix("missing field `")
                .and_then(|m| m.split('`').next());
            let field = match (path.as_str(), missing) {
                (".", Some(name)) => name.to_owned(),
                (parent, Some(name)) => format!("{parent}.{name}"),
                (".", None) => "body".to_owned(),
                (p, None) => p.to_owned(),
            };
            ApiError::field(field, strip_position(&message))
        } else {
            ApiError::new(
                ErrorCode::MalformedJson,
                format!("The body is not valid JSON: {inner}"),
            )
        }
    })?;
    // One JSON value per body: `{"a":1} x` is not a request with a comment after it.
    de.end().map_err(|e| {
        ApiError::new(
            ErrorCode::MalformedJson,
            format!("The body has data after its JSON value: {e}"),
        )
    })?;
    Ok(value)
}

/// serde's messages end with " at line 1 column 42"; the field name says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

async fn json_bytes(req: Request, state: &AppState) -> Result<Bytes, ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|m| {
            let m = m.trim();
            m.eq_ignore_ascii_case("application/json") || m.ends_with("+json")
        });
    if !is_json {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "Set Content-Type: application/json and send a JSON body.",
        ));
    }
    let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!(
                    "The body is larger than {} bytes.",
                    state.settings.body_limit_bytes
                ),
            )
        } else {
            ApiError::new(ErrorCode::MalformedJson, rejection.body_text())
        }
    })?;
    // JSON is UTF-8: refuse other bytes up front rather than field by field.
    if let Err(e) = std::str::from_utf8(&bytes) {
        return Err(ApiError::new(
            ErrorCode::MalformedJson,
            format!("The body is not valid UTF-8 (at byte {}).", e.valid_up_to()),
        ));
    }
    Ok(bytes)
}

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

impl<T: DeserializeOwned> FromRequest<AppState> for RawJson<T> {
    type Rejection = ApiError;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        let value = parse_json(&bytes)?;
        Ok(RawJson { bytes, value })
    }
}

/// A query string, with a problem document when it does not parse.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or_default()).map(ApiQuery)
    }
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The caller as the bearer token says: staff, a channel key, or anonymous without a
/// token — or, with no bearer token, the in-app customer an `X-App-Token` names. A token
/// that is sent but unknown, expired or revoked is `unauthenticated` (`app_token_invalid`).
pub struct Authed(pub Caller);

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer(parts) {
            // An app-user token makes the caller that in-app customer (their own tickets).
            None => match header(parts, "x-app-token") {
                Some(token) => Ok(Authed(kefu_service::channels::app_token::caller(
                    &state.core,
                    token,
                )?)),
                None => Ok(Authed(Caller::Anonymous)),
            },
            Some(token) => match authenticate(&state.core, token).await? {
                Some(p) => Ok(Authed(Caller::from(p))),
                None => Err(unauthenticated()),
            },
        }
    }
}

fn unauthenticated() -> ApiError {
    ApiError::new(
        ErrorCode::Unauthenticated,
        "Send a valid token as `Authorization: Bearer <token>`.",
    )
}

fn header<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// A customer with their proof: `X-Lookup-Code`, an app-user token (`X-App-Token`), or a
/// channel key with `X-Customer-Id`.
/// Without either the caller is anonymous and the use-case refuses.
pub struct CustomerAuth(pub Caller);

impl FromRequestParts<AppState> for CustomerAuth {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(code) = header(parts, "x-lookup-code") {
            return Ok(CustomerAuth(Caller::Customer(CustomerProof::LookupCode(
                code.to_owned(),
            ))));
        }
        if let Some(token) = header(parts, "x-app-token") {
            return Ok(CustomerAuth(kefu_service::channels::app_token::caller(
                &state.core,
                token,
            )?));
        }
        let Authed(caller) = Authed::from_request_parts(parts, state).await?;
        match (caller, header(parts, "x-customer-id")) {
            (Caller::Channel(key), Some(id)) => {
                Ok(CustomerAuth(Caller::Customer(CustomerProof::Channel {
                    key,
                    external_id: id.to_owned(),
                })))
            }
            _ => Err(ApiError::new(
                ErrorCode::Unauthenticated,
                "Send the lookup code as X-Lookup-Code, or the channel's key with X-Customer-Id.",
            )),
        }
    }
}
