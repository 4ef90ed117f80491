//! `/api/v1/learning`: the learning loop for knowledge-base editors (supervisors and
//! admins) — clusters of unanswered questions with a suggested entry, FAQ proposals from
//! tickets people resolved, and the bot's containment and helpful rate per article version
//! (kefu-service's `learning`).

use super::kb::ArticleView;
use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kefu_service::learning::{self, DismissKind, SuggestedEntry};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// How many of the newest questions (or resolved tickets) to cluster.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct WindowQuery {
    /// 1–5,000, default 1,000.
    #[param(minimum = 1, maximum = 5000)]
    pub limit: Option<u32>,
}

/// The entry the bot ranks best for some questions.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestedEntryView {
    /// The article id.
    pub id: String,
    pub question: String,
    /// The bot's mean confidence in it over the questions, 0–1.
    pub score: f64,
    /// The confidence reaches the bot's threshold for offering an entry: likely the right
    /// home for the questions (below it, only the closest there is).
    pub close: bool,
}

fn suggestion(s: Option<SuggestedEntry>) -> Option<SuggestedEntryView> {
    s.map(|s| SuggestedEntryView {
        id: s.slug,
        question: s.question,
        score: s.score,
        close: s.close,
    })
}

/// A reason and how many questions had it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonCount {
    /// no_match, low_confidence_twice or not_helpful.
    pub reason: String,
    pub count: usize,
}

/// A cluster of questions the bot could not answer (or whose answer did not help).
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionClusterView {
    /// The cluster's key, to dismiss it.
    pub key: String,
    /// How many questions it holds.
    pub volume: usize,
    /// Up to 5 distinct questions, the most typical first.
    pub examples: Vec<String>,
    /// Up to 20 distinct questions: what "add as similar phrasings" adds.
    pub questions: Vec<String>,
    pub reasons: Vec<ReasonCount>,
    #[schema(value_type = String, format = DateTime)]
    pub last_at: jiff::Timestamp,
    /// The entry to add them to (absent when the bot finds none).
    pub suggested: Option<SuggestedEntryView>,
}

