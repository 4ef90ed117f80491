//! Writing and reading message rows, with their structured `meta` (the choices a bot
//! message offers), and flags raised once per ticket; written once and expanded for each
//! backend next to [`crate::ops::backend_ops`], whose helpers it uses.
//!
//! `meta` is JSON text, NULL for a plain message: `{"suggestions":[{"id","question"},…]}`.
//! An object rather than a bare list so that later kinds of structured data need no
//! migration.

use crate::{StoreError, StoreResult};
use kefu_domain::Suggestion;

/// Columns of `messages` every message query selects.
pub(crate) const MESSAGE_COLUMNS: &str =
    "id, ticket_id, kind, author_agent_id, body, attachments, meta, created_at";

#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<Suggestion>,
}

/// The `meta` value of a message offering `suggestions` (NULL when it offers none).
pub(crate) fn meta_json(suggestions: &[Suggestion]) -> StoreResult<Option<String>> {
    if suggestions.is_empty() {
        return Ok(None);
    }
    let meta = Meta {
        suggestions: suggestions.to_vec(),
    };
    serde_json::to_string(&meta)
        .map(Some)
        .map_err(|e| StoreError::Backend(e.to_string()))
}

/// The suggestions in a stored `meta` value.
pub(crate) fn suggestions_of(meta: Option<&str>) -> StoreResult<Vec<Suggestion>> {
    let Some(text) = meta else {
        return Ok(Vec::new());
    };
    serde_json::from_str::<Meta>(text)
        .map(|m| m.suggestions)
        .map_err(|e| StoreError::Backend(format!("bad message meta: {e}")))
}

macro_rules! message_ops {
    () => {
        // --- message rows ------------------------------------------------------------------

        async fn insert_message(
            c: &mut Conn,
            ticket: TicketId,
            kind: MessageKind,
            author: Option<AgentId>,
            body: &str,
            attachments: &[Attachment],
            at: jiff::Timestamp,
        ) -> StoreResult<Message> {
            let m = Message {
                id: MessageId(0),
                ticket_id: ticket,
                kind,
                author_agent: author,
                body: body.to_owned(),
                attachments: attachments.to_vec(),
                suggestions: Vec::new(),
                created_at: at,
            };
            write_message(c, m).await
        }

        /// Writes `m` (its id is ignored) and returns it with its id.
        async fn write_message(c: &mut Conn, mut m: Message) -> StoreResult<Message> {
            let row = sqlx::query(
                "INSERT INTO messages (ticket_id, kind, author_agent_id, body, attachments, meta, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(m.ticket_id.0)
            .bind(m.kind.as_str())
            .bind(m.author_agent.map(|a| a.0))
            .bind(&m.body)
            .bind(to_json(&m.attachments)?)
            .bind(crate::message_ops::meta_json(&m.suggestions)?)
            .bind(ms(m.created_at))
            .fetch_one(&mut *c)
            .await?;
            m.id = MessageId(row.i64("id")?);
            Ok(m)
        }

        // --- flags: an event written once per ticket --------------------------------------

        pub(crate) async fn flag_ticket(
            c: &mut Conn,
            ticket: TicketId,
            kind: EventKind,
            at: jiff::Timestamp,
        ) -> StoreResult<bool> {
            // The ticket row locked: the once-check and the event's `seq` race nobody.
            ticket_for_update(c, ticket).await?;
            let seen = sqlx::query("SELECT 1 AS one FROM ticket_events WHERE ticket_id = $1 AND kind = $2 LIMIT 1")
                .bind(ticket.0)
                .bind(kind.name())
                .fetch_optional(&mut *c)
                .await?;
            if seen.is_some() {
                return Ok(false);
            }
            insert_event(c, ticket, &Actor::System, &kind, at).await?;
            Ok(true)
        }
    };
}

pub(crate) use message_ops;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_message_stores_no_meta_and_suggestions_round_trip() {
        assert_eq!(meta_json(&[]).unwrap(), None);
        assert!(suggestions_of(None).unwrap().is_empty());
        let offered = vec![Suggestion {
            id: "kb-1".into(),
            question: "怎么改密码？".into(),
        }];
        let stored = meta_json(&offered).unwrap().unwrap();
        assert_eq!(suggestions_of(Some(&stored)).unwrap(), offered);
        assert!(suggestions_of(Some("{}")).unwrap().is_empty());
        assert!(suggestions_of(Some("[")).is_err());
    }
}
