//! Every plain intake of one group commit written in one round trip to SQLite.
//!
//! sqlx runs SQLite on its own thread, and each statement is a hand-off to it and back; with
//! intake the hottest write, those hand-offs (not SQLite) were what capped throughput. So the
//! writer gathers the new tickets waiting in a batch and writes them together: their values
//! go into a temporary in-memory table with one multi-row `INSERT`, and a fixed list of
//! `INSERT … SELECT` statements writes every customer, ticket, first message, event, SLA
//! clock, timer and idempotency key from it.
//!
//! A returning customer whose profile did not change is not rewritten (no page to write).
//! A taken ticket number is replaced in SQL by one of two spare numbers drawn for each
//! ticket. Anything else that fails a chunk (a reused idempotency key, a third taken number)
//! makes the writer roll the batch back and write it again one job at a time through the
//! ordinary path, which knows how to replay, conflict and retry.

use crate::opening::{first_message, opened_ticket, params};
use crate::{NewTicket, OpenedTicket, StoreError, StoreResult};
use kefu_domain::{CustomerId, TicketNumber, ticket_number};
use rand::Rng as _;
use sqlx::{Row as _, SqliteConnection};
use std::collections::HashSet;
use std::sync::OnceLock;
use tokio::sync::oneshot;

/// A new ticket waiting for the writer, and where its outcome goes.
pub(crate) struct PendingOpen {
    pub new: NewTicket,
    pub reply: oneshot::Sender<StoreResult<OpenedTicket>>,
}

/// The statement sizes (rows of the staging insert), smallest first. A chunk uses the
/// smallest that holds it and binds NULL rows for the rest: a few fixed sizes keep the
/// prepared statements few, and a batch of up to 64 tickets takes one round trip.
const STATEMENT_SIZES: [usize; 3] = [4, 16, 64];
/// The most tickets written in one round trip.
const MAX_CHUNK: usize = 64;

const COLUMNS: [&str; 26] = [
    "seq",
    "channel",
    "external_id",
    "display_name",
    "email",
    "phone",
    "language",
    "at",
    "number",
    "alt1",
    "alt2",
    "subject",
    "category",
    "priority",
    "status",
    "context",
    "due",
    "body",
    "attachments",
    "actor",
    "opened",
    "sla_state",
    "timers",
    "idem_scope",
    "idem_key",
    "idem_fp",
];

/// The staging table, per connection and in memory (`temp_store = MEMORY`).
pub(crate) const CREATE_STAGING: &str = "\
CREATE TEMP TABLE IF NOT EXISTS intake_batch (\
  seq INTEGER PRIMARY KEY, channel TEXT NOT NULL, external_id TEXT NOT NULL, display_name TEXT, \
  email TEXT, phone TEXT, language TEXT NOT NULL, at INTEGER NOT NULL, number TEXT NOT NULL, \
  alt1 TEXT NOT NULL, alt2 TEXT NOT NULL, subject TEXT NOT NULL, category TEXT NOT NULL, \
  priority INTEGER NOT NULL, status TEXT NOT NULL, context TEXT NOT NULL, due INTEGER, \
  body TEXT NOT NULL, attachments TEXT NOT NULL, actor TEXT NOT NULL, opened TEXT NOT NULL, \
  sla_state TEXT, timers TEXT NOT NULL, idem_scope TEXT, idem_key TEXT, idem_fp TEXT)";

/// The staging rows joined to their new tickets (`CROSS JOIN` fixes the join order: staged
/// rows outside, the ticket found through its unique number).
const STAGED: &str = "temp.intake_batch b CROSS JOIN tickets t ON t.number = b.number";

