//! The satisfaction follow-up (回访). A resolution (an agent's, or the bot's — containment)
//! enqueues a `survey.send` job with the change, carrying who resolved it and where the
//! ticket stood (agent, team, domain, channel). The job ([`send`]) writes the survey and
//! its customer-visible message (kind `survey`, text from the message catalogue in the
//! customer's language) and enqueues one `survey.remind`, all in one store step, once per
//! resolution — so a repeated job sends nothing twice, and an outbound channel adapter can
//! take over delivery in that handler later.
//!
//! People-resolved tickets ask for a 1–5 score and an optional comment; bot-resolved ones
//! ask only whether the answer helped. The customer answers ([`answer`]) with their usual
//! proof (lookup code, or channel key and customer id) or with the survey's token (signed,
//! bound to the ticket, single use: [`token`]). A score of 1–2 opens a review for the
//! team's supervisor ([`crate::reviews`]). Answering never changes the ticket's status: it
//! still closes after `close_after`, and a customer *message* within the reopen window
//! still reopens it.

pub mod send;
pub mod token;

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::validate::Checks;
use jiff::Timestamp;
use kefu_domain::{AgentRole, CsatScore, Message, SurveyForm, Ticket, TicketNumber};
use kefu_store::{
    AnsweredSurvey, SatisfactionScore, ScoreFilter, StoreError, SurveyAnswer, SurveyRecord,
};
use std::time::Duration;

/// The `[survey]` settings.
#[derive(Debug, Clone)]
pub struct SurveySettings {
    /// Whether resolutions send a survey at all.
    pub enabled: bool,
    /// When the one reminder goes out if the survey is still unanswered.
    pub reminder_after: Duration,
    /// How long a survey's token answers it.
    pub token_ttl: Duration,
    /// Where customers reach kefu's pages (`https://support.example.com`, no trailing
    /// slash): survey links sent over e-mail and social media start with it.
    pub link_base: String,
}

impl Default for SurveySettings {
    /// On; a reminder after 24 hours; tokens valid for 14 days.
    fn default() -> Self {
        Self {
            enabled: true,
            reminder_after: Duration::from_secs(24 * 3600),
            token_ttl: Duration::from_secs(14 * 24 * 3600),
            link_base: "http://127.0.0.1:8080".to_owned(),
        }
    }
}

/// Longest comment, in characters.
pub const COMMENT_MAX_CHARS: usize = 1_000;

/// A customer's answer as an entry point received it.
#[derive(Debug, Clone, Default)]
pub struct AnswerInput {
    /// 1–5, for a survey that asks for a score.
    pub score: Option<i64>,
    /// For a survey that asks whether the bot's answer helped.
    pub helpful: Option<bool>,
    pub comment: Option<String>,
    /// The survey's token, instead of the customer's proof.
    pub token: Option<String>,
}

/// Fills in each survey message's token, for a customer-facing view (staff views and the
/// store never carry it).
pub fn sign_invites(core: &Core, messages: &mut [Message]) {
    for m in messages {
        if let Some(invite) = m.survey.as_mut() {
            let expires = invite.expires_at.as_second();
            invite.token = Some(token::sign(
                &core.survey_token_key,
                &invite.id,
                m.ticket_id,
                expires,
            ));
        }
    }
}

/// The page that answers a survey message's survey with its token alone, for channels
/// that show no ticket view (e-mail, social media):
/// `<link_base>/survey?ticket=<number>&token=<token>`. `None` for other messages.
pub fn link(core: &Core, number: &TicketNumber, message: &Message) -> Option<String> {
    let invite = message.survey.as_ref()?;
    let token = token::sign(
        &core.survey_token_key,
        &invite.id,
        message.ticket_id,
        invite.expires_at.as_second(),
    );
    Some(format!(
        "{}/survey?ticket={number}&token={token}",
        core.settings.survey.link_base
    ))
}

/// The survey a token answers on ticket `number` (answered or not), or
/// `survey_token_invalid`: what the survey link's page shows before the answer.
pub async fn by_link(
    core: &Core,
    number: &TicketNumber,
    token: &str,
) -> ServiceResult<SurveyRecord> {
    by_token(core, number, token).await.map(|(_, s)| s)
}

