//! The knowledge-base editor's diff between two versions of an article: each version's
//! fields written out as labelled lines (question, answer, phrasings one per line, the
//! English fields), compared line by line with `similar`. Anyone who may read the
//! knowledge base may compare its versions.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use kefu_domain::{AgentRole, ArticleContent};
use similar::{ChangeTag, TextDiff};

/// What a diff line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    Same,
    Removed,
    Added,
}

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    pub kind: DiffKind,
    pub text: String,
}

/// A version's content as the lines the diff compares.
pub fn lines(c: &ArticleContent) -> String {
    let mut out = format!("Q: {}\nA: {}\n", c.question, c.answer);
    for s in &c.similar {
        out.push_str(&format!("~ {s}\n"));
    }
    if !c.keywords.is_empty() {
        out.push_str(&format!("# {}\n", c.keywords.join(", ")));
    }
    if let Some(q) = &c.question_en {
        out.push_str(&format!("Q(en): {q}\n"));
    }
    if let Some(a) = &c.answer_en {
        out.push_str(&format!("A(en): {a}\n"));
    }
    for s in &c.similar_en {
        out.push_str(&format!("~(en) {s}\n"));
    }
    out
}

/// The line diff of two texts.
pub fn diff_text(old: &str, new: &str) -> Vec<DiffLine> {
    TextDiff::from_lines(old, new)
        .iter_all_changes()
        .map(|c| DiffLine {
            kind: match c.tag() {
                ChangeTag::Equal => DiffKind::Same,
                ChangeTag::Delete => DiffKind::Removed,
                ChangeTag::Insert => DiffKind::Added,
            },
            text: c.value().trim_end_matches('\n').to_owned(),
        })
        .collect()
}

/// The diff from version `from` to version `to` of an article.
pub async fn diff_versions(
    core: &Core,
    caller: &Caller,
    slug: &str,
    from: u32,
    to: u32,
) -> ServiceResult<Vec<DiffLine>> {
    caller.require(AgentRole::Agent)?;
    let versions = core.store.article_versions(slug).await?;
    if versions.is_empty() {
        return Err(ServiceError::new(
            ErrorCode::ArticleNotFound,
            format!("No article {slug:?}."),
        ));
    }
    let text = |v: u32, field: &str| {
        versions
            .iter()
            .find(|x| x.version == v)
            .map(|x| lines(&x.content))
            .ok_or_else(|| {
                ServiceError::new(
                    ErrorCode::VersionNotFound,
                    format!("No version {v} ({field})."),
                )
            })
    };
    Ok(diff_text(&text(from, "from")?, &text(to, "to")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_answer_shows_as_one_line_removed_and_one_added() {
        let old = ArticleContent {
            question: "怎么改密码".into(),
            answer: "在设置里改".into(),
            similar: vec!["忘记密码".into()],
            keywords: vec![],
            question_en: None,
            answer_en: None,
            similar_en: vec![],
        };
        let mut new = old.clone();
        new.answer = "在 设置 > 账号 里改".into();
        new.similar.push("密码找回".into());
        let d = diff_text(&lines(&old), &lines(&new));
        let changed: Vec<(DiffKind, &str)> = d
            .iter()
            .filter(|l| l.kind != DiffKind::Same)
            .map(|l| (l.kind, l.text.as_str()))
            .collect();
        assert_eq!(
            changed,
            [
                (DiffKind::Removed, "A: 在设置里改"),
                (DiffKind::Added, "A: 在 设置 > 账号 里改"),
                (DiffKind::Added, "~ 密码找回"),
            ]
        );
        assert!(
            diff_text(&lines(&old), &lines(&old))
                .iter()
                .all(|l| l.kind == DiffKind::Same)
        );
    }
}