/// Everything after the staging insert; the same for every chunk size. Few statements on
/// purpose: each one's result is a message from sqlx's SQLite thread that wakes the writer.
fn write_statements() -> String {
    let taken = |n: &str| format!("EXISTS (SELECT 1 FROM tickets x WHERE x.number = {n})");
    let (number_taken, alt1_taken) = (taken("intake_batch.number"), taken("alt1"));
    format!(
        "UPDATE temp.intake_batch SET number = CASE WHEN {alt1_taken} THEN alt2 ELSE alt1 END \
WHERE {number_taken}; \
INSERT INTO customers (channel, external_id, display_name, email, phone, language, created_at) \
SELECT channel, external_id, display_name, email, phone, language, at FROM temp.intake_batch \
WHERE true ORDER BY seq \
ON CONFLICT (channel, external_id) DO UPDATE SET \
  display_name = COALESCE(excluded.display_name, customers.display_name), \
  email = COALESCE(excluded.email, customers.email), \
  phone = COALESCE(excluded.phone, customers.phone), \
  language = excluded.language \
WHERE (excluded.display_name IS NOT NULL AND excluded.display_name IS NOT customers.display_name) \
  OR (excluded.email IS NOT NULL AND excluded.email IS NOT customers.email) \
  OR (excluded.phone IS NOT NULL AND excluded.phone IS NOT customers.phone) \
  OR excluded.language IS NOT customers.language; \
INSERT INTO tickets (number, customer_id, channel, subject, category, priority, status, context, \
  created_at, updated_at, first_response_due) \
SELECT b.number, c.id, b.channel, b.subject, b.category, b.priority, b.status, b.context, b.at, \
  b.at, b.due \
FROM temp.intake_batch b CROSS JOIN customers c ON c.channel = b.channel AND c.external_id = b.external_id \
ORDER BY b.seq; \
INSERT INTO messages (ticket_id, kind, author_agent_id, body, attachments, created_at) \
SELECT t.id, 'customer', NULL, b.body, b.attachments, b.at FROM {STAGED} ORDER BY b.seq; \
INSERT INTO ticket_events (ticket_id, seq, actor, kind, payload, at) \
SELECT t.id, 1, b.actor, 'opened', b.opened, b.at FROM {STAGED} \
UNION ALL \
SELECT t.id, 2, b.actor, 'message_added', json_object('kind', 'message_added', 'message_id', m.id, \
  'message_kind', 'customer'), b.at \
FROM {STAGED} CROSS JOIN messages m ON m.ticket_id = t.id; \
INSERT INTO ticket_sla (ticket_id, state, updated_at) \
SELECT t.id, b.sla_state, b.at FROM {STAGED} WHERE b.sla_state IS NOT NULL ORDER BY b.seq; \
INSERT INTO timers (ticket_id, kind, target, due_at) \
SELECT t.id, json_extract(j.value, '$.kind'), json_extract(j.value, '$.target'), \
  json_extract(j.value, '$.due_at') \
FROM {STAGED} CROSS JOIN json_each(b.timers) j ORDER BY b.seq; \
INSERT INTO idempotency_keys (scope, key, fingerprint, ticket_id, created_at) \
SELECT b.idem_scope, b.idem_key, b.idem_fp, t.id, b.at FROM {STAGED} \
WHERE b.idem_key IS NOT NULL ORDER BY b.seq; \
SELECT json_group_array(json_array(b.seq, b.number, t.id, t.customer_id, m.id)) AS written \
FROM {STAGED} CROSS JOIN messages m ON m.ticket_id = t.id"
    )
}

/// Where a chunk stands in its batch's transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Bounds {
    /// The chunk opens the transaction (`BEGIN IMMEDIATE` first).
    pub begin: bool,
    /// The chunk ends it (`COMMIT` last).
    pub commit: bool,
}

