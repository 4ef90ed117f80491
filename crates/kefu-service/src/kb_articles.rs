//! The knowledge base as staff use it: list, read with history, edit, publish (the bot
//! answers with a published version at once on this node, on others within seconds), try
//! the bot, and the questions it could not answer. Reading is for any staff member,
//! editing for supervisors and admins.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use kefu_domain::kb::check_slug;
use kefu_domain::{AgentRole, ArticleContent, KbArticle};
use kefu_store::{ArticleDraft, ArticleVersion, StoreError, UnansweredRecord};

/// Longest question put to the bot from the console, in characters.
pub const ASK_MAX_CHARS: usize = 2000;

fn not_found(slug: &str) -> ServiceError {
    ServiceError::new(ErrorCode::ArticleNotFound, format!("No article {slug:?}."))
}

/// Articles with their latest version, filtered by category and a text they contain.
pub async fn list_articles(
    core: &Core,
    caller: &Caller,
    category: Option<&str>,
    text: Option<&str>,
) -> ServiceResult<Vec<KbArticle>> {
    caller.require(AgentRole::Agent)?;
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let mut articles = core.store.articles(false).await?;
    articles.retain(|a| {
        category.is_none_or(|c| a.category.as_deref() == Some(c))
            && text.is_none_or(|t| {
                a.content.question.contains(t)
                    || a.content.answer.contains(t)
                    || a.content.similar.iter().any(|s| s.contains(t))
            })
    });
    Ok(articles)
}

/// An article (latest version) with every version.
pub async fn find_article(
    core: &Core,
    caller: &Caller,
    slug: &str,
) -> ServiceResult<(KbArticle, Vec<ArticleVersion>)> {
    caller.require(AgentRole::Agent)?;
    let article = core
        .store
        .article(slug, true)
        .await?
        .ok_or_else(|| not_found(slug))?;
    let versions = core.store.article_versions(slug).await?;
    Ok((article, versions))
}

/// An article as an editor writes it.
pub struct ArticleInput {
    pub category: Option<String>,
    pub question: String,
    pub answer: String,
    pub similar: Vec<String>,
    pub keywords: Vec<String>,
    /// The question, answer and other phrasings in English (optional).
    pub question_en: Option<String>,
    pub answer_en: Option<String>,
    pub similar_en: Vec<String>,
    /// Publish the new version at once.
    pub publish: bool,
}

/// Saves a new version of an article (creating it), optionally publishing it.
pub async fn put_article(
    core: &Core,
    caller: &Caller,
    slug: &str,
    input: ArticleInput,
) -> ServiceResult<KbArticle> {
    let staff = caller.require(AgentRole::Supervisor)?;
    check_slug(slug).map_err(|e| ServiceError::field("id", e.to_string()))?;
    if let Some(c) = input.category.as_deref()
        && !core.catalogue().has_category(c)
    {
        return Err(ServiceError::field(
            "category",
            format!("unknown category {c:?}"),
        ));
    }
    let content = ArticleContent {
        question: input.question,
        answer: input.answer,
        similar: input.similar,
        keywords: input.keywords,
        question_en: input.question_en,
        answer_en: input.answer_en,
        similar_en: input.similar_en,
    }
    .normalized()
    .map_err(|e| ServiceError::field(e.field(), e.to_string()))?;
    let draft = ArticleDraft {
        slug: slug.to_owned(),
        category: input.category,
        content,
    };
    let by = crate::audit::actor(caller);
    let rows = crate::audit::with(move |r: &kefu_store::SaveReport| {
        let mut rows = Vec::new();
        for a in &r.saved {
            let (subject, detail) = (
                format!("article:{}", a.slug),
                serde_json::json!({ "slug": a.slug, "version": a.version }),
            );
            if a.new_version {
                rows.push(crate::audit::entry_by(
                    by,
                    "kb.article.saved",
                    Some(subject.clone()),
                    detail.clone(),
                ));
            }
            if a.published {
                rows.push(crate::audit::entry_by(
                    by,
                    "kb.article.published",
                    Some(subject),
                    detail,
                ));
            }
        }
        rows
    });
    super::kb::save_audited(
        core,
        vec![draft],
        input.publish,
        staff.map(|s| s.agent_id),
        rows,
    )
    .await?;
    core.store
        .article(slug, true)
        .await?
        .ok_or_else(|| not_found(slug))
}

/// Publishes a version (the latest when none is named); the bot answers with it at once.
pub async fn publish_article(
    core: &Core,
    caller: &Caller,
    slug: &str,
    version: Option<u32>,
) -> ServiceResult<KbArticle> {
    caller.require(AgentRole::Supervisor)?;
    let by = crate::audit::actor(caller);
    let row = crate::audit::with(move |a: &KbArticle| {
        let detail = serde_json::json!({ "slug": a.slug, "version": a.published_version });
        let subject = Some(format!("article:{}", a.slug));
        vec![crate::audit::entry_by(
            by,
            "kb.article.published",
            subject,
            detail,
        )]
    });
    let article = core
        .store
        .publish_article_audited(slug, version, jiff::Timestamp::now(), row)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => not_found(slug),
            other => other.into(),
        })?;
    super::bot::refresh(core).await?;
    Ok(article)
}

/// What the bot would do with a question, and its best matches.
pub struct BotAnswer {
    pub turn: kefu_bot::BotTurn,
    /// `(article id, question, score)`, best first.
    pub matches: Vec<(String, String, f64)>,
}

/// Puts a question to the bot without a conversation (staff trying the knowledge base).
pub async fn ask_bot(core: &Core, caller: &Caller, question: &str) -> ServiceResult<BotAnswer> {
    caller.require(AgentRole::Agent)?;
    let mut c = super::validate::Checks::default();
    let question = c.text("question", question, 1, ASK_MAX_CHARS);
    c.finish()?;
    let bot = super::bot::current(core)
        .ok_or_else(|| ServiceError::new(ErrorCode::ServiceUnavailable, "The bot is not ready."))?;
    super::bot::off_runtime(move || {
        let turn = bot.respond(&question, &kefu_bot::ConversationState::default());
        let matches = bot
            .rank(&question, 5)
            .into_iter()
            .map(|r| {
                let q = bot
                    .entry(&r.id)
                    .map(|e| e.question.clone())
                    .unwrap_or_default();
                (r.id, q, r.score)
            })
            .collect();
        BotAnswer { turn, matches }
    })
    .await
}

/// Questions the bot could not answer, newest first (supervisors: knowledge-base editors).
pub async fn list_unanswered(
    core: &Core,
    caller: &Caller,
    limit: u32,
) -> ServiceResult<Vec<UnansweredRecord>> {
    caller.require(AgentRole::Supervisor)?;
    if !(1..=500).contains(&limit) {
        return Err(ServiceError::field("limit", "must be from 1 to 500"));
    }
    Ok(core.store.unanswered(limit).await?)
}
