//! The web pages, served by the same binary: the customer help center (`/`, search, articles)
//! and "check my ticket" (`/ticket`). Server-rendered templates ([`render`]), one static style
//! sheet and one small script ([`assets`]), zh-CN by default and English on request
//! ([`lang`], [`texts`]), CSRF on every form ([`csrf`]). Handlers are thin: the reads and
//! writes are kefu-service's use-cases, called as an anonymous reader or as a customer with
//! their lookup code, or with a survey link's token (`/survey`, [`survey`]). The live chat (`/chat`, framed by `/widget.js`) and the online form
//! (`/form`) act as the signed visitor cookie's customer ([`visitor`], [`chat`], [`form`]).
//! The staff console (`/console`) is in [`console`].

pub mod assets;
pub mod charts;
pub mod chat;
pub mod chat_assets;
pub mod console;
pub mod console_admin;
pub mod csrf;
pub mod error;
pub mod form;
pub mod form_errors;
pub mod help;
pub mod lang;
pub mod render;
pub mod report_charts;
pub mod survey;
pub mod texts;
pub mod ticket;
pub mod visitor;

use crate::state::AppState;
use axum::Router;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::get;

/// The pages' routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(help::show_help_center))
        .route("/help/search", get(help::show_search_results))
        .route("/help/articles/{id}", get(help::show_article))
        .route(
            "/ticket",
            get(ticket::show_ticket_form).post(ticket::check_ticket),
        )
        .route(
            "/ticket/reply",
            axum::routing::post(ticket::reply_on_ticket),
        )
        .route(
            "/ticket/survey",
            axum::routing::post(ticket::answer_survey_on_ticket),
        )
        .route(
            "/survey",
            get(survey::show_survey).post(survey::answer_survey),
        )
        .route("/static/{file}", get(assets::serve_asset))
        .merge(console::routes())
        .merge(console_admin::routes())
        .route("/chat", get(chat::show_chat))
        .route("/chat/session", get(chat::find_chat_session))
        .route("/chat/start", axum::routing::post(chat::start_chat))
        .route(
            "/form",
            // Images are bigger than other bodies; the handler applies the form's limit.
            get(form::show_form)
                .post(form::submit_form)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/widget.js", get(chat_assets::serve_widget))
}

/// Whether a request for an unknown address came from a browser reading pages (not the API,
/// not a script): it gets the HTML error page instead of a problem document.
pub fn wants_page(uri: &Uri, headers: &HeaderMap) -> bool {
    !uri.path().starts_with("/api/")
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
}

/// The HTML 404 page.
pub fn not_found_page(uri: &Uri, headers: &HeaderMap) -> Response {
    error::error_page(&lang::PageLang::of(uri, headers), StatusCode::NOT_FOUND)
}