/// Records the customer's answer to the ticket's survey: with the survey's token (any
/// caller), or with the customer's proof (their latest survey). One answer per survey.
pub async fn answer(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    input: AnswerInput,
) -> ServiceResult<AnsweredSurvey> {
    let mut c = Checks::default();
    let comment = c.opt_text("comment", input.comment.as_deref(), COMMENT_MAX_CHARS);
    let score = match input.score {
        None => None,
        Some(s) => match u8::try_from(s)
            .ok()
            .and_then(|s| CsatScore::try_from(s).ok())
        {
            Some(s) => Some(s),
            None => {
                c.fail("score", "must be from 1 to 5");
                None
            }
        },
    };
    let token = input
        .token
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty());
    if token.is_some_and(|t| t.len() > 200) {
        c.fail("token", "is not a survey token");
    }
    c.finish()?;
    let (ticket, survey) = match token {
        Some(token) => by_token(core, number, token).await?,
        None => {
            let ticket = crate::lookup::find_own_ticket(core, caller, number).await?;
            let survey = core.store.latest_survey(ticket.id).await?.ok_or_else(|| {
                ServiceError::new(
                    ErrorCode::SurveyNotFound,
                    "No satisfaction survey was sent for this ticket yet.",
                )
            })?;
            (ticket, survey)
        }
    };
    if survey.answered_at.is_some() {
        // Checked again, atomically, by the store; this answers before validating the form.
        return Err(StoreError::Conflict(kefu_store::Conflict::SurveyAnswered).into());
    }
    let (score, helpful) = match (survey.form, score, input.helpful) {
        (SurveyForm::Score, Some(s), None) => (Some(u8::from(s)), None),
        (SurveyForm::Helpful, None, Some(h)) => (None, Some(h)),
        (SurveyForm::Score, ..) => {
            return Err(ServiceError::field(
                "score",
                "is required (1 to 5): this survey asks for a score, not `helpful`",
            ));
        }
        (SurveyForm::Helpful, ..) => {
            return Err(ServiceError::field(
                "helpful",
                "is required (true or false): this survey asks whether the answer helped, not for a score",
            ));
        }
    };
    let open_review = score
        .and_then(|s| CsatScore::try_from(s).ok())
        .is_some_and(CsatScore::needs_review);
    let answer = SurveyAnswer {
        survey: survey.id.clone(),
        score,
        helpful,
        comment,
        open_review,
        actor: caller_actor(caller, token.is_some()),
        at: Timestamp::now(),
    };
    let answered = core
        .store
        .answer_survey(answer, crate::reviews::opened_audit())
        .await?;
    core.events_written();
    tracing::info!(ticket.number = %ticket.number, survey.form = %survey.form, review = answered.review.is_some(), "satisfaction survey answered");
    Ok(answered)
}

/// The ticket and survey a token answers; `survey_token_invalid` (the same for every
/// reason, which goes to the log) unless it was signed for this ticket and is current.
async fn by_token(
    core: &Core,
    number: &TicketNumber,
    token: &str,
) -> ServiceResult<(Ticket, SurveyRecord)> {
    let refused = |why: &str| {
        tracing::info!(ticket.number = %number, reason = why, "survey token refused");
        ServiceError::new(
            ErrorCode::SurveyTokenInvalid,
            "This survey link is expired or belongs to another ticket.",
        )
    };
    let Some(ticket) = core.store.ticket_by_number(number).await? else {
        return Err(refused("no such ticket"));
    };
    let now = Timestamp::now().as_second();
    let id = token::verify(&core.survey_token_key, token, ticket.id, now)
        .map_err(|e| refused(&e.to_string()))?;
    match core.store.survey(&id).await? {
        Some(s) if s.ticket == ticket.id => Ok((ticket, s)),
        _ => Err(refused("no such survey on the ticket")),
    }
}

/// The actor of an answer: a token's bearer is the customer the survey went to.
fn caller_actor(caller: &Caller, with_token: bool) -> kefu_domain::Actor {
    if with_token {
        kefu_domain::Actor::Customer
    } else {
        caller.actor()
    }
}

/// Most scores one read returns.
pub const SCORES_MAX: u32 = 10_000;

/// Answered surveys with the agent, team, domain and channel of their resolution, for the
/// reports (supervisors and admins).
pub async fn scores(
    core: &Core,
    caller: &Caller,
    mut filter: ScoreFilter,
) -> ServiceResult<Vec<SatisfactionScore>> {
    caller.require(AgentRole::Supervisor)?;
    filter.limit = filter.limit.clamp(1, SCORES_MAX);
    Ok(core.store.satisfaction_scores(&filter).await?)
}
