//! The learning page for knowledge-base editors: `GET /console/learning` shows the
//! clusters of unanswered questions (with the suggested entry, one button to add a cluster
//! to it as similar phrasings, a link to a pre-filled new entry, and dismiss), the FAQ
//! proposals from tickets people resolved (approve as a draft, or dismiss), and the bot's
//! containment and helpful rate per article version. Every action is one of kefu-service's
//! `learning` use-cases.

use super::super::console::enter;
use super::super::texts::console_learning::LearningTexts;
use super::{categories, page, posted, redirect, time};
use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use kefu_service::learning::{self, DismissKind, SuggestedEntry};
use serde::{Deserialize, Serialize};

#[derive(Serialize)]
struct Suggestion {
    id: String,
    question: String,
    percent: String,
    close: bool,
}

fn suggestion(s: Option<SuggestedEntry>) -> Option<Suggestion> {
    s.map(|s| Suggestion {
        percent: percent(Some(s.score)),
        close: s.close,
        id: s.slug,
        question: s.question,
    })
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_owned(), |r| format!("{:.0}%", r * 100.0))
}

#[derive(Serialize)]
struct ClusterRow {
    key: String,
    volume: usize,
    examples: Vec<String>,
    /// Every distinct question, one per line: what "add" sends.
    phrasings: String,
    /// The new-entry editor, pre-filled with the questions.
    new_entry: String,
    reasons: Vec<(String, usize)>,
    last_at: String,
    suggested: Option<Suggestion>,
}

#[derive(Serialize)]
struct ProposalRow {
    key: String,
    id: String,
    tickets: usize,
    numbers: Vec<String>,
    question: String,
    similar: String,
    answer: String,
    answer_tickets: usize,
    closest: Option<Suggestion>,
}

#[derive(Serialize)]
struct VersionRow {
    version: u32,
    author: Option<String>,
    created: String,
    published: bool,
    answers: i64,
    containment: String,
    helpful: String,
    helpful_yes: i64,
    helpful_no: i64,
}

#[derive(Serialize)]
struct ArticleRow {
    id: String,
    question: String,
    versions: Vec<VersionRow>,
}

#[derive(Serialize)]
struct LearningPage {
    l: &'static LearningTexts,
    clusters: Vec<ClusterRow>,
    proposals: Vec<ProposalRow>,
    articles: Vec<ArticleRow>,
    categories: Vec<String>,
    csrf: String,
}

/// The new-entry editor's address, pre-filled with a question and similar phrasings.
fn new_entry_link(questions: &[String]) -> String {
    let similar = questions.get(1..).unwrap_or_default().join("\n");
    let query = serde_urlencoded::to_string([
        ("question", questions.first().map_or("", String::as_str)),
        ("similar", similar.as_str()),
    ])
    .unwrap_or_default();
    format!("/console/kb/new?{query}")
}

/// `GET /console/learning`.
pub async fn show_learning(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let console = match enter(&state, &uri, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let caller = &console.caller;
    let loaded = async {
        let clusters = learning::clusters::list_clusters(&state, caller, None).await?;
        let proposals = learning::proposals::list_proposals(&state, caller, None).await?;
        let versions = learning::versions::list_version_outcomes(&state, caller).await?;
        Ok::<_, kefu_service::ServiceError>((clusters, proposals, versions))
    };
    let (clusters, proposals, versions) = match loaded.await {
        Ok(x) => x,
        Err(e) => return console.service_error(&e),
    };
    let clusters = clusters
        .into_iter()
        .map(|c| ClusterRow {
            key: c.key.clone(),
            volume: c.volume,
            examples: c.examples().to_vec(),
            phrasings: c.questions.join("\n"),
            new_entry: new_entry_link(&c.questions),
            reasons: c.reasons.clone(),
            last_at: time(c.last_at),
            suggested: suggestion(c.suggested),
        })
        .collect();
    let proposals = proposals
        .into_iter()
        .map(|p| ProposalRow {
            question: p.questions.first().cloned().unwrap_or_default(),
            similar: p.questions.get(1..).unwrap_or_default().join("\n"),
            key: p.key,
            id: p.slug,
            tickets: p.tickets,
            numbers: p.numbers.iter().map(ToString::to_string).collect(),
            answer: p.answer,
            answer_tickets: p.answer_tickets,
            closest: suggestion(p.closest),
        })
        .collect();
    let articles = versions
        .into_iter()
        .map(|a| ArticleRow {
            id: a.slug,
            question: a.question,
            versions: a
                .versions
                .into_iter()
                .map(|v| VersionRow {
                    containment: percent(v.containment_rate()),
                    helpful: percent(v.helpful_rate()),
                    version: v.version,
                    author: v.author,
                    created: time(v.created_at),
                    published: v.published,
                    answers: v.answers,
                    helpful_yes: v.helpful_yes,
                    helpful_no: v.helpful_no,
                })
                .collect(),
        })
        .collect();
    page(
        &console,
        "learning",
        "console/learning.html",
        LearningPage {
            l: LearningTexts::of(console.lang.lang),
            clusters,
            proposals,
            articles,
            categories: categories(&state),
            csrf: console.csrf.clone(),
        },
    )
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AddForm {
    article: String,
    phrasings: String,
    cluster: Option<String>,
}

/// `POST /console/learning/phrasings`: adds a cluster's questions to an entry (a new
/// published version) and dismisses the cluster.
pub async fn add_phrasings(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, AddForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = learning::clusters::add_phrasings(
        &state,
        &console.caller,
        &f.article,
        super::kb::list(&f.phrasings),
        true,
        f.cluster.as_deref(),
    )
    .await;
    redirect(&console, done, |_| "/console/learning".to_owned())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ApproveForm {
    key: String,
    id: String,
    category: String,
    question: String,
    answer: String,
    similar: String,
}

/// `POST /console/learning/approve`: saves a proposal as a draft entry and opens it in the
/// editor.
pub async fn approve(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, ApproveForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let approval = learning::proposals::Approval {
        key: f.key,
        slug: f.id.trim().to_owned(),
        category: Some(f.category).filter(|c| !c.trim().is_empty()),
        question: f.question,
        answer: f.answer,
        similar: super::kb::list(&f.similar),
    };
    let done = learning::proposals::approve(&state, &console.caller, approval).await;
    redirect(&console, done, |a| format!("/console/kb/{}", a.slug))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DismissForm {
    kind: String,
    key: String,
}

/// `POST /console/learning/dismiss`: hides a cluster or a proposal.
pub async fn dismiss(
    State(state): State<AppState>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (console, f): (_, DismissForm) = match posted(&state, &uri, &headers, &body).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let done = match DismissKind::parse(&f.kind) {
        Some(kind) => learning::dismiss(&state, &console.caller, kind, &f.key).await,
        None => Err(kefu_service::ServiceError::field(
            "kind",
            "must be cluster or proposal",
        )),
    };
    redirect(&console, done, |()| "/console/learning".to_owned())
}
