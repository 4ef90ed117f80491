//! Every text the pages show, in each language they speak: one [`Texts`] value per language,
//! a struct with one field per text, so a language that lacks a text does not compile. The
//! templates read them as `t.<field>`.

pub mod chat;
pub mod console;
pub mod console_admin;
pub mod console_learning;
pub mod console_people;
mod en;
pub mod reports;
mod zh_cn;

use kefu_service::Lang;
use serde::Serialize;

/// The page texts of one language.
#[derive(Debug, Serialize)]
pub struct Texts {
    /// The `lang` attribute of the page (BCP 47).
    pub html_lang: &'static str,
    pub site_name: &'static str,
    /// The keyboard user's first link: straight to the page's content.
    pub skip_to_content: &'static str,
    pub tagline: &'static str,
    pub nav_help: &'static str,
    pub nav_ticket: &'static str,
    /// The link to the other language, written in that language.
    pub switch_language: &'static str,
    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub search_results: &'static str,
    pub search_none: &'static str,
    pub search_hint: &'static str,
    pub popular: &'static str,
    pub domains: &'static str,
    pub back_to_help: &'static str,
    pub article_still_need_help: &'static str,
    /// The help center's way to a person: the chat, the form, the ticket check.
    pub more_help: &'static str,
    pub more_help_intro: &'static str,
    pub ticket_title: &'static str,
    pub ticket_intro: &'static str,
    pub ticket_number: &'static str,
    pub ticket_number_hint: &'static str,
    pub lookup_code: &'static str,
    pub lookup_code_hint: &'static str,
    pub ticket_check: &'static str,
    pub ticket_not_found: &'static str,
    pub ticket_bad_number: &'static str,
    pub ticket_status: &'static str,
    pub ticket_progress: &'static str,
    /// The three steps of the progress line.
    pub step_received: &'static str,
    pub step_in_progress: &'static str,
    pub step_resolved: &'static str,
    pub ticket_subject: &'static str,
    pub ticket_created: &'static str,
    pub ticket_expected_response: &'static str,
    pub ticket_queue_position: &'static str,
    pub ticket_wait_minutes: &'static str,
    pub ticket_expected_resolution: &'static str,
    pub conversation: &'static str,
    pub conversation_empty: &'static str,
    pub from_customer: &'static str,
    pub from_bot: &'static str,
    pub from_agent: &'static str,
    pub from_system: &'static str,
    pub reply_label: &'static str,
    pub reply_button: &'static str,
    pub reply_sent: &'static str,
    pub reply_refused: &'static str,
    pub attachment: &'static str,
    /// The satisfaction survey under the conversation.
    pub survey_title: &'static str,
    pub survey_score_legend: &'static str,
    /// The labels of the scores 1 to 5, worst first.
    pub survey_scores: [&'static str; 5],
    pub survey_comment: &'static str,
    pub survey_submit: &'static str,
    pub survey_helpful_legend: &'static str,
    pub survey_helpful: &'static str,
    pub survey_not_helpful: &'static str,
    pub survey_thanks: &'static str,
    pub survey_refused: &'static str,
    /// A survey link that is expired, altered or for another ticket.
    pub survey_link_invalid: &'static str,
    pub error_title: &'static str,
    pub error_not_found: &'static str,
    pub error_forbidden: &'static str,
    pub error_rate_limited: &'static str,
    pub error_unavailable: &'static str,
    pub error_internal: &'static str,
    pub error_request_id: &'static str,
    pub footer: &'static str,
}

impl Texts {
    /// The texts of a language.
    pub fn of(lang: Lang) -> &'static Texts {
        match lang {
            Lang::Zh => &zh_cn::TEXTS,
            Lang::En => &en::TEXTS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_text_is_blank_and_the_languages_differ() {
        let zh = serde_json::to_value(Texts::of(Lang::Zh)).unwrap_or_default();
        let en = serde_json::to_value(Texts::of(Lang::En)).unwrap_or_default();
        let (zh, en) = (zh.as_object().cloned(), en.as_object().cloned());
        let (Some(zh), Some(en)) = (zh, en) else {
            panic!("texts serialize as objects");
        };
        assert!(zh.len() > 40);
        for (key, value) in &zh {
            // A list of texts (the score labels) is checked text by text.
            let pairs: Vec<(&serde_json::Value, &serde_json::Value)> = match value {
                serde_json::Value::Array(zh) => zh
                    .iter()
                    .zip(en[key].as_array().into_iter().flatten())
                    .collect(),
                value => vec![(value, &en[key])],
            };
            assert!(!pairs.is_empty(), "{key}");
            for (value, other) in pairs {
                assert!(!value.as_str().unwrap_or("").trim().is_empty(), "zh {key}");
                let other = other.as_str().unwrap_or("");
                assert!(!other.trim().is_empty(), "en {key}");
                assert_ne!(value.as_str(), Some(other), "{key} is the same in both");
            }
        }
    }
}
