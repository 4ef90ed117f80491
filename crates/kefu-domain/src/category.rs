//! Service domains (categories): the catalogue a ticket is classified into.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A category's stable code: lowercase ASCII letters, digits and `_`, 2–40 long.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct CategoryCode(String);

/// The code is not of the allowed shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a category code is 2–40 characters of a–z, 0–9 and _, starting with a letter")]
pub struct CategoryCodeError;

impl CategoryCode {
    pub fn parse(s: &str) -> Result<Self, CategoryCodeError> {
        let ok = (2..=40).contains(&s.len())
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(CategoryCodeError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The catch-all domain every ticket falls back to.
    pub fn general() -> Self {
        Self("general".to_owned())
    }
}

impl<'de> Deserialize<'de> for CategoryCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Display for CategoryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A service domain with its names and the specialist team escalations go to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub code: CategoryCode,
    pub name_zh: String,
    pub name_en: String,
    /// Code of the team escalations in this domain go to.
    pub specialist_team: Option<String>,
    /// Requests in this domain always need a person (appeals, bans, security).
    pub always_human: bool,
    /// Routing gives this domain's tickets only to agents certified in it (a skill's
    /// `certified` flag, set by a supervisor).
    #[serde(default)]
    pub requires_certification: bool,
}

/// The default catalogue (DESIGN.md): code, 中文名, English name, specialist team code.
pub const DEFAULT_CATALOGUE: &[(&str, &str, &str, &str)] = &[
    (
        "content_review",
        "内容审核",
        "Content review",
        "content_review_appeals",
    ),
    (
        "live_streaming",
        "直播",
        "Live streaming",
        "live_operations",
    ),
    ("account", "账号", "Account", "account_security"),
    ("advertising", "广告投放", "Advertising", "commercial_ads"),
    (
        "creator_incentives",
        "创作者激励",
        "Creator incentives",
        "creator_operations",
    ),
    (
        "reports_complaints",
        "举报投诉",
        "Reports and complaints",
        "trust_safety",
    ),
    ("general", "其他", "General", "frontline"),
];

/// The default categories as values.
pub fn default_categories() -> Vec<Category> {
    DEFAULT_CATALOGUE
        .iter()
        .map(|(code, zh, en, team)| Category {
            code: CategoryCode(code.to_string()),
            name_zh: zh.to_string(),
            name_en: en.to_string(),
            specialist_team: Some(team.to_string()),
            always_human: false,
            requires_certification: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_valid_and_unique() {
        let cats = default_categories();
        assert_eq!(cats.len(), 7);
        for c in &cats {
            assert_eq!(CategoryCode::parse(c.code.as_str()), Ok(c.code.clone()));
        }
        let mut codes: Vec<_> = cats.iter().map(|c| c.code.as_str()).collect();
        codes.dedup();
        assert_eq!(codes.len(), 7);
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for bad in [
            "",
            "a",
            "Account",
            "1abc",
            "with space",
            "账号",
            &"x".repeat(41),
        ] {
            assert_eq!(CategoryCode::parse(bad), Err(CategoryCodeError), "{bad}");
        }
    }
}
