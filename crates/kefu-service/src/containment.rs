//! Bot-solved conversations end. When the bot answers in a bot-first conversation (the
//! ticket still `new`), the answer counts as confirmed when the customer
//!
//! - says it helped (`feedback` with `helpful`),
//! - thanks the bot or says goodbye right after the answer (small talk the bot
//!   recognises), or
//! - writes nothing more for `Settings::bot_quiet_period`: the answer enqueued a
//!   `bot.confirm` job for then, with the answered turn's index; it resolves the ticket only
//!   if that answer is still the last turn (no customer message since, no "not helpful")
//!   and the ticket is still `new`.
//!
//! A confirmed answer resolves the ticket *by the bot*: actor `Bot`, a `status_changed`
//! event `new → resolved` with reason [`REASON`] (`bot_contained`: what reports count as
//! contained), its SLA timers cancelled, and its `ticket.close` job enqueued with the
//! change. "Not helpful" continues the conversation (see `bot::feedback`).

use crate::core::Core;
use crate::error::ServiceResult;
use crate::jobs::kinds::BOT_CONFIRM;
use crate::jobs::runner::JobError;
use crate::messages::Messages;
use jiff::{SignedDuration, Timestamp};
use kefu_bot::messages::Lang;
use kefu_bot::{ConversationState, Outcome};
use kefu_domain::{Actor, MessageKind, Ticket, TicketId, TicketStatus};
use kefu_store::{Job, NewJob, NewMessage, StatusChange};
use std::sync::Arc;

/// The reason on the `status_changed` event of a ticket the bot resolved (contained).
pub const REASON: &str = "bot_contained";

/// What the bot says when it closes a quiet conversation (from the message catalogue).
pub fn closing_text(lang: Lang) -> &'static str {
    Messages::for_lang(lang).bot_closing
}

/// What the bot says when the customer says its answer helped (from the message catalogue).
pub fn helpful_text(lang: Lang) -> &'static str {
    Messages::for_lang(lang).bot_helpful
}

/// The index of the turn the bot just answered, when the conversation's last turn is an
/// answer.
pub fn answered_turn(state: &ConversationState) -> Option<usize> {
    let last = state.turns.last()?;
    (last.outcome == Outcome::Answered).then(|| state.turns.len() - 1)
}

/// The `bot.confirm` job for the answer of turn `turn`, due a quiet period after `at`.
pub fn confirm_job(core: &Core, ticket: TicketId, turn: usize, at: Timestamp) -> NewJob {
    confirm(core, Some(ticket), turn, at)
}

/// `None` for a ticket not yet written: the store fills in its id ([`NewJob::for_ticket`]).
fn confirm(core: &Core, ticket: Option<TicketId>, turn: usize, at: Timestamp) -> NewJob {
    let quiet =
        SignedDuration::try_from(core.settings.bot_quiet_period).unwrap_or(SignedDuration::MAX);
    let run_at = at.checked_add(quiet).unwrap_or(Timestamp::MAX);
    let key = ticket.map_or_else(|| "{ticket}".to_owned(), |t| t.0.to_string());
    NewJob::new(
        BOT_CONFIRM,
        serde_json::json!({"ticket": ticket.map(|t| t.0), "turn": turn}),
        run_at,
    )
    .deduped_by(format!("{BOT_CONFIRM}:{key}:{turn}"))
}

/// The jobs a bot-first intake writes with its ticket (intake's outbox): an answer at the
/// first message starts the quiet period. `bot_state` is the conversation state after the
/// bot's first turn.
pub fn intake_jobs(core: &Core, bot_state: Option<&str>, at: Timestamp) -> Vec<NewJob> {
    bot_state
        .and_then(|s| serde_json::from_str::<ConversationState>(s).ok())
        .and_then(|state| answered_turn(&state))
        .map(|turn| confirm(core, None, turn, at))
        .into_iter()
        .collect()
}

/// Resolves a ticket the bot is handling, by the bot: `closing` (if any) as a bot message,
/// then `new → resolved` with reason [`REASON`] and the close job, then the SLA timers.
pub async fn resolve(
    core: &Core,
    ticket: &Ticket,
    closing: Option<String>,
) -> ServiceResult<Ticket> {
    let now = Timestamp::now();
    if let Some(body) = closing {
        core.store
            .add_message(NewMessage {
                ticket_id: ticket.id,
                kind: MessageKind::Bot,
                actor: Actor::Bot,
                author_agent: None,
                body,
                attachments: Vec::new(),
                then_status: None,
                at: now,
            })
            .await?;
    }
    let change = StatusChange {
        ticket_id: ticket.id,
        to: TicketStatus::Resolved,
        actor: Actor::Bot,
        reason: Some(REASON.into()),
        at: now,
    };
    let close = crate::jobs::close::job(core, ticket.id, now);
    let survey =
        crate::survey::send::job(core, ticket, kefu_domain::SurveyForm::Helpful, None, now);
    let jobs = std::iter::once(close).chain(survey).collect();
    let after = core.store.change_status_with_jobs(change, jobs).await?;
    // For containment per article version (see `learning`): the answer the bot resolved on.
    // The resolution is written; a failure here only loses one count, so it is logged.
    if let Err(e) = core
        .store
        .mark_bot_answer(ticket.id, kefu_store::AnswerMark::Contained)
        .await
    {
        tracing::warn!(ticket.number = %ticket.number, error = %e, "containment not counted for its article version");
    }
    core.events_written();
    crate::routing::follow(core, ticket, &after, crate::routing::Wrote::Nobody).await;
    tracing::info!(ticket.number = %ticket.number, "bot resolved the conversation (contained)");
    Ok(after)
}

#[derive(serde::Deserialize)]
struct Payload {
    ticket: i64,
    turn: usize,
}

/// The handler of `bot.confirm`.
pub async fn run_confirm(core: Arc<Core>, job: Job) -> Result<(), JobError> {
    let p: Payload = serde_json::from_value(job.payload)
        .map_err(|e| JobError::Permanent(format!("bad bot.confirm payload: {e}")))?;
    let ticket = match core.store.ticket(TicketId(p.ticket)).await {
        Ok(t) => t,
        Err(kefu_store::StoreError::NotFound) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    if ticket.status != TicketStatus::New {
        return Ok(());
    }
    let state: ConversationState = core
        .store
        .bot_state(ticket.id)
        .await?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    if answered_turn(&state) != Some(p.turn) {
        // The customer wrote again (or said it did not help): the conversation goes on.
        return Ok(());
    }
    let lang = state.language.unwrap_or_default();
    resolve(&core, &ticket, Some(closing_text(lang).to_owned())).await?;
    Ok(())
}