/// The statement list for up to `size` tickets (one of [`STATEMENT_SIZES`]) within
/// `bounds`, built once. Rows whose `seq` is NULL are padding and are not staged. Opening
/// and committing the transaction in the same round trip saves two hand-offs per batch.
fn chunk_sql(size: usize, bounds: Bounds) -> StoreResult<&'static str> {
    static SQL: OnceLock<Vec<(usize, Bounds, String)>> = OnceLock::new();
    let all = SQL.get_or_init(|| {
        let tail = write_statements();
        let mut all = Vec::new();
        for n in STATEMENT_SIZES {
            // Anonymous `?` parameters: SQLite finds a *named* parameter's name by a linear
            // scan, which made binding a large chunk quadratic.
            let row = format!("({})", vec!["?"; COLUMNS.len()].join(", "));
            let values = vec![row; n].join(", ");
            for (begin, commit) in [(false, false), (true, false), (false, true), (true, true)] {
                let sql = format!(
                    "{}DELETE FROM temp.intake_batch; \
                     INSERT INTO temp.intake_batch ({}) SELECT * FROM (VALUES {values}) \
                     WHERE column1 IS NOT NULL; {tail}{}",
                    if begin { "BEGIN IMMEDIATE; " } else { "" },
                    COLUMNS.join(", "),
                    if commit { "; COMMIT" } else { "" },
                );
                all.push((n, Bounds { begin, commit }, sql));
            }
        }
        all
    });
    all.iter()
        .find(|(n, b, _)| *n == size && *b == bounds)
        .map(|(_, _, sql)| sql.as_str())
        .ok_or_else(|| StoreError::Backend(format!("no intake statement for {size} rows")))
}

/// The smallest statement size that holds `rows` tickets.
fn statement_size(rows: usize) -> usize {
    STATEMENT_SIZES
        .iter()
        .copied()
        .find(|&n| n >= rows)
        .unwrap_or(MAX_CHUNK)
}

/// Splits `n` waiting tickets into chunks of at most [`MAX_CHUNK`].
pub(crate) fn chunk_lengths(mut n: usize) -> Vec<usize> {
    let mut out = Vec::with_capacity(n.div_ceil(MAX_CHUNK));
    while n > 0 {
        let len = n.min(MAX_CHUNK);
        out.push(len);
        n -= len;
    }
    out
}

/// Three numbers for each ticket of the chunk, all different: the next serial of its day
/// (see `serials.rs`) and two random spares for when that one is taken.
async fn draw_numbers(
    conn: &mut SqliteConnection,
    chunk: &[PendingOpen],
) -> StoreResult<Vec<[TicketNumber; 3]>> {
    let mut seen = HashSet::with_capacity(chunk.len() * 3);
    let mut numbers = Vec::with_capacity(chunk.len());
    for p in chunk {
        let date = p.new.at.to_zoned(jiff::tz::TimeZone::UTC).date();
        let serial = super::serials::take(conn, date, 1).await?;
        let first = TicketNumber::new(date, serial.first().copied().unwrap_or_default());
        seen.insert(first);
        let mut rng = rand::rng();
        let mut spare = || loop {
            let n = TicketNumber::new(date, rng.random_range(0..ticket_number::SERIAL_BOUND));
            if seen.insert(n) {
                break n;
            }
        };
        numbers.push([first, spare(), spare()]);
    }
    Ok(numbers)
}

/// Writes one chunk and returns what was written for each ticket, in order. On error the
/// caller rolls the whole transaction back: failures are rare, and a savepoint of its own
/// would make SQLite journal every page the chunk touches.
pub(crate) async fn write_chunk(
    conn: &mut SqliteConnection,
    chunk: &[PendingOpen],
    bounds: Bounds,
) -> StoreResult<Vec<Written>> {
    let numbers = draw_numbers(conn, chunk).await?;
    write_numbered(conn, chunk, &numbers, bounds).await
}

