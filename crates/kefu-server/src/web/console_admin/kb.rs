//! The knowledge-base editor: `GET /console/kb` lists the articles (with a search),
//! `GET /console/kb/{id}` edits one — question, answer, other phrasings, keywords and the
//! English fields — with its versions and the diff between two of them
//! (`?from=&to=`, kefu-service's `kb_diff`); `POST /console/kb/{id}` saves a new version
//! (and publishes it when asked), `POST /console/kb/{id}/publish` publishes a version. The
//! bot answers with a published version at once. `GET /console/kb/new` starts an article.

use super::super::console::enter;
use super::{categories, page, posted, redirect, time};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use kefu_service::kb_articles::{self, ArticleInput};
use kefu_service::kb_diff::{self, DiffKind};
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    q: Option<String>,
}

#[derive(Serialize)]
struct Row {
    id: String,
    question: String,
    category: Option<String>,
    published: Option<u32>,
    latest: u32,
}

#[derive(Serialize)]
struct ListPage {
    q: String,
    articles: Vec<Row>,
    may_edit: bool,
}

/// `GET /console/kb`.
pub async fn show_articles(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match kb_articles::list_articles(&state, &console.caller, None, q.q.as_deref()).await {
        Ok(list) => page(
            &console,
            "kb",
            "console/kb_list.html",
            ListPage {
                q: q.q.unwrap_or_default(),
                articles: list
                    .into_iter()
                    .map(|a| Row {
                        id: a.slug,
                        question: a.content.question,
                        category: a.category,
                        published: a.published_version,
                        latest: a.latest_version,
                    })
                    .collect(),
                may_edit: console.staff.is_supervisor(),
            },
        ),
        Err(e) => console.service_error(&e),
    }
}

#[derive(Serialize, Default)]
struct Fields {
    category: String,
    question: String,
    answer: String,
    similar: String,
    keywords: String,
    question_en: String,
    answer_en: String,
    similar_en: String,
}

#[derive(Serialize)]
struct Version {
    version: u32,
    created: String,
    published: bool,
}

#[derive(Serialize)]
struct Line {
    kind: &'static str,
    text: String,
}

#[derive(Serialize)]
struct EditPage {
    id: Option<String>,
    fields: Fields,
    categories: Vec<String>,
    versions: Vec<Version>,
    published: Option<u32>,
    latest: u32,
    from: u32,
    to: u32,
    diff: Vec<Line>,
    changed: bool,
    csrf: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DiffQuery {
    from: Option<u32>,
    to: Option<u32>,
}

/// What a new article's editor starts with (the learning page links here with a cluster's
/// questions).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewQuery {
    question: String,
    similar: String,
}

/// `GET /console/kb/new`: the editor for a new article (`?question=&similar=` pre-fill it).
pub async fn new_article(
    State(state): State<AppState>,
    Query(q): Query<NewQuery>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    page(
        &console,
        "kb",
        "console/kb_edit.html",
        EditPage {
            id: None,
            fields: Fields {
                question: q.question,
                similar: q.similar,
                ..Fields::default()
            },
            categories: categories(&state),
            versions: Vec::new(),
            published: None,
            latest: 0,
            from: 0,
            to: 0,
            diff: Vec::new(),
            changed: false,
            csrf: console.csrf.clone(),
        },
    )
}

/// `GET /console/kb/{id}`: the editor with the latest version, the versions and a diff
/// (by default from the published version, or the one before the latest, to the latest).
pub async fn show_article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<DiffQuery>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let (article, versions) = match kb_articles::find_article(&state, &console.caller, &id).await {
        Ok(x) => x,
        Err(e) => return console.service_error(&e),
    };
    let latest = article.latest_version;
    let to = q.to.unwrap_or(latest);
    let from = q.from.unwrap_or_else(|| match article.published_version {
        Some(p) if p != latest => p,
        _ => latest.saturating_sub(1).max(1),
    });
    let diff = match kb_diff::diff_versions(&state, &console.caller, &id, from, to).await {
        Ok(d) => d,
        Err(e) => return console.service_error(&e),
    };
    let changed = diff.iter().any(|l| l.kind != DiffKind::Same);
    let c = &article.content;
    page(
        &console,
        "kb",
        "console/kb_edit.html",
        EditPage {
            fields: Fields {
                category: article.category.clone().unwrap_or_default(),
                question: c.question.clone(),
                answer: c.answer.clone(),
                similar: c.similar.join("\n"),
                keywords: c.keywords.join("\n"),
                question_en: c.question_en.clone().unwrap_or_default(),
                answer_en: c.answer_en.clone().unwrap_or_default(),
                similar_en: c.similar_en.join("\n"),
            },
            id: Some(article.slug),
            categories: categories(&state),
            versions: versions
                .iter()
                .rev()
                .map(|v| Version {
                    version: v.version,
                    created: time(v.created_at),
                    published: Some(v.version) == article.published_version,
                })
                .collect(),
            published: article.published_version,
            latest,
            from,
            to,
            diff: diff
                .into_iter()
                .map(|l| Line {
                    kind: match l.kind {
                        DiffKind::Same => "same",
                        DiffKind::Removed => "removed",
                        DiffKind::Added => "added",
                    },
                    text: l.text,
                })
                .collect(),
            changed,
            csrf: console.csrf.clone(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SaveForm {
    /// The new article's id (the editor of a new article).
    slug: Option<String>,
    category: String,
    question: String,
    answer: String,
    similar: String,
    keywords: String,
    question_en: String,
    answer_en: String,
    similar_en: String,
    publish: Option<String>,
}

/// The non-blank lines of a text area, trimmed.
pub(super) fn list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn optional(text: String) -> Option<String> {
    Some(text).filter(|t| !t.trim().is_empty())
}

/// `POST /console/kb/{id}`: saves a new version (publishing it with `publish`).
pub async fn save_article(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, SaveForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let slug = match (id.as_str(), f.slug) {
        ("new", Some(s)) => s.trim().to_owned(),
        _ => id,
    };
    let input = ArticleInput {
        category: optional(f.category),
        question: f.question,
        answer: f.answer,
        similar: list(&f.similar),
        keywords: list(&f.keywords),
        question_en: optional(f.question_en),
        answer_en: optional(f.answer_en),
        similar_en: list(&f.similar_en),
        publish: f.publish.is_some(),
    };
    let done = kb_articles::put_article(&state, &console.caller, &slug, input).await;
    redirect(&console, done, |a| format!("/console/kb/{}", a.slug))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct PublishForm {
    version: Option<u32>,
}

/// `POST /console/kb/{id}/publish`: publishes a version (the latest without one).
pub async fn publish(
    State(state): State<AppState>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, PublishForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = kb_articles::publish_article(&state, &console.caller, &id, f.version).await;
    redirect(&console, done, |a| format!("/console/kb/{}", a.slug))
}
