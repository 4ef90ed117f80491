//! What a batched intake writes besides the ticket: the bot's first turn and the intake's
//! jobs, for every ticket of the group commit in one more round trip.
//!
//! Bot-first intake (the in-app channel, the main one) once took the single path, about a
//! dozen statements per ticket, each a hand-off to sqlx's SQLite thread; that, not the bot,
//! held it to a quarter of plain intake. A first turn that answers or offers suggestions
//! adds a bot message, its event, the conversation state and maybe an unanswered question:
//! rows that `INSERT … SELECT FROM json_each(?)` writes for the whole batch at once. A turn
//! that hands over (status, note, category, several events) still takes the single path.

use super::intake_batch::{PendingOpen, Written};
use crate::opening::json;
use crate::{NewTicket, StoreError, StoreResult};
use kefu_domain::{Actor, TicketId};
use sqlx::SqliteConnection;

/// Whether the batch can write this ticket's bot turn (none, or one without a hand-over
/// and without a customer message of its own: the first message is the ticket's).
pub(crate) fn batchable(new: &NewTicket) -> bool {
    new.bot
        .as_ref()
        .is_none_or(|x| x.handoff.is_none() && x.customer_message.is_none())
}

/// Whether any ticket of the batch has a bot turn or jobs to write.
pub(crate) fn any(opens: &[PendingOpen]) -> bool {
    opens
        .iter()
        .any(|p| p.new.bot.is_some() || !p.new.jobs.is_empty())
}

/// The statements, with `?1` the bot turns, `?2` the jobs and `?3` the bot as actor (all
/// JSON). New tickets: the bot's event is the third (opened, the customer's message, it).
const WRITE: &str = "\
INSERT INTO messages (ticket_id, kind, author_agent_id, body, attachments, meta, created_at) \
SELECT json_extract(value, '$.t'), 'bot', NULL, json_extract(value, '$.body'), '[]', \
  json_extract(value, '$.meta'), json_extract(value, '$.at') FROM json_each(?1) ORDER BY key; \
INSERT INTO ticket_events (ticket_id, seq, actor, kind, payload, at) \
SELECT m.ticket_id, 3, ?3, 'message_added', json_object('kind', 'message_added', \
  'message_id', m.id, 'message_kind', 'bot'), m.created_at \
FROM json_each(?1) j CROSS JOIN messages m \
  ON m.ticket_id = json_extract(j.value, '$.t') AND m.kind = 'bot' ORDER BY j.key; \
INSERT INTO bot_sessions (ticket_id, state, updated_at) \
SELECT json_extract(value, '$.t'), json_extract(value, '$.state'), json_extract(value, '$.at') \
FROM json_each(?1) WHERE true \
ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at; \
INSERT INTO unanswered_questions (ticket_id, query, reason, top_article, top_score, created_at) \
SELECT json_extract(value, '$.t'), json_extract(value, '$.uq'), json_extract(value, '$.ur'), \
  json_extract(value, '$.ua'), json_extract(value, '$.us'), json_extract(value, '$.at') \
FROM json_each(?1) WHERE json_extract(value, '$.uq') IS NOT NULL ORDER BY key; \
INSERT INTO bot_answers (ticket_id, article_slug, article_version, answered_at) \
SELECT json_extract(j.value, '$.t'), k.slug, k.published_version, json_extract(j.value, '$.at') \
FROM json_each(?1) j CROSS JOIN kb_articles k ON k.slug = json_extract(j.value, '$.ans') \
WHERE k.published_version IS NOT NULL ORDER BY j.key; \
INSERT INTO jobs (kind, payload, ordering_key, dedupe_key, run_at, max_attempts, created_at) \
SELECT json_extract(value, '$.kind'), json_extract(value, '$.payload'), \
  json_extract(value, '$.ok'), json_extract(value, '$.dk'), json_extract(value, '$.run'), \
  json_extract(value, '$.max'), json_extract(value, '$.at') FROM json_each(?2) WHERE true ORDER BY key \
ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING";

/// The rows of `?1` and `?2` for the batch's tickets (`written` in the same order).
fn rows(opens: &[PendingOpen], written: &[Written]) -> StoreResult<(String, String)> {
    let mut turns = Vec::new();
    let mut jobs = Vec::new();
    for (p, w) in opens.iter().zip(written) {
        let id = w.ticket_id();
        let at = p.new.at.as_millisecond();
        if let Some(x) = &p.new.bot {
            let u = x.unanswered.as_ref();
            turns.push(serde_json::json!({
                "t": id,
                "at": at,
                "body": x.bot_reply,
                "meta": crate::message_ops::meta_json(&x.suggestions, None)?,
                "state": x.state,
                "uq": u.map(|u| &u.query),
                "ur": u.map(|u| &u.reason),
                "ua": u.and_then(|u| u.top_article.as_ref()),
                "us": u.and_then(|u| u.top_score),
                "ans": x.answered,
            }));
        }
        for job in &p.new.jobs {
            if job.kind.is_empty() {
                return Err(StoreError::Backend("a job needs a kind".into()));
            }
            let job = job.clone().for_ticket(TicketId(id));
            jobs.push(serde_json::json!({
                "kind": job.kind,
                "payload": json(&job.payload)?,
                "ok": job.ordering_key,
                "dk": job.dedupe_key,
                "run": job.run_at.as_millisecond(),
                "max": i32::try_from(job.max_attempts.max(1)).unwrap_or(i32::MAX),
                "at": at,
            }));
        }
    }
    Ok((json(&turns)?, json(&jobs)?))
}

/// Writes the bot turns and jobs of the batch's tickets (already written as `written`),
/// committing after when `then_commit`.
pub(crate) async fn write(
    conn: &mut SqliteConnection,
    opens: &[PendingOpen],
    written: &[Written],
    then_commit: bool,
) -> StoreResult<()> {
    static WITH_COMMIT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let sql = if then_commit {
        WITH_COMMIT
            .get_or_init(|| format!("{WRITE}; COMMIT"))
            .as_str()
    } else {
        WRITE
    };
    let (turns, jobs) = rows(opens, written)?;
    sqlx::query(sql)
        .bind(turns)
        .bind(jobs)
        .bind(json(&Actor::Bot)?)
        .execute(&mut *conn)
        .await?;
    Ok(())
}
