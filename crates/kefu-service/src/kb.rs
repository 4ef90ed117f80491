//! The knowledge base: import and export (JSONL and CSV, all or nothing, bad rows named by
//! line), saving versions, publishing — after which the bot index is rebuilt.

use crate::core::Core;
use kefu_domain::kb::check_slug;
use kefu_domain::{AgentId, ArticleContent, KbArticle};
use kefu_store::{ArticleDraft, AuditActor, SaveArticles, SaveReport, StoreError};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The built-in knowledge base for the default catalogue (Chinese, with English for every
/// entry), loaded on first start.
pub const DEFAULT_KB: &str = include_str!("../data/default-kb.jsonl");

/// File formats for import and export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KbFormat {
    /// One `{"id","question","answer","category"?,"similar"?,"keywords"?,"question_en"?,
    /// "answer_en"?,"similar_en"?}` per line.
    Jsonl,
    /// Header `id,question,answer,category,similar,keywords,question_en,answer_en,similar_en`
    /// (the last three may be left out on import); lists separated by `|`.
    Csv,
}

/// A bad row: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// One entry as it appears in a file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KbRow {
    pub id: String,
    pub question: String,
    pub answer: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default)]
    pub similar: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question_en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer_en: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub similar_en: Vec<String>,
}

/// The CSV columns: the Chinese ones, then the English ones (optional on import).
const CSV_HEADER: [&str; 9] = [
    "id",
    "question",
    "answer",
    "category",
    "similar",
    "keywords",
    "question_en",
    "answer_en",
    "similar_en",
];
/// How many leading CSV columns every file must have.
const CSV_REQUIRED: usize = 6;

impl From<&KbArticle> for KbRow {
    fn from(a: &KbArticle) -> Self {
        Self {
            id: a.slug.clone(),
            question: a.content.question.clone(),
            answer: a.content.answer.clone(),
            category: a.category.clone(),
            similar: a.content.similar.clone(),
            keywords: a.content.keywords.clone(),
            question_en: a.content.question_en.clone(),
            answer_en: a.content.answer_en.clone(),
            similar_en: a.content.similar_en.clone(),
        }
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split(['|', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Parses a whole file; every bad row is reported, and nothing is returned unless all are
/// good. `categories` are the known category codes.
pub fn parse(
    text: &str,
    format: KbFormat,
    categories: &[String],
) -> Result<Vec<ArticleDraft>, Vec<RowError>> {
    let mut rows: Vec<(usize, Result<KbRow, String>)> = Vec::new();
    match format {
        KbFormat::Jsonl => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                rows.push((
                    i + 1,
                    serde_json::from_str::<KbRow>(line)
                        .map_err(|e| format!("not a valid entry: {e}")),
                ));
            }
        }
        KbFormat::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(false)
                .from_reader(text.as_bytes());
            match reader.headers() {
                Ok(h)
                    if h.iter()
                        .map(str::trim)
                        .eq(CSV_HEADER[..CSV_REQUIRED].iter().copied())
                        || h.iter().map(str::trim).eq(CSV_HEADER) => {}
                Ok(_) => {
                    return Err(vec![RowError {
                        line: 1,
                        message: format!(
                            "the header must be {} (the last {} columns may be left out)",
                            CSV_HEADER.join(","),
                            CSV_HEADER.len() - CSV_REQUIRED
                        ),
                    }]);
                }
                Err(e) => {
                    return Err(vec![RowError {
                        line: 1,
                        message: e.to_string(),
                    }]);
                }
            }
            for record in reader.records() {
                match record {
                    Ok(r) => {
                        let line = r
                            .position()
                            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                        let field = |i: usize| r.get(i).unwrap_or("").to_owned();
                        let category = Some(field(3)).filter(|c| !c.trim().is_empty());
                        let optional = |i: usize| Some(field(i)).filter(|t| !t.trim().is_empty());
                        rows.push((
                            line,
                            Ok(KbRow {
                                id: field(0),
                                question: field(1),
                                answer: field(2),
                                category,
                                similar: split_list(&field(4)),
                                keywords: split_list(&field(5)),
                                question_en: optional(6),
                                answer_en: optional(7),
                                similar_en: split_list(&field(8)),
                            }),
                        ));
                    }
                    Err(e) => {
                        let line = e
                            .position()
                            .map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                        rows.push((line, Err(e.to_string())));
                    }
                }
            }
        }
    }
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut drafts = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        let row = match row {
            Ok(r) => r,
            Err(message) => {
                errors.push(RowError { line, message });
                continue;
            }
        };
        let slug = row.id.trim().to_owned();
        if let Err(e) = check_slug(&slug) {
            errors.push(RowError {
                line,
                message: e.to_string(),
            });
            continue;
        }
        if !seen.insert(slug.clone()) {
            errors.push(RowError {
                line,
                message: format!("id {slug} appears twice"),
            });
            continue;
        }
        if let Some(c) = row
            .category
            .as_deref()
            .filter(|c| !categories.iter().any(|k| k == c))
        {
            errors.push(RowError {
                line,
                message: format!("category: unknown category {c:?}"),
            });
            continue;
        }
        let content = ArticleContent {
            question: row.question,
            answer: row.answer,
            similar: row.similar,
            keywords: row.keywords,
            question_en: row.question_en,
            answer_en: row.answer_en,
            similar_en: row.similar_en,
        };
        match content.normalized() {
            Ok(content) => drafts.push(ArticleDraft {
                slug,
                category: row.category,
                content,
            }),
            Err(e) => errors.push(RowError {
                line,
                message: format!("{}: {e}", e.field()),
            }),
        }
    }
    if errors.is_empty() {
        Ok(drafts)
    } else {
        Err(errors)
    }
}

