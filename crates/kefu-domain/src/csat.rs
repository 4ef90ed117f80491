//! Customer satisfaction (CSAT) survey answers.

use serde::{Deserialize, Serialize};

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
    fn scores_outside_one_to_five_are_rejected() {
        assert!(CsatScore::try_from(0).is_err());
        assert!(CsatScore::try_from(6).is_err());
        assert!(CsatScore::try_from(2).unwrap().needs_review());
        assert!(!CsatScore::try_from(3).unwrap().needs_review());
    }
}
