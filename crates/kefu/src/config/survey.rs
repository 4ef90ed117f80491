//! `[survey]`: the satisfaction follow-up (回访) after a resolution (docs/SURVEY.md).

use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SurveyConfig {
    /// Whether resolved tickets get a survey.
    pub enabled: bool,
    /// Hours after the survey when one reminder goes out if it is still unanswered.
    pub reminder_hours: u64,
    /// Days a survey's token (its link) answers it.
    pub token_ttl_days: u64,
    /// Where customers reach kefu's pages, for survey links sent by e-mail and social
    /// media; empty: `http://<server.listen>`.
    pub link_base_url: String,
}

impl Default for SurveyConfig {
    fn default() -> Self {
        let d = kefu_service::survey::SurveySettings::default();
        Self {
            enabled: d.enabled,
            reminder_hours: d.reminder_after.as_secs() / 3600,
            token_ttl_days: d.token_ttl.as_secs() / (24 * 3600),
            link_base_url: String::new(),
        }
    }
}

impl SurveyConfig {
    /// The first bad key with why it is bad.
    pub fn problem(&self) -> Option<(&'static str, String)> {
        if !(1..=720).contains(&self.reminder_hours) {
            return Some(("survey.reminder_hours", "must be from 1 to 720".into()));
        }
        if !(1..=365).contains(&self.token_ttl_days) {
            return Some(("survey.token_ttl_days", "must be from 1 to 365".into()));
        }
        let url = self.link_base_url.trim();
        if !url.is_empty()
            && !((url.starts_with("https://") || url.starts_with("http://"))
                && url.len() > "https://".len()
                && !url.contains(['?', '#', ' ']))
        {
            return Some((
                "survey.link_base_url",
                "must be an http:// or https:// address without a query, such as https://support.example.com".into(),
            ));
        }
        None
    }

    /// The settings, links based on `link_base_url` or else on the address kefu listens on.
    pub fn settings(&self, listen: &str) -> kefu_service::survey::SurveySettings {
        let base = match self.link_base_url.trim() {
            "" => format!("http://{listen}"),
            url => url.trim_end_matches('/').to_owned(),
        };
        kefu_service::survey::SurveySettings {
            enabled: self.enabled,
            reminder_after: Duration::from_secs(self.reminder_hours * 3600),
            token_ttl: Duration::from_secs(self.token_ttl_days * 24 * 3600),
            link_base: base,
        }
    }
}