/// Clusters of unanswered and "not helpful" questions, largest first, without the
/// dismissed ones (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/learning/clusters", operation_id = "list_question_clusters", tag = "learning", params(WindowQuery),
    responses((status = 200, body = [QuestionClusterView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_question_clusters(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> ApiResult<Json<Vec<QuestionClusterView>>> {
    let clusters = learning::clusters::list_clusters(&state, &caller, q.limit).await?;
    Ok(Json(
        clusters
            .into_iter()
            .map(|c| QuestionClusterView {
                key: c.key.clone(),
                volume: c.volume,
                examples: c.examples().to_vec(),
                reasons: c
                    .reasons
                    .iter()
                    .map(|(reason, count)| ReasonCount {
                        reason: reason.clone(),
                        count: *count,
                    })
                    .collect(),
                last_at: c.last_at,
                suggested: suggestion(c.suggested),
                questions: c.questions,
            })
            .collect(),
    ))
}

/// Questions to add to an article as similar phrasings.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddPhrasingsRequest {
    /// The article id.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,80}$")]
    pub article: String,
    /// 1–20 phrasings of 1–200 characters.
    #[schema(min_items = 1, max_items = 20)]
    pub phrasings: Vec<String>,
    /// Publish the new version at once (default true).
    #[serde(default = "yes")]
    pub publish: bool,
    /// The cluster they came from, dismissed with it.
    #[schema(min_length = 1, max_length = 1000)]
    pub cluster: Option<String>,
}

fn yes() -> bool {
    true
}

/// Adds questions to an article as similar phrasings: a new version by the caller
/// (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/learning/phrasings", operation_id = "add_similar_phrasings", tag = "learning", request_body = AddPhrasingsRequest,
    responses((status = 200, body = ArticleView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn add_similar_phrasings(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<AddPhrasingsRequest>,
) -> ApiResult<Json<ArticleView>> {
    let article = learning::clusters::add_phrasings(
        &state,
        &caller,
        &req.article,
        req.phrasings,
        req.publish,
        req.cluster.as_deref(),
    )
    .await?;
    Ok(Json((&article).into()))
}

/// A FAQ entry proposed from tickets people resolved.
#[derive(Debug, Serialize, ToSchema)]
pub struct FaqProposalView {
    /// The proposal's key, to approve or dismiss it.
    pub key: String,
    /// Tickets whose questions are in the cluster.
    pub tickets: usize,
    /// Up to 20 distinct questions, the most typical first.
    pub questions: Vec<String>,
    /// Up to 5 of the tickets.
    pub numbers: Vec<String>,
    /// The agents' most used reply.
    pub answer: String,
    /// Tickets that got that kind of reply.
    pub answer_tickets: usize,
    /// The closest existing article, if the bot finds one.
    pub closest: Option<SuggestedEntryView>,
    /// The article id an approval creates by default.
    pub id: String,
}

/// FAQ proposals, most tickets first, without dismissed or approved ones (supervisors and
/// admins).
#[utoipa::path(get, path = "/api/v1/learning/proposals", operation_id = "list_faq_proposals", tag = "learning", params(WindowQuery),
    responses((status = 200, body = [FaqProposalView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_faq_proposals(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<WindowQuery>,
) -> ApiResult<Json<Vec<FaqProposalView>>> {
    let proposals = learning::proposals::list_proposals(&state, &caller, q.limit).await?;
    Ok(Json(
        proposals
            .into_iter()
            .map(|p| FaqProposalView {
                key: p.key,
                tickets: p.tickets,
                questions: p.questions,
                numbers: p.numbers.iter().map(ToString::to_string).collect(),
                answer: p.answer,
                answer_tickets: p.answer_tickets,
                closest: suggestion(p.closest),
                id: p.slug,
            })
            .collect(),
    ))
}

/// An approved proposal, as the editor left it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveProposalRequest {
    /// The proposal's key.
    #[schema(min_length = 1, max_length = 1000)]
    pub key: String,
    /// The new article's id (must not exist).
    #[schema(pattern = "^[A-Za-z0-9._-]{1,80}$")]
    pub id: String,
    /// A category code from the catalogue.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub category: Option<String>,
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub question: String,
    /// 1–5,000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub answer: String,
    /// Other phrasings: at most 100, each 1–200 characters.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub similar: Vec<String>,
}

/// Approves a proposal: saves it as a new draft article (publish it in the knowledge-base
/// editor) and hides the proposal (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/learning/proposals/approve", operation_id = "approve_faq_proposal", tag = "learning", request_body = ApproveProposalRequest,
    responses((status = 200, body = ArticleView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn approve_faq_proposal(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<ApproveProposalRequest>,
) -> ApiResult<Json<ArticleView>> {
    let article = learning::proposals::approve(
        &state,
        &caller,
        learning::proposals::Approval {
            key: req.key,
            slug: req.id,
            category: req.category,
            question: req.question,
            answer: req.answer,
            similar: req.similar,
        },
    )
    .await?;
    Ok(Json((&article).into()))
}

/// What is dismissed.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DismissKindName {
    Cluster,
    Proposal,
}

/// A cluster or proposal to hide.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissRequest {
    pub kind: DismissKindName,
    /// Its key.
    #[schema(min_length = 1, max_length = 1000)]
    pub key: String,
}

/// Hides a cluster or proposal; dismissing twice is harmless (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/learning/dismissals", operation_id = "dismiss_learning_item", tag = "learning", request_body = DismissRequest,
    responses((status = 204, description = "Dismissed"), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn dismiss_learning_item(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<DismissRequest>,
) -> ApiResult<StatusCode> {
    let kind = match req.kind {
        DismissKindName::Cluster => DismissKind::Cluster,
        DismissKindName::Proposal => DismissKind::Proposal,
    };
    learning::dismiss(&state, &caller, kind, &req.key).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One version of an article and the bot's answers with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionOutcomeView {
    pub version: u32,
    /// The editor who saved it (absent for imports).
    pub author: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    /// The version published now.
    pub published: bool,
    pub answers: i64,
    pub contained: i64,
    pub helpful_yes: i64,
    pub helpful_no: i64,
    /// contained / answers (absent without answers).
    pub containment_rate: Option<f64>,
    /// helpful / (helpful + not helpful) (absent without feedback).
    pub helpful_rate: Option<f64>,
}

/// An article the bot answered with, and its versions, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleOutcomesView {
    pub id: String,
    pub question: String,
    pub published_version: Option<u32>,
    pub answers: i64,
    pub versions: Vec<VersionOutcomeView>,
}

/// Containment and helpful rate of the bot's answers per article version, most answered
/// articles first (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/learning/versions", operation_id = "list_version_outcomes", tag = "learning",
    responses((status = 200, body = [ArticleOutcomesView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_version_outcomes(
    State(state): State<AppState>,
    Authed(caller): Authed,
) -> ApiResult<Json<Vec<ArticleOutcomesView>>> {
    let articles = learning::versions::list_version_outcomes(&state, &caller).await?;
    Ok(Json(
        articles
            .into_iter()
            .map(|a| ArticleOutcomesView {
                id: a.slug,
                question: a.question,
                published_version: a.published_version,
                answers: a.answers,
                versions: a
                    .versions
                    .into_iter()
                    .map(|v| VersionOutcomeView {
                        containment_rate: v.containment_rate(),
                        helpful_rate: v.helpful_rate(),
                        version: v.version,
                        author: v.author,
                        created_at: v.created_at,
                        published: v.published,
                        answers: v.answers,
                        contained: v.contained,
                        helpful_yes: v.helpful_yes,
                        helpful_no: v.helpful_no,
                    })
                    .collect(),
            })
            .collect(),
    ))
}
