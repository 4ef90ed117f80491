//! `/api/v1/help`: the help center's anonymous search, which the search box calls as the
//! customer types. Published entries only; limited per client address.

use crate::extract::ApiQuery;
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use kefu_service::help::{self, SEARCH_LIMIT};
use kefu_service::{Caller, Lang};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What to search for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HelpSearchQuery {
    /// The question as typed so far (1–200 characters after trimming).
    #[param(min_length = 1, max_length = 200)]
    pub q: String,
    /// The language of the questions and answers returned (`zh-CN` by default; an entry
    /// without English text is returned in Chinese).
    #[param(value_type = Option<crate::openapi::HelpLanguageName>)]
    pub lang: Option<String>,
}

/// One published entry that matches.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpMatchView {
    /// The knowledge-base entry id.
    pub id: String,
    /// Its question in the requested language.
    pub question: String,
    /// Its answer in the requested language.
    pub answer: String,
    /// The category code (service domain), if any.
    pub category: Option<String>,
    /// Similarity in [0, 1].
    #[schema(minimum = 0, maximum = 1)]
    pub score: f64,
    /// The article page.
    pub url: String,
}

/// The matches, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct HelpSearchResults {
    #[schema(max_items = 5)]
    pub items: Vec<HelpMatchView>,
}

/// Searches the published knowledge base (no login): the bot's best matches, best first,
/// at most five, none below a floor of similarity.
#[utoipa::path(get, path = "/api/v1/help/search", operation_id = "search_help", tag = "help",
    params(HelpSearchQuery),
    responses((status = 200, body = HelpSearchResults), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
pub async fn search_help(
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<HelpSearchQuery>,
) -> ApiResult<Json<HelpSearchResults>> {
    let lang = match query.lang.as_deref() {
        None => Lang::default(),
        Some(tag) => Lang::parse(tag)
            .ok_or_else(|| crate::problem::ApiError::field("lang", "must be zh-CN or en"))?,
    };
    let found = help::search(&state, &Caller::Anonymous, &query.q, lang).await?;
    debug_assert!(found.len() <= SEARCH_LIMIT);
    Ok(Json(HelpSearchResults {
        items: found
            .into_iter()
            .map(|m| HelpMatchView {
                url: format!("/help/articles/{}", m.entry.id),
                id: m.entry.id,
                question: m.entry.question,
                answer: m.entry.answer,
                category: m.entry.category,
                score: m.score,
            })
            .collect(),
    }))
}
