//! `/api/v1/kb` and `/api/v1/bot`: the knowledge base agents and the bot share, trying the
//! bot, and the questions it could not answer.

use crate::extract::{ApiJson, ApiQuery, Authed};
use crate::problem::{ApiResult, Problem};
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use kefu_domain::KbArticle;
use kefu_service::kb_articles;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A knowledge-base article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: String,
    pub category: Option<String>,
    pub question: String,
    pub answer: String,
    pub similar: Vec<String>,
    pub keywords: Vec<String>,
    /// The question in English (absent when the article has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_en: Option<String>,
    /// The answer in English, given to customers who write English.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_en: Option<String>,
    /// Other phrasings in English.
    pub similar_en: Vec<String>,
    /// The version shown here.
    pub version: u32,
    /// The version the bot and customers see (absent while only drafts exist).
    pub published_version: Option<u32>,
    pub latest_version: u32,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl From<&KbArticle> for ArticleView {
    fn from(a: &KbArticle) -> Self {
        Self {
            id: a.slug.clone(),
            category: a.category.clone(),
            question: a.content.question.clone(),
            answer: a.content.answer.clone(),
            similar: a.content.similar.clone(),
            keywords: a.content.keywords.clone(),
            question_en: a.content.question_en.clone(),
            answer_en: a.content.answer_en.clone(),
            similar_en: a.content.similar_en.clone(),
            version: a.version,
            published_version: a.published_version,
            latest_version: a.latest_version,
            updated_at: a.updated_at,
        }
    }
}

/// Filters of the article list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListArticlesQuery {
    /// A category code.
    #[param(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub category: Option<String>,
    /// Only articles whose question or answer contains this text.
    pub q: Option<String>,
}

