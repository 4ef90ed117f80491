//! Intake's rows in one round trip to SQLite. sqlx runs SQLite on a worker thread and every
//! statement is a hand-off to it and back; profiling intake showed those thread switches,
//! not SQLite, taking most of the CPU. A multi-statement query with globally numbered `$N`
//! parameters runs all of a new ticket's inserts in one hand-off.

use crate::NewTicket;
use crate::{StoreError, StoreResult};
use kefu_domain::{CustomerId, Message, TicketId, TicketNumber, ticket_number};
use rand::Rng as _;
use sqlx::{Row as _, SqliteConnection};

const OPEN_SQL: &str = "\
INSERT INTO customers (channel, external_id, display_name, email, phone, language, created_at) \
VALUES ($1, $2, $3, $4, $5, $6, $7) \
ON CONFLICT (channel, external_id) DO UPDATE SET \
  display_name = COALESCE(excluded.display_name, customers.display_name), \
  email = COALESCE(excluded.email, customers.email), \
  phone = COALESCE(excluded.phone, customers.phone), \
  language = excluded.language; \
INSERT INTO tickets (number, customer_id, channel, subject, category, priority, status, context, \
  created_at, updated_at, first_response_due) \
VALUES ($8, (SELECT id FROM customers WHERE channel = $1 AND external_id = $2), $1, $9, $10, $11, \
  $12, $13, $7, $7, $14); \
INSERT INTO messages (ticket_id, kind, author_agent_id, body, attachments, created_at) \
SELECT t.id, 'customer', NULL, $15, $16, $7 FROM tickets t WHERE t.number = $8; \
INSERT INTO ticket_events (ticket_id, seq, actor, kind, payload, at) \
SELECT t.id, 1, $17, 'opened', $18, $7 FROM tickets t WHERE t.number = $8; \
INSERT INTO ticket_events (ticket_id, seq, actor, kind, payload, at) \
SELECT t.id, 2, $17, 'message_added', json_object('kind', 'message_added', 'message_id', \
  (SELECT MAX(m.id) FROM messages m WHERE m.ticket_id = t.id), 'message_kind', 'customer'), $7 \
FROM tickets t WHERE t.number = $8; \
INSERT INTO ticket_sla (ticket_id, state, updated_at) \
SELECT t.id, $19, $7 FROM tickets t WHERE t.number = $8 AND $19 IS NOT NULL; \
INSERT INTO timers (ticket_id, kind, target, due_at) \
SELECT t.id, json_extract(j.value, '$.kind'), json_extract(j.value, '$.target'), \
  json_extract(j.value, '$.due_at') \
FROM tickets t, json_each($20) j WHERE t.number = $8; \
SELECT t.id AS ticket_id, t.customer_id AS customer_id, \
  (SELECT MAX(m.id) FROM messages m WHERE m.ticket_id = t.id) AS message_id \
FROM tickets t WHERE t.number = $8";

/// The rows of a new ticket (customer, ticket with a free number, first message, its two
/// events, SLA clocks and timers); a taken number is retried with another.
pub(crate) async fn open_rows(
    c: &mut SqliteConnection,
    new: &NewTicket,
    date: jiff::civil::Date,
) -> StoreResult<(TicketId, TicketNumber, CustomerId, Message)> {
    let p = crate::opening::params(new)?;
    for attempt in 0..16 {
        // The next serial of the day first (see `serials.rs`), random ones if it is taken.
        let serial = match attempt {
            0 => super::serials::take(c, date, 1).await?.first().copied(),
            _ => None,
        };
        let number = TicketNumber::new(
            date,
            serial.unwrap_or_else(|| rand::rng().random_range(0..ticket_number::SERIAL_BOUND)),
        );
        let result = crate::opening::bind_opening!(sqlx::query(OPEN_SQL), new, number, p)
            .fetch_all(&mut *c)
            .await;
        match result {
            Ok(rows) => {
                let row = rows
                    .first()
                    .ok_or(StoreError::Backend("the new ticket was not written".into()))?;
                let message = crate::opening::first_message(
                    new,
                    row.try_get("ticket_id")?,
                    row.try_get("message_id")?,
                );
                return Ok((
                    message.ticket_id,
                    number,
                    CustomerId(row.try_get("customer_id")?),
                    message,
                ));
            }
            // The only unique value written here besides the upserted customer is the number.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(StoreError::Backend(
        "no free ticket number after 16 tries".into(),
    ))
}
