//! Writing and reading message rows, with their structured `meta` (the choices a bot
//! message offers), and flags raised once per ticket; written once and expanded for each
//! backend next to [`crate::ops::backend_ops`], whose helpers it uses.
//!
//! `meta` is JSON text, NULL for a plain message: `{"suggestions":[{"id","question"},…]}`,
//! or `{"survey":{"id","form","expires_at"}}` on a survey message.
//! An object rather than a bare list so that later kinds of structured data need no
//! migration.

use crate::{StoreError, StoreResult};
use kefu_domain::{Suggestion, SurveyInvite};

/// Columns of `messages` every message query selects.
pub(crate) const MESSAGE_COLUMNS: &str =
    "id, ticket_id, kind, author_agent_id, body, attachments, meta, created_at";

#[derive(serde::Serialize, serde::Deserialize)]
struct Meta {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<Suggestion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    survey: Option<SurveyInvite>,
}

/// The `meta` value of a message offering `suggestions` or carrying a survey (NULL when it
/// has neither). A survey's token is never stored.
pub(crate) fn meta_json(
    suggestions: &[Suggestion],
    survey: Option<&SurveyInvite>,
) -> StoreResult<Option<String>> {
    if suggestions.is_empty() && survey.is_none() {
        return Ok(None);
    }
    let meta = Meta {
        suggestions: suggestions.to_vec(),
        survey: survey.map(|s| SurveyInvite {
            token: None,
            ..s.clone()
        }),
    };
    serde_json::to_string(&meta)
        .map(Some)
        .map_err(|e| StoreError::Backend(e.to_string()))
}

/// The suggestions and survey in a stored `meta` value.
pub(crate) fn meta_of(meta: Option<&str>) -> StoreResult<(Vec<Suggestion>, Option<SurveyInvite>)> {
    let Some(text) = meta else {
        return Ok((Vec::new(), None));
    };
    serde_json::from_str::<Meta>(text)
        .map(|m| (m.suggestions, m.survey))
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
                survey: None,
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
            .bind(crate::message_ops::meta_json(&m.suggestions, m.survey.as_ref())?)
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
        assert_eq!(meta_json(&[], None).unwrap(), None);
        assert!(meta_of(None).unwrap().0.is_empty());
        let offered = vec![Suggestion {
            id: "kb-1".into(),
            question: "怎么改密码？".into(),
        }];
        let stored = meta_json(&offered, None).unwrap().unwrap();
        assert_eq!(meta_of(Some(&stored)).unwrap().0, offered);
        assert!(meta_of(Some("{}")).unwrap().0.is_empty());
        assert!(meta_of(Some("[")).is_err());
    }

    #[test]
    fn a_survey_invite_is_stored_without_its_token() {
        let invite = SurveyInvite {
            id: "abc".into(),
            form: kefu_domain::SurveyForm::Score,
            expires_at: jiff::Timestamp::UNIX_EPOCH,
            token: Some("secret".into()),
        };
        let stored = meta_json(&[], Some(&invite)).unwrap().unwrap();
        assert!(!stored.contains("secret"), "{stored}");
        let (_, read) = meta_of(Some(&stored)).unwrap();
        assert_eq!(
            read,
            Some(SurveyInvite {
                token: None,
                ..invite
            })
        );
    }
}
