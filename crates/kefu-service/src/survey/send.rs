//! The two survey jobs. `survey.send` is enqueued with the resolution (same transaction)
//! and sends that resolution's survey; `survey.remind` is enqueued with the survey and
//! reminds once, `reminder_after` later, unless it was answered or the ticket reopened or
//! closed since. Both are idempotent: the store writes a survey once per resolution and a
//! reminder once per survey.
//!
//! Today "sending" writes the survey message on the ticket, which every live, web and
//! in-app client shows; an outbound adapter (e-mail, social) will deliver the same survey
//! from these handlers, with the link built from [`super::token`].

use crate::core::Core;
use crate::jobs::kinds::{SURVEY_REMIND, SURVEY_SEND};
use crate::jobs::runner::JobError;
use crate::messages::Messages;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{AgentId, CategoryCode, Channel, SurveyForm, TeamId, Ticket, TicketId};
use kefu_store::{Job, NewJob, NewSurvey, StoreError, SurveyReminder, SurveySent};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What `survey.send` carries: the resolution and where the ticket stood then.
#[derive(Debug, Serialize, Deserialize)]
struct SendPayload {
    ticket: i64,
    resolved_at_ms: i64,
    form: SurveyForm,
    agent: Option<i64>,
    team: Option<i64>,
    category: String,
    channel: Channel,
}

/// The `survey.send` job of a resolution at `at` (`None` when surveys are off): by the bot
/// (`agent` none) a helpful/not-helpful survey, by people a 1–5 score. `ticket` is the
/// ticket as it was resolved; `agent` who resolved it (its assignee, else the staff member
/// who did).
pub fn job(
    core: &Core,
    ticket: &Ticket,
    form: SurveyForm,
    agent: Option<AgentId>,
    at: Timestamp,
) -> Option<NewJob> {
    if !core.settings.survey.enabled {
        return None;
    }
    let ms = at.as_millisecond();
    let payload = SendPayload {
        ticket: ticket.id.0,
        resolved_at_ms: ms,
        form,
        agent: agent.map(|a| a.0),
        team: ticket.team.map(|t| t.0),
        category: ticket.category.as_str().to_owned(),
        channel: ticket.channel,
    };
    let payload = serde_json::to_value(&payload).ok()?;
    Some(
        NewJob::new(SURVEY_SEND, payload, at)
            .deduped_by(format!("{SURVEY_SEND}:{}:{ms}", ticket.id.0)),
    )
}

fn later(at: Timestamp, by: std::time::Duration) -> Timestamp {
    let by = SignedDuration::try_from(by).unwrap_or(SignedDuration::MAX);
    at.checked_add(by).unwrap_or(Timestamp::MAX)
}

/// The handler of `survey.send`.
pub async fn run_send(core: Arc<Core>, job: Job) -> Result<(), JobError> {
    let p: SendPayload = serde_json::from_value(job.payload)
        .map_err(|e| JobError::Permanent(format!("bad survey.send payload: {e}")))?;
    let category = CategoryCode::parse(&p.category)
        .map_err(|e| JobError::Permanent(format!("bad survey.send category: {e}")))?;
    let resolved_at = Timestamp::from_millisecond(p.resolved_at_ms)
        .map_err(|e| JobError::Permanent(format!("bad survey.send time: {e}")))?;
    let ticket = match core.store.ticket(TicketId(p.ticket)).await {
        Ok(t) => t,
        Err(StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let language = core.store.customer(ticket.customer_id).await?.language;
    let now = Timestamp::now();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let survey = &core.settings.survey;
    let reminder = NewJob::new(
        SURVEY_REMIND,
        serde_json::json!({"survey": id}),
        later(now, survey.reminder_after),
    )
    .deduped_by(format!("{SURVEY_REMIND}:{id}"));
    let new = NewSurvey {
        id,
        ticket: ticket.id,
        resolved_at,
        form: p.form,
        agent: p.agent.map(AgentId),
        team: p.team.map(TeamId),
        category,
        channel: p.channel,
        body: (Messages::for_language(&language).survey_ask)(p.form).to_owned(),
        expires_at: later(now, survey.token_ttl),
        at: now,
    };
    match core.store.send_survey(new, vec![reminder]).await? {
        SurveySent::Sent(s) => {
            core.events_written();
            core.jobs_enqueued();
            tracing::info!(ticket.number = %ticket.number, survey.form = %s.form, "satisfaction survey sent");
        }
        SurveySent::AlreadySent(_) => {
            tracing::debug!(ticket.number = %ticket.number, "satisfaction survey sent before");
        }
        SurveySent::NotResolved => {
            tracing::debug!(ticket.number = %ticket.number, "ticket reopened before its survey; none sent");
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
struct RemindPayload {
    survey: String,
}

/// The handler of `survey.remind`.
pub async fn run_remind(core: Arc<Core>, job: Job) -> Result<(), JobError> {
    let p: RemindPayload = serde_json::from_value(job.payload)
        .map_err(|e| JobError::Permanent(format!("bad survey.remind payload: {e}")))?;
    let Some(survey) = core.store.survey(&p.survey).await? else {
        return Ok(());
    };
    let ticket = core.store.ticket(survey.ticket).await?;
    let language = core.store.customer(ticket.customer_id).await?.language;
    let reminder = SurveyReminder {
        survey: survey.id,
        body: (Messages::for_language(&language).survey_reminder)(survey.form).to_owned(),
        at: Timestamp::now(),
    };
    if core.store.remind_survey(reminder).await? {
        core.events_written();
        tracing::info!(ticket.number = %ticket.number, "satisfaction survey reminder sent");
    }
    Ok(())
}