/// [`write_chunk`] with the numbers (and spares) already drawn.
async fn write_numbered(
    conn: &mut SqliteConnection,
    chunk: &[PendingOpen],
    numbers: &[[TicketNumber; 3]],
    bounds: Bounds,
) -> StoreResult<Vec<Written>> {
    let size = statement_size(chunk.len());
    let sql = chunk_sql(size, bounds)?;
    let prepared = chunk
        .iter()
        .map(|p| params(&p.new))
        .collect::<StoreResult<Vec<_>>>()?;
    let mut query = sqlx::query(sql);
    for (seq, ((p, [number, alt1, alt2]), j)) in
        chunk.iter().zip(numbers).zip(&prepared).enumerate()
    {
        let new = &p.new;
        let idem = new.idempotency.as_ref();
        query = query
            .bind(i64::try_from(seq).unwrap_or(i64::MAX))
            .bind(new.customer.identity.channel.as_str())
            .bind(&new.customer.identity.external_id)
            .bind(&new.customer.display_name)
            .bind(&new.customer.email)
            .bind(&new.customer.phone)
            .bind(&new.customer.language)
            .bind(new.at.as_millisecond())
            .bind(number.as_string())
            .bind(alt1.as_string())
            .bind(alt2.as_string())
            .bind(&new.subject)
            .bind(new.category.as_str())
            .bind(i32::from(new.priority.rank()))
            .bind(new.status.as_str())
            .bind(&j.context)
            .bind(new.first_response_due.map(|t| t.as_millisecond()))
            .bind(&new.body)
            .bind(&j.attachments)
            .bind(&j.actor)
            .bind(&j.opened)
            .bind(new.sla.as_ref().map(|s| s.state.as_str()))
            .bind(&j.timers)
            .bind(idem.map(|k| k.scope.as_str()))
            .bind(idem.map(|k| k.key.as_str()))
            .bind(idem.map(|k| k.fingerprint.as_str()));
    }
    // The padding rows stay unbound: SQLite reads unbound parameters as NULL.
    // `fetch_all`, not `fetch_one`: sqlx stops a multi-statement query at the row a limited
    // fetch asked for, and the statements after the result (COMMIT) would never run.
    let rows = query.fetch_all(&mut *conn).await?;
    let row = rows
        .first()
        .ok_or_else(|| StoreError::Backend("an intake chunk returned nothing".into()))?;
    let written: String = row.try_get("written")?;
    let mut written: Vec<Written> = serde_json::from_str(&written)
        .map_err(|e| StoreError::Backend(format!("intake chunk result: {e}")))?;
    if written.len() != chunk.len() {
        return Err(StoreError::Backend(format!(
            "an intake chunk of {} wrote {} tickets",
            chunk.len(),
            written.len()
        )));
    }
    written.sort_by_key(|w| w.0);
    Ok(written)
}

/// One written ticket: staging `seq`, number, ticket id, customer id, first message id.
#[derive(serde::Deserialize)]
pub(crate) struct Written(i64, String, i64, i64, i64);

impl Written {
    /// The new ticket's id.
    pub(crate) fn ticket_id(&self) -> i64 {
        self.2
    }