/// Lists articles with their latest version (any staff).
#[utoipa::path(get, path = "/api/v1/kb/articles", operation_id = "list_articles", tag = "kb", params(ListArticlesQuery),
    responses((status = 200, body = [ArticleView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_articles(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<ListArticlesQuery>,
) -> ApiResult<Json<Vec<ArticleView>>> {
    let articles =
        kb_articles::list_articles(&state, &caller, q.category.as_deref(), q.q.as_deref()).await?;
    Ok(Json(articles.iter().map(ArticleView::from).collect()))
}

/// One version of an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleVersionView {
    pub version: u32,
    pub question: String,
    pub answer: String,
    pub similar: Vec<String>,
    pub keywords: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question_en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer_en: Option<String>,
    pub similar_en: Vec<String>,
    pub author_agent_id: Option<i64>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

/// An article with every version.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleDetail {
    pub article: ArticleView,
    pub versions: Vec<ArticleVersionView>,
}

/// Reads an article (latest version) and its history (any staff).
#[utoipa::path(get, path = "/api/v1/kb/articles/{id}", operation_id = "find_article", tag = "kb", params(("id" = String, Path, description = "The article's id (slug)", pattern = "^[A-Za-z0-9._-]{1,80}$")),
    responses((status = 200, body = ArticleDetail), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn find_article(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
) -> ApiResult<Json<ArticleDetail>> {
    let (article, versions) = kb_articles::find_article(&state, &caller, &id).await?;
    Ok(Json(ArticleDetail {
        article: (&article).into(),
        versions: versions
            .into_iter()
            .map(|v| ArticleVersionView {
                version: v.version,
                question: v.content.question,
                answer: v.content.answer,
                similar: v.content.similar,
                keywords: v.content.keywords,
                question_en: v.content.question_en,
                answer_en: v.content.answer_en,
                similar_en: v.content.similar_en,
                author_agent_id: v.author.map(|a| a.0),
                created_at: v.created_at,
            })
            .collect(),
    }))
}

/// New content for an article: creates it, or adds a version when anything changed.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutArticleRequest {
    /// A category code from the catalogue.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub category: Option<String>,
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub question: String,
    /// 1–5,000 characters.
    #[schema(min_length = 1, max_length = 5000)]
    pub answer: String,
    /// Other phrasings of the question: at most 100, each 1–200 characters.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub similar: Vec<String>,
    /// At most 20 words of 1–40 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub keywords: Vec<String>,
    /// The question in English: 1–200 characters (blank counts as absent).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub question_en: Option<String>,
    /// The answer in English, given to customers who write English: 1–5,000 characters
    /// (blank counts as absent).
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub answer_en: Option<String>,
    /// Other phrasings in English: at most 100, each 1–200 characters.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub similar_en: Vec<String>,
    /// Publish at once (the bot answers with it from now on). Default false: a draft.
    #[serde(default)]
    pub publish: bool,
}

/// Creates an article or a new version of it (supervisors and admins).
#[utoipa::path(put, path = "/api/v1/kb/articles/{id}", operation_id = "put_article", tag = "kb", params(("id" = String, Path, description = "The article's id (slug)", pattern = "^[A-Za-z0-9._-]{1,80}$")), request_body = PutArticleRequest,
    responses((status = 200, body = ArticleView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn put_article(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PutArticleRequest>,
) -> ApiResult<Json<ArticleView>> {
    let input = kb_articles::ArticleInput {
        category: req.category,
        question: req.question,
        answer: req.answer,
        similar: req.similar,
        keywords: req.keywords,
        question_en: req.question_en,
        answer_en: req.answer_en,
        similar_en: req.similar_en,
        publish: req.publish,
    };
    let article = kb_articles::put_article(&state, &caller, &id, input).await?;
    Ok(Json((&article).into()))
}

/// Which version to publish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// The latest when absent.
    #[schema(minimum = 1)]
    pub version: Option<u32>,
}

/// Publishes a version; the bot index is rebuilt at once (supervisors and admins).
#[utoipa::path(post, path = "/api/v1/kb/articles/{id}/publish", operation_id = "publish_article", tag = "kb", params(("id" = String, Path, description = "The article's id (slug)", pattern = "^[A-Za-z0-9._-]{1,80}$")), request_body = PublishRequest,
    responses((status = 200, body = ArticleView), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn publish_article(
    State(state): State<AppState>,
    Authed(caller): Authed,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PublishRequest>,
) -> ApiResult<Json<ArticleView>> {
    let article = kb_articles::publish_article(&state, &caller, &id, req.version).await?;
    Ok(Json((&article).into()))
}

/// A question to try the bot with.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AskRequest {
    /// 1–2,000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub question: String,
}

/// A match and its score.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchView {
    pub id: String,
    pub question: String,
    pub score: f64,
}

/// What the bot would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct AskResponse {
    #[schema(value_type = crate::openapi::BotDecisionName)]
    pub decision: String,
    pub reply: String,
    pub matches: Vec<MatchView>,
}

/// Tries the bot on a question without touching any ticket (any staff).
#[utoipa::path(post, path = "/api/v1/bot/ask", operation_id = "ask_bot", tag = "kb", request_body = AskRequest,
    responses((status = 200, body = AskResponse), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn ask_bot(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiJson(req): ApiJson<AskRequest>,
) -> ApiResult<Json<AskResponse>> {
    let answer = kb_articles::ask_bot(&state, &caller, &req.question).await?;
    let turn = answer.turn;
    let matches = answer
        .matches
        .into_iter()
        .map(|(id, question, score)| MatchView {
            id,
            question,
            score,
        })
        .collect();
    Ok(Json(AskResponse {
        decision: turn.decision.kind().into(),
        reply: turn.reply,
        matches,
    }))
}

/// Paging of the unanswered list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UnansweredQuery {
    /// 1–500, default 100.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

/// A question the bot could not answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnansweredView {
    pub id: i64,
    pub ticket_id: i64,
    pub question: String,
    /// no_match, low_confidence_twice or not_helpful.
    pub reason: String,
    pub article_id: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

/// Questions the bot could not answer, newest first: candidates for new articles
/// (supervisors and admins).
#[utoipa::path(get, path = "/api/v1/bot/unanswered", operation_id = "list_unanswered", tag = "kb", params(UnansweredQuery),
    responses((status = 200, body = [UnansweredView]), (status = "4XX", body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list_unanswered(
    State(state): State<AppState>,
    Authed(caller): Authed,
    ApiQuery(q): ApiQuery<UnansweredQuery>,
) -> ApiResult<Json<Vec<UnansweredView>>> {
    let rows = kb_articles::list_unanswered(&state, &caller, q.limit.unwrap_or(100)).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| UnansweredView {
                id: r.id,
                ticket_id: r.ticket_id.0,
                question: r.question.query,
                reason: r.question.reason,
                article_id: r.question.top_article,
                at: r.at,
            })
            .collect(),
    ))
}

/// Whether the bot's last answer helped.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRequest {
    pub helpful: bool,
}
