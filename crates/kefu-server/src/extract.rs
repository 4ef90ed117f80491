//! Extractors that turn bad input into our problem documents: JSON bodies, query strings and
//! the caller's identity.

use crate::auth::{Principal, token_hash};
use crate::error::{ApiError, ErrorCode};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{StatusCode, header, request::Parts};
use kefu_domain::{AgentId, AgentRole};
use kefu_store::CredentialKind;
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
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
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
    })
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
        axum::extract::Query::<T>::try_from_uri(&parts.uri)
            .map(|q| ApiQuery(q.0))
            .map_err(|e| ApiError::field("query", e.body_text()))
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

/// Resolves a bearer token to its principal (cache first, then the database).
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<Principal>, ApiError> {
    let hash = token_hash(token);
    if let Some(p) = state.principals.get(&hash) {
        return Ok(Some(p));
    }
    let now = jiff::Timestamp::now().as_millisecond();
    let Some(cred) = state.store.credential_by_token(&hash, now).await? else {
        return Ok(None);
    };
    let principal = match (cred.kind, cred.agent_id) {
        (_, Some(agent_id)) => {
            let agent = state.store.agent(agent_id).await?;
            if !agent.active {
                return Ok(None);
            }
            Principal::Staff {
                agent_id,
                role: agent.role,
                credential: cred.id,
            }
        }
        (CredentialKind::ApiKey, None) => Principal::Channel {
            key_id: cred.id,
            channel: cred.channel,
        },
        (CredentialKind::Session, None) => return Ok(None),
    };
    // Sessions can expire before the cache entry would: only cache what stays valid.
    if cred.expires_at.is_none() {
        state.principals.put(hash, principal.clone());
    }
    Ok(Some(principal))
}

/// The caller, if a valid bearer token came with the request.
pub struct MaybeAuth(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer(parts) {
            None => Ok(MaybeAuth(None)),
            Some(token) => match resolve(state, token).await? {
                Some(p) => Ok(MaybeAuth(Some(p))),
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

/// Any authenticated caller.
pub struct Auth(pub Principal);

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match MaybeAuth::from_request_parts(parts, state).await?.0 {
            Some(p) => Ok(Auth(p)),
            None => Err(unauthenticated()),
        }
    }
}

/// An authenticated staff member.
#[derive(Debug, Clone, Copy)]
pub struct Staff {
    pub agent_id: AgentId,
    pub role: AgentRole,
    pub credential: kefu_domain::ApiKeyId,
}

impl Staff {
    /// Fails with `forbidden` unless the role covers `needed`.
    pub fn require(&self, needed: AgentRole) -> Result<(), ApiError> {
        if self.role.covers(needed) {
            Ok(())
        } else {
            Err(ApiError::new(
                ErrorCode::Forbidden,
                format!("This needs the {needed} role; you are {}.", self.role),
            ))
        }
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match Auth::from_request_parts(parts, state).await?.0 {
            Principal::Staff {
                agent_id,
                role,
                credential,
            } => Ok(Staff {
                agent_id,
                role,
                credential,
            }),
            Principal::Channel { .. } => Err(ApiError::new(
                ErrorCode::Forbidden,
                "Channel API keys cannot use staff routes.",
            )),
        }
    }
}
