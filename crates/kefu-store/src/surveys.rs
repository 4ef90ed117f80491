//! The satisfaction follow-up (回访) as the store keeps it: one survey per resolution of a
//! ticket (with the agent, team, domain and channel of that resolution), its single answer,
//! and the review a low score opens for the team's supervisor.

use jiff::Timestamp;
use kefu_domain::{Actor, AgentId, CategoryCode, Channel, SurveyForm, TeamId, TicketId};

/// A survey to send for one resolution, with the message that carries it.
#[derive(Debug, Clone)]
pub struct NewSurvey {
    /// A random id (UUID, simple form), also in the message's invite.
    pub id: String,
    pub ticket: TicketId,
    /// The resolution it follows: sent only while the ticket is still resolved by it.
    pub resolved_at: Timestamp,
    pub form: SurveyForm,
    /// Who resolved it, and where it stood then (for the reports).
    pub agent: Option<AgentId>,
    pub team: Option<TeamId>,
    pub category: CategoryCode,
    pub channel: Channel,
    /// The customer-visible text of the survey message.
    pub body: String,
    pub expires_at: Timestamp,
    pub at: Timestamp,
}

/// A stored survey.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRecord {
    pub id: String,
    pub ticket: TicketId,
    pub resolved_at: Timestamp,
    pub form: SurveyForm,
    pub agent: Option<AgentId>,
    pub team: Option<TeamId>,
    pub category: CategoryCode,
    pub channel: Channel,
    pub message: Option<kefu_domain::MessageId>,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
    pub reminded_at: Option<Timestamp>,
    pub score: Option<u8>,
    pub helpful: Option<bool>,
    pub comment: Option<String>,
    pub answered_at: Option<Timestamp>,
}

/// What [`crate::Store::send_survey`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveySent {
    /// Written now, with its message and the jobs given.
    Sent(SurveyRecord),
    /// This resolution's survey was sent before (a job that ran again): nothing written.
    AlreadySent(SurveyRecord),
    /// The ticket is no longer resolved by that resolution (reopened, or gone): no survey.
    NotResolved,
}

/// The customer's answer, validated by the caller against the survey's form.
#[derive(Debug, Clone)]
pub struct SurveyAnswer {
    pub survey: String,
    pub score: Option<u8>,
    pub helpful: Option<bool>,
    pub comment: Option<String>,
    /// A review is opened (with its `review_opened` event) when set: the score needs one.
    pub open_review: bool,
    pub actor: Actor,
    pub at: Timestamp,
}

/// The answered survey and the review it opened, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnsweredSurvey {
    pub survey: SurveyRecord,
    pub review: Option<Review>,
}

/// The reminder of an unanswered survey.
#[derive(Debug, Clone)]
pub struct SurveyReminder {
    pub survey: String,
    pub body: String,
    pub at: Timestamp,
}

/// Which answered surveys to read, for the reports; every key matched exactly when given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScoreFilter {
    pub agent: Option<AgentId>,
    pub team: Option<TeamId>,
    pub category: Option<CategoryCode>,
    pub channel: Option<Channel>,
    /// Answered at or after / before.
    pub from: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub limit: u32,
}

/// One answered survey, as the reports roll it up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SatisfactionScore {
    pub survey: String,
    pub ticket: TicketId,
    pub form: SurveyForm,
    pub score: Option<u8>,
    pub helpful: Option<bool>,
    pub agent: Option<AgentId>,
    pub team: Option<TeamId>,
    pub category: CategoryCode,
    pub channel: Channel,
    pub resolved_at: Timestamp,
    pub answered_at: Timestamp,
}

/// Where a review stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewStatus {
    Open,
    Closed,
}

impl ReviewStatus {
    pub const ALL: [ReviewStatus; 2] = [Self::Open, Self::Closed];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// The status of its stored form.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }
}

/// A review task a low score opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: i64,
    pub survey: String,
    pub ticket: TicketId,
    pub team: Option<TeamId>,
    pub score: u8,
    pub status: ReviewStatus,
    pub assignee: Option<AgentId>,
    pub outcome: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

/// Which reviews to list, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewFilter {
    pub status: Option<ReviewStatus>,
    pub team: Option<TeamId>,
    /// Only reviews with a larger id (the last id of the previous page).
    pub after: Option<i64>,
    pub limit: u32,
}

/// A change to a review; each writes its ticket event (and the caller's audit rows).
#[derive(Debug, Clone)]
pub enum ReviewStep {
    /// Gives it to a staff member (`NotFound` for an unknown agent).
    Assign(AgentId),
    /// Closes it with its outcome.
    Close(String),
}

/// A review change by `actor` at `at`.
#[derive(Debug, Clone)]
pub struct ReviewChange {
    pub review: i64,
    pub step: ReviewStep,
    pub actor: Actor,
    pub at: Timestamp,
}