/// Writes articles in a format.
pub fn export(articles: &[KbArticle], format: KbFormat) -> Result<String, String> {
    match format {
        KbFormat::Jsonl => {
            let mut out = String::new();
            for a in articles {
                out.push_str(&serde_json::to_string(&KbRow::from(a)).map_err(|e| e.to_string())?);
                out.push('\n');
            }
            Ok(out)
        }
        KbFormat::Csv => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(CSV_HEADER).map_err(|e| e.to_string())?;
            for a in articles {
                let row = KbRow::from(a);
                w.write_record([
                    row.id,
                    row.question,
                    row.answer,
                    row.category.unwrap_or_default(),
                    row.similar.join("|"),
                    row.keywords.join("|"),
                    row.question_en.unwrap_or_default(),
                    row.answer_en.unwrap_or_default(),
                    row.similar_en.join("|"),
                ])
                .map_err(|e| e.to_string())?;
            }
            String::from_utf8(w.into_inner().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
        }
    }
}

/// Saves parsed drafts (an import) in one transaction, with a `kb.imported` audit row of
/// its counts, and refreshes the bot when anything was published.
pub async fn save(
    state: &Core,
    drafts: Vec<ArticleDraft>,
    publish: bool,
    author: Option<AgentId>,
) -> Result<SaveReport, StoreError> {
    let by = author.map_or(AuditActor::System, AuditActor::Agent);
    let rows = crate::audit::with(move |r: &SaveReport| {
        let detail = serde_json::json!({
            "created": r.created, "new_versions": r.new_versions,
            "published": r.published, "unchanged": r.unchanged,
        });
        vec![crate::audit::entry_by(by, "kb.imported", None, detail)]
    });
    save_audited(state, drafts, publish, author, rows).await
}

