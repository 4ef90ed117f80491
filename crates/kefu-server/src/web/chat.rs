//! The live chat page (`/chat`, `/chat?embed=1` inside the widget's frame) and the two
//! calls its script makes as the visitor of the signed cookie ([`super::visitor`]):
//! `GET /chat/session` (the visitor's open chat, if any) and `POST /chat/start` (the first
//! message opens the chat; the bot answers at once). Everything after that — messages,
//! picks, images, the live channel — goes through the customer API and `/api/v1/live` with
//! the chat's lookup code, which the session call hands to the visitor's own page. The
//! identity rules are kefu-service's ([`kefu_service::visitor`]).

use super::chat_assets as assets;
use super::csrf::CsrfKey;
use super::lang::PageLang;
use super::render::{CSP, Extra, page};
use super::visitor::{script_call_allowed, visitor, visitor_or_new};
use crate::client_addr::ClientAddr;
use crate::extract::ApiJson;
use crate::problem::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use kefu_service::visitor::{self as visitors, OwnTicket, VisitorTicketInput};
use kefu_service::{ErrorCode, visitor::caller};
use serde::{Deserialize, Serialize};

/// The chat page's values.
#[derive(Serialize)]
struct ChatView {
    csrf: String,
    embed: bool,
    chat_js: String,
    chat_css: String,
}

/// Whether the address asks for the framed chat (`?embed=1`).
fn embedded(uri: &Uri) -> bool {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .any(|(k, v)| k == "embed" && v == "1")
}

/// The policy of the framed chat: the page's own, except that any site may frame it (the
/// widget runs on other sites and in the app's web views).
fn embed_csp() -> String {
    CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
}

/// `GET /chat`.
pub async fn show_chat(State(state): State<AppState>, uri: Uri, headers: HeaderMap) -> Response {
    let lang = PageLang::of(&uri, &headers);
    let embed = embedded(&uri);
    let (csrf, set) = CsrfKey::derive(&state.lookup_secret).token_for(&headers);
    let mut response = page(
        &lang,
        StatusCode::OK,
        "chat.html",
        ChatView {
            csrf,
            embed,
            chat_js: assets::JS.href(),
            chat_css: assets::CSS.href(),
        },
        Extra {
            cookies: set.into_iter().collect(),
            private: true,
        },
    );
    if embed && let Ok(csp) = HeaderValue::from_str(&embed_csp()) {
        let h = response.headers_mut();
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
        // Browsers that know `frame-ancestors` ignore this; older ones allow the same site.
        h.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    response
}

/// The visitor's chat as the script sees it.
#[derive(Debug, Serialize)]
pub struct ChatSession {
    /// 15 digits.
    number: String,
    /// Grouped for reading.
    number_display: String,
    /// The chat's lookup code (the visitor's own: the API and the live channel take it).
    lookup_code: String,
    status: &'static str,
}

impl From<OwnTicket> for ChatSession {
    fn from(t: OwnTicket) -> Self {
        Self {
            number: t.ticket.number.as_string(),
            number_display: t.ticket.number.grouped(),
            lookup_code: t.lookup_code,
            status: t.ticket.status.as_str(),
        }
    }
}

/// `{"chat": ChatSession | null}`.
#[derive(Debug, Serialize)]
pub struct SessionResponse {
    chat: Option<ChatSession>,
}

fn private_json<T: Serialize>(
    status: StatusCode,
    body: T,
    cookie: Option<HeaderValue>,
) -> Response {
    let mut response = (status, Json(body)).into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(c) = cookie {
        h.insert(header::SET_COOKIE, c);
    }
    response
}

/// `GET /chat/session`: the cookie's visitor's open chat, or `null`.
pub async fn find_chat_session(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let chat = match visitor(&state, &headers) {
        Some(who) => visitors::current_chat(&state, &caller(who)).await?,
        None => None,
    };
    Ok(private_json(
        StatusCode::OK,
        SessionResponse {
            chat: chat.map(Into::into),
        },
        None,
    ))
}

/// The first message of a chat.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartChatRequest {
    body: String,
    /// The page's language (the bot answers in it).
    lang: Option<String>,
}

/// `{"chat": ChatSession, "opened": bool}`.
#[derive(Debug, Serialize)]
pub struct StartChatResponse {
    chat: ChatSession,
    opened: bool,
}

/// `POST /chat/start`: the visitor's message opens their chat (or goes to the open one).
pub async fn start_chat(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    ApiJson(req): ApiJson<StartChatRequest>,
) -> ApiResult<Response> {
    if !script_call_allowed(&state, &headers) {
        tracing::info!("chat call refused: missing or bad CSRF token, or another origin");
        return Err(ApiError::new(
            ErrorCode::Forbidden,
            "Send the page's CSRF token in X-Kefu-Csrf, from this site.",
        ));
    }
    if state.rate_limits.check_visitor_intake(addr).is_err() {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "Too many requests from this address; wait a moment.",
        ));
    }
    let (who, set) = visitor_or_new(&state, &headers);
    let language = req
        .lang
        .as_deref()
        .and_then(kefu_service::Lang::parse)
        .map(|l| l.tag().to_owned());
    let input = VisitorTicketInput {
        body: req.body,
        language,
        ..VisitorTicketInput::default()
    };
    let turn = visitors::start_chat(&state, &caller(who), input).await?;
    let status = if turn.opened {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(private_json(
        status,
        StartChatResponse {
            chat: turn.chat.into(),
            opened: turn.opened,
        },
        set,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_embedded_chat_may_be_framed_and_only_that_changes() {
        assert!(embedded(&"/chat?embed=1&lang=en".parse().unwrap()));
        assert!(!embedded(&"/chat?embed=0".parse().unwrap()));
        let csp = embed_csp();
        assert!(csp.contains("frame-ancestors *"), "{csp}");
        assert_eq!(
            csp.replace("frame-ancestors *", "frame-ancestors 'none'"),
            CSP
        );
    }
}