    /// The outcome of the pending ticket this row was written for.
    pub(crate) fn opened(self, new: NewTicket) -> StoreResult<OpenedTicket> {
        let Written(_, number, ticket_id, customer_id, message_id) = self;
        let number = number
            .parse::<TicketNumber>()
            .map_err(|e| StoreError::Backend(format!("stored ticket number: {e}")))?;
        let message = first_message(&new, ticket_id, message_id);
        Ok(opened_ticket(new, number, CustomerId(customer_id), message))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{Dialect, migrator};
    use kefu_domain::{Actor, CategoryCode, Channel, CustomerRef, Priority, TicketStatus};
    use sqlx::Connection as _;

    fn pending(external_id: &str) -> PendingOpen {
        let at = jiff::Timestamp::from_second(1_790_000_000).unwrap_or_default();
        PendingOpen {
            new: NewTicket {
                customer: crate::CustomerProfile {
                    identity: CustomerRef {
                        channel: Channel::Api,
                        external_id: external_id.into(),
                    },
                    display_name: None,
                    email: None,
                    phone: None,
                    language: "zh-CN".into(),
                },
                channel: Channel::Api,
                subject: "登录不了".into(),
                body: "验证码收不到".into(),
                attachments: vec![],
                category: CategoryCode::general(),
                priority: Priority::Normal,
                status: TicketStatus::Queued,
                context: serde_json::json!({}),
                first_response_due: None,
                actor: Actor::Customer,
                idempotency: None,
                bot: None,
                sla: None,
                jobs: Vec::new(),
                at,
            },
            reply: oneshot::channel().0,
        }
    }

    fn number(serial: u32) -> TicketNumber {
        TicketNumber::new(jiff::civil::date(2026, 11, 28), serial)
    }

    /// A fresh migrated database in a temp directory (removed by the test).
    async fn migrated_database(name: &str) -> (std::path::PathBuf, SqliteConnection) {
        let dir = std::env::temp_dir().join(format!("kefu-{name}-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        migrator(Dialect::Sqlite).run(&mut conn).await.unwrap();
        (dir, conn)
    }

    #[tokio::test]
    async fn a_taken_number_is_replaced_by_a_free_spare_and_three_taken_fail_the_chunk() {
        let (dir, mut conn) = migrated_database("chunk").await;
        sqlx::query(CREATE_STAGING)
            .execute(&mut conn)
            .await
            .unwrap();
        let whole = Bounds {
            begin: true,
            commit: true,
        };
        let numbers = [[1, 2, 3].map(number)];
        let chunk = [pending("a")];
        for expected in [1, 2, 3] {
            let written = write_numbered(&mut conn, &chunk, &numbers, whole)
                .await
                .unwrap();
            assert_eq!(
                written[0].1,
                number(expected).as_string(),
                "spare when taken"
            );
        }
        let all_taken = write_numbered(&mut conn, &chunk, &numbers, whole).await;
        assert!(all_taken.is_err(), "all three taken");
        sqlx::query("ROLLBACK").execute(&mut conn).await.unwrap();
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(count, 3);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn drawn_numbers_are_all_different_and_count_up() {
        let (dir, mut conn) = migrated_database("draw").await;
        let chunk: Vec<PendingOpen> = (0..64).map(|i| pending(&i.to_string())).collect();
        let drawn = draw_numbers(&mut conn, &chunk).await.unwrap();
        let all: HashSet<TicketNumber> = drawn.iter().flatten().copied().collect();
        assert_eq!(all.len(), 64 * 3);
        let firsts: Vec<u32> = drawn.iter().map(|d| d[0].serial()).collect();
        assert_eq!(firsts, (0..64).collect::<Vec<u32>>());
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn batches_split_into_chunks_that_a_statement_holds() {
        assert_eq!(chunk_lengths(0), Vec::<usize>::new());
        assert_eq!(chunk_lengths(1), vec![1]);
        assert_eq!(chunk_lengths(45), vec![45]);
        assert_eq!(chunk_lengths(130), vec![64, 64, 2]);
        assert_eq!(statement_size(1), 4);
        assert_eq!(statement_size(5), 16);
        assert_eq!(statement_size(64), 64);
        for n in 0..600 {
            let parts = chunk_lengths(n);
            assert_eq!(parts.iter().sum::<usize>(), n);
            assert!(parts.iter().all(|p| statement_size(*p) >= *p));
        }
        for n in STATEMENT_SIZES {
            for (begin, commit) in [(false, false), (true, false), (false, true), (true, true)] {
                let sql = chunk_sql(n, Bounds { begin, commit }).unwrap_or_default();
                assert_eq!(sql.starts_with("BEGIN IMMEDIATE;"), begin);
                assert_eq!(sql.ends_with("; COMMIT"), commit);
            }
        }
    }

    #[test]
    fn every_statement_has_one_parameter_per_column_and_row() {
        for n in STATEMENT_SIZES {
            let sql = chunk_sql(
                n,
                Bounds {
                    begin: true,
                    commit: true,
                },
            )
            .unwrap_or_default();
            assert_eq!(sql.matches('?').count(), n * COLUMNS.len());
        }
    }
}
