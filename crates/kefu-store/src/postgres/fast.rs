//! Intake's rows in one statement on PostgreSQL: data-modifying CTEs write the customer,
//! ticket, first message, its two events, SLA clocks and timers in one round trip (each
//! round trip is a network exchange, and intake is the hottest write).

use crate::{NewTicket, StoreError, StoreResult};
use kefu_domain::{CustomerId, Message, TicketId, TicketNumber, ticket_number};
use rand::Rng as _;
use sqlx::{PgConnection, Row as _};

const OPEN_SQL: &str = "\
WITH c AS ( \
  INSERT INTO customers (channel, external_id, display_name, email, phone, language, created_at) \
  VALUES ($1, $2, $3, $4, $5, $6, $7) \
  ON CONFLICT (channel, external_id) DO UPDATE SET \
    display_name = COALESCE(excluded.display_name, customers.display_name), \
    email = COALESCE(excluded.email, customers.email), \
    phone = COALESCE(excluded.phone, customers.phone), \
    language = excluded.language \
  RETURNING id \
), t AS ( \
  INSERT INTO tickets (number, customer_id, channel, subject, category, priority, status, context, \
    created_at, updated_at, first_response_due) \
  SELECT $8, c.id, $1, $9, $10, $11, $12, $13, $7, $7, $14 FROM c \
  ON CONFLICT (number) DO NOTHING RETURNING id, customer_id \
), m AS ( \
  INSERT INTO messages (ticket_id, kind, author_agent_id, body, attachments, created_at) \
  SELECT t.id, 'customer', NULL, $15, $16, $7 FROM t RETURNING id, ticket_id \
), e AS ( \
  INSERT INTO ticket_events (ticket_id, seq, actor, kind, payload, at) \
  SELECT m.ticket_id, 1, $17, 'opened', $18, $7 FROM m \
  UNION ALL \
  SELECT m.ticket_id, 2, $17, 'message_added', json_build_object('kind', 'message_added', \
    'message_id', m.id, 'message_kind', 'customer')::text, $7 FROM m \
), s AS ( \
  INSERT INTO ticket_sla (ticket_id, state, updated_at) \
  SELECT t.id, $19::text, $7 FROM t WHERE $19::text IS NOT NULL \
), tm AS ( \
  INSERT INTO timers (ticket_id, kind, target, due_at) \
  SELECT t.id, j->>'kind', j->>'target', (j->>'due_at')::bigint FROM t, json_array_elements($20::json) j \
) \
SELECT t.id AS ticket_id, t.customer_id AS customer_id, m.id AS message_id FROM t JOIN m ON m.ticket_id = t.id";

/// The rows of a new ticket; a taken number (no row back) is retried with another.
pub(crate) async fn open_rows(
    c: &mut PgConnection,
    new: &NewTicket,
    date: jiff::civil::Date,
) -> StoreResult<(TicketId, TicketNumber, CustomerId, Message)> {
    let p = crate::opening::params(new)?;
    for _ in 0..16 {
        let number = TicketNumber::new(
            date,
            rand::rng().random_range(0..ticket_number::SERIAL_BOUND),
        );
        let row = crate::opening::bind_opening!(sqlx::query(OPEN_SQL), new, number, p)
            .fetch_optional(&mut *c)
            .await?;
        if let Some(row) = row {
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
    }
    Err(StoreError::Backend(
        "no free ticket number after 16 tries".into(),
    ))
}
