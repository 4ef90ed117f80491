//! Customer satisfaction (CSAT): the follow-up survey (回访) a resolution sends, and its
//! answers. A ticket people resolved asks for a 1–5 score (and an optional comment); one
//! the bot resolved asks only whether the answer helped.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// Which question a survey asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SurveyForm {
    /// A 1–5 score and an optional comment (people resolved the ticket).
    Score,
    /// One tap: helpful or not (the bot resolved the ticket).
    Helpful,
}

impl SurveyForm {
    pub const ALL: [SurveyForm; 2] = [Self::Score, Self::Helpful];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Score => "score",
            Self::Helpful => "helpful",
        }
    }
}

impl fmt::Display for SurveyForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text is not a survey form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown survey form {0:?}")]
pub struct SurveyFormParseError(pub String);

impl FromStr for SurveyForm {
    type Err = SurveyFormParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| SurveyFormParseError(s.to_owned()))
    }
}

/// What a survey message carries so a channel can show the question and answer it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SurveyInvite {
    /// The survey's id (random, simple UUID).
    pub id: String,
    pub form: SurveyForm,
    /// When its token stops working.
    pub expires_at: Timestamp,
    /// The single-use token answering it. Never stored: signed when a customer-facing view
    /// reads the message, so staff views do not carry it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// A 1–5 satisfaction score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct CsatScore(u8);

/// The score is outside 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a satisfaction score is from 1 to 5, not {0}")]
pub struct CsatScoreError(pub u8);

impl TryFrom<u8> for CsatScore {
    type Error = CsatScoreError;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        if (1..=5).contains(&v) {
            Ok(Self(v))
        } else {
            Err(CsatScoreError(v))
        }
    }
}

impl From<CsatScore> for u8 {
    fn from(s: CsatScore) -> u8 {
        s.0
    }
}

impl CsatScore {
    /// Scores of 1 or 2 open a review for a supervisor.
    pub fn needs_review(self) -> bool {
        self.0 <= 2
    }
}

/// A customer's answer to the follow-up survey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsatRating {
    pub score: CsatScore,
    pub comment: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survey_forms_round_trip_through_text() {
        for f in SurveyForm::ALL {
            assert_eq!(f.as_str().parse::<SurveyForm>(), Ok(f));
        }
        assert!("stars".parse::<SurveyForm>().is_err());
    }

    #[test]
    fn scores_outside_one_to_five_are_rejected() {
        assert!(CsatScore::try_from(0).is_err());
        assert!(CsatScore::try_from(6).is_err());
        assert!(CsatScore::try_from(2).unwrap().needs_review());
        assert!(!CsatScore::try_from(3).unwrap().needs_review());
    }
}