/// [`save`] with the audit rows `audit` builds from the report, in the same transaction.
pub(crate) async fn save_audited(
    state: &Core,
    drafts: Vec<ArticleDraft>,
    publish: bool,
    author: Option<AgentId>,
    audit: kefu_store::AuditOf<SaveReport>,
) -> Result<SaveReport, StoreError> {
    let report = state
        .store
        .save_articles_audited(
            SaveArticles {
                drafts,
                publish,
                author,
                at: jiff::Timestamp::now(),
            },
            audit,
        )
        .await?;
    if report.published > 0 {
        super::bot::refresh(state).await?;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats() -> Vec<String> {
        vec!["account".into(), "general".into()]
    }

    #[test]
    fn the_default_knowledge_base_parses_cleanly() {
        let codes: Vec<String> = kefu_domain::category::DEFAULT_CATALOGUE
            .iter()
            .map(|(c, ..)| (*c).to_owned())
            .collect();
        let drafts = parse(DEFAULT_KB, KbFormat::Jsonl, &codes).unwrap();
        assert!(drafts.len() >= 180);
        for d in &drafts {
            let c = &d.content;
            assert!(c.similar.len() >= 4, "{}: too few phrasings", d.slug);
            assert!(c.question_en.is_some(), "{}: no English question", d.slug);
            assert!(c.answer_en.is_some(), "{}: no English answer", d.slug);
            assert!(
                c.similar_en.len() >= 3,
                "{}: too few English phrasings",
                d.slug
            );
            assert!(
                c.similar_en.iter().all(|p| p.is_ascii()),
                "{}: English phrasings are English",
                d.slug
            );
        }
    }

    /// Every request type the service promises has an entry: (id, category, words its
    /// question or keywords hold).
    const REQUIRED_TOPICS: &[(&str, &str, &str)] = &[
        ("kb-content_review-005", "content_review", "审核标准"),
        ("kb-content_review-003", "content_review", "申诉"),
        ("kb-live_streaming-001", "live_streaming", "直播权限"),
        ("kb-live_streaming-006", "live_streaming", "直播违规"),
        ("kb-live_streaming-026", "live_streaming", "违规警告"),
        ("kb-live_streaming-009", "live_streaming", "带货"),
        ("kb-live_streaming-027", "live_streaming", "带货"),
        ("kb-account-001", "account", "注册"),
        ("kb-account-028", "account", "注册"),
        ("kb-account-002", "account", "登录"),
        ("kb-account-029", "account", "账号安全"),
        ("kb-account-011", "account", "解封"),
        ("kb-account-026", "account", "修改登录密码"),
        ("kb-account-027", "account", "账号权重"),
        ("kb-advertising-008", "advertising", "广告"),
        ("kb-creator_incentives-001", "creator_incentives", "计划"),
        ("kb-reports_complaints-001", "reports_complaints", "举报"),
        ("kb-reports_complaints-022", "reports_complaints", "投诉"),
        ("kb-general-001", "general", "免费"),
        ("kb-general-003", "general", "回复"),
        ("kb-general-030", "general", "24小时"),
    ];

    #[test]
    fn the_default_knowledge_base_covers_every_promised_request_type() {
        let codes: Vec<String> = kefu_domain::category::DEFAULT_CATALOGUE
            .iter()
            .map(|(c, ..)| (*c).to_owned())
            .collect();
        let drafts = parse(DEFAULT_KB, KbFormat::Jsonl, &codes).unwrap();
        for (id, category, words) in REQUIRED_TOPICS {
            let d = drafts
                .iter()
                .find(|d| d.slug == *id)
                .unwrap_or_else(|| panic!("{id} is missing"));
            assert_eq!(d.category.as_deref(), Some(*category), "{id}");
            let text = format!("{}{}", d.content.question, d.content.keywords.join(""));
            assert!(text.contains(words), "{id} is not about {words}");
        }
        // Changing a password is its own entry, apart from resetting a forgotten one.
        let change = drafts.iter().find(|d| d.slug == "kb-account-026").unwrap();
        let forgot = drafts.iter().find(|d| d.slug == "kb-account-009").unwrap();
        assert!(!forgot.content.keywords.iter().any(|k| k == "修改密码"));
        assert!(change.content.similar.len() >= 6);
        // The 24-hour service entry names the app's personal centre, the web and Weibo.
        let find = drafts.iter().find(|d| d.slug == "kb-general-030").unwrap();
        for place in ["「我」", "帮助中心", "微博"] {
            assert!(find.content.answer.contains(place), "{place}");
        }
        // The reply-time entry promises the 24-hour bound.
        let reply = drafts.iter().find(|d| d.slug == "kb-general-003").unwrap();
        assert!(reply.content.answer.contains("24小时"));
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers_and_nothing_is_returned() {
        let text = "{\"id\":\"a\",\"question\":\"q\",\"answer\":\"x\"}\n\n{\"id\":\"a\",\"question\":\"q\",\"answer\":\"x\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"question\":\"q\",\"answer\":\"x\",\"category\":\"weather\"}\n";
        let errors = parse(text, KbFormat::Jsonl, &cats()).unwrap_err();
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 4, 5]);
        assert!(errors[0].message.contains("twice"));
        assert!(errors[2].message.starts_with("category"));
    }

    #[test]
    fn csv_round_trips_through_export() {
        let text = "id,question,answer,category,similar,keywords,question_en,answer_en,similar_en\n\
                    kb-1,登录不了,请重置密码,account,登陆不上|无法登录,登录,Can't log in,Reset your password.,cant login|login not working\n";
        let drafts = parse(text, KbFormat::Csv, &cats()).unwrap();
        assert_eq!(
            drafts[0].content.similar,
            vec!["登陆不上".to_owned(), "无法登录".to_owned()]
        );
        assert_eq!(
            drafts[0].content.question_en.as_deref(),
            Some("Can't log in")
        );
        assert_eq!(
            drafts[0].content.similar_en,
            vec!["cant login".to_owned(), "login not working".to_owned()]
        );
        let article = KbArticle {
            slug: drafts[0].slug.clone(),
            category: drafts[0].category.clone(),
            published_version: Some(1),
            latest_version: 1,
            version: 1,
            content: drafts[0].content.clone(),
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let csv = export(std::slice::from_ref(&article), KbFormat::Csv).unwrap();
        assert_eq!(csv, text);
        let jsonl = export(&[article], KbFormat::Jsonl).unwrap();
        assert_eq!(
            parse(&jsonl, KbFormat::Jsonl, &cats()).unwrap()[0].content,
            drafts[0].content
        );
    }

    #[test]
    fn csv_without_english_columns_is_read_and_english_round_trips_through_jsonl() {
        let text = "id,question,answer,category,similar,keywords\nkb-1,登录不了,请重置密码,account,登陆不上,登录\n";
        let drafts = parse(text, KbFormat::Csv, &cats()).unwrap();
        assert_eq!(drafts[0].content.question_en, None);
        assert!(drafts[0].content.similar_en.is_empty());
        let line = r#"{"id":"kb-2","question":"登录不了","answer":"请重置密码","similar":["登不上"],"keywords":[],"question_en":"Can't log in","answer_en":"Reset your password.","similar_en":["cant login","login broken"]}"#;
        let content = parse(line, KbFormat::Jsonl, &cats()).unwrap()[0]
            .content
            .clone();
        assert_eq!(content.answer_en.as_deref(), Some("Reset your password."));
        let article = KbArticle {
            slug: "kb-2".into(),
            category: None,
            published_version: Some(1),
            latest_version: 1,
            version: 1,
            content: content.clone(),
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        };
        let jsonl = export(&[article], KbFormat::Jsonl).unwrap();
        assert_eq!(jsonl.trim_end(), line);
        assert_eq!(
            parse(&jsonl, KbFormat::Jsonl, &cats()).unwrap()[0].content,
            content
        );
    }

    #[test]
    fn csv_with_a_wrong_header_is_refused() {
        let errors = parse("id,q\n1,2\n", KbFormat::Csv, &cats()).unwrap_err();
        assert_eq!(errors[0].line, 1);
    }
}
