//! The help center's pages (no login): `/` with search, popular questions and the FAQs by
//! domain; `/help/search?q=` (the search without JavaScript); `/help/articles/{id}`.

use super::error::{error_page, service_error_page};
use super::lang::PageLang;
use super::render::{Extra, page};
use crate::client_addr::ClientAddr;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use kefu_service::help::{self, HelpEntry};
use kefu_service::{Caller, ServiceError};
use serde::Serialize;

/// An entry as the templates show it.
#[derive(Serialize)]
struct EntryView {
    id: String,
    question: String,
    answer: String,
    /// The start of the answer, for result lists.
    excerpt: String,
}

/// Characters of an answer shown in a result list.
const EXCERPT_CHARS: usize = 120;

/// The first `max` characters of `text`, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(max).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

impl From<HelpEntry> for EntryView {
    fn from(e: HelpEntry) -> Self {
        Self {
            excerpt: excerpt(&e.answer, EXCERPT_CHARS),
            id: e.id,
            question: e.question,
            answer: e.answer,
        }
    }
}

#[derive(Serialize)]
struct HomeView {
    popular: Vec<EntryView>,
    domains: Vec<DomainView>,
    q: &'static str,
}

#[derive(Serialize)]
struct SearchView {
    q: String,
    results: Vec<EntryView>,
    searched: bool,
}

#[derive(Serialize)]
struct ArticleView {
    article: EntryView,
}

#[derive(Serialize)]
struct DomainView {
    code: String,
    name: String,
    entries: Vec<EntryView>,
}

/// `GET /`.
pub async fn show_help_center(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = PageLang::of(&uri, &headers);
    let caller = Caller::Anonymous;
    let read = match help::popular(&state, &caller, lang.lang).await {
        Ok(p) => help::domains(&state, &caller, lang.lang).map(|d| (p, d)),
        Err(e) => Err(e),
    };
    let (popular, domains) = match read {
        Ok(r) => r,
        Err(e) => return service_error_page(&lang, &e),
    };
    let popular: Vec<EntryView> = popular.into_iter().map(Into::into).collect();
    let domains: Vec<DomainView> = domains
        .into_iter()
        .map(|d| DomainView {
            code: d.code,
            name: d.name,
            entries: d.entries.into_iter().map(Into::into).collect(),
        })
        .collect();
    page(
        &lang,
        StatusCode::OK,
        "home.html",
        HomeView {
            popular,
            domains,
            q: "",
        },
        Extra::default(),
    )
}

/// `GET /help/search?q=`: the results rendered here, for readers without JavaScript.
/// Limited per client address like the search route.
pub async fn show_search_results(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = PageLang::of(&uri, &headers);
    let q = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut invalid = false;
    let results: Vec<EntryView> = if q.trim().is_empty() {
        Vec::new()
    } else {
        if state.rate_limits.check_help_search(addr).is_err() {
            return error_page(&lang, StatusCode::TOO_MANY_REQUESTS);
        }
        match help::search(&state, &Caller::Anonymous, &q, lang.lang).await {
            Ok(found) => found.into_iter().map(|m| m.entry.into()).collect(),
            Err(e) if is_validation(&e) => {
                invalid = true;
                Vec::new()
            }
            Err(e) => return service_error_page(&lang, &e),
        }
    };
    let status = if invalid {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    page(
        &lang,
        status,
        "search.html",
        SearchView {
            searched: !q.trim().is_empty(),
            q,
            results,
        },
        Extra::default(),
    )
}

fn is_validation(e: &ServiceError) -> bool {
    e.code == kefu_service::ErrorCode::ValidationFailed
}

/// `GET /help/articles/{id}`: a published article in the reader's language.
pub async fn show_article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let lang = PageLang::of(&uri, &headers);
    match help::article(&state, &Caller::Anonymous, &id, lang.lang) {
        Ok(entry) => page(
            &lang,
            StatusCode::OK,
            "article.html",
            ArticleView {
                article: entry.into(),
            },
            Extra::default(),
        ),
        Err(e) => service_error_page(&lang, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_cuts_at_characters_and_says_so() {
        assert_eq!(excerpt("登录不上怎么办", 4), "登录不上…");
        assert_eq!(excerpt("短", 4), "短");
    }
}
