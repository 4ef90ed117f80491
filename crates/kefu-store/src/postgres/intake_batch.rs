//! Intakes on PostgreSQL (all but bot-first ones), written together: the intakes that arrive while others are
//! being written wait in a queue, and a few writer tasks each take what is waiting and write
//! it in one statement (customers, tickets, first messages, events, SLA clocks and timers of
//! up to `MAX_BATCH` tickets).
//!
//! Why: a new ticket is eight rows in six tables, and PostgreSQL's cost per statement
//! (executor start-up, relation locks, one commit) was most of its CPU per intake; one
//! statement per batch spreads it. A single intake still goes alone (no waiting for
//! company), so one client's latency is unchanged.
//!
//! A returning customer's row is rewritten even when nothing changed: skipping it needs a
//! second look-up of the batch's customers, which measured dearer than the update.
//!
//! Idempotency keys are claimed in the same statement, and a new ticket's key row names its
//! ticket at once (ids are drawn from the tickets' sequence first). A key that was already
//! claimed, or that the batch holds twice, sends its intake to the single path after the
//! batch, which replays the first request's ticket or answers a conflict. A key is only
//! claimed when its ticket's random number is free: numbers collide more as the day fills
//! (n stored tickets: a new one collides with probability n / 10^8), and a key row naming
//! a ticket that was not written fails the whole batch. (The check is a per-row subquery:
//! as `NOT EXISTS` the planner may turn it into an anti-join over the whole table.)
//!
//! Nothing is lost on the way: a batch that fails as a whole (a deadlock with another node,
//! a bad row, a taken number whose key row then names no ticket) is redone intake by intake,
//! and a ticket whose random number was taken (no row back) is retried alone with other
//! numbers, so each caller gets its own ticket or its own error. Bot-first intakes do not
//! come here (their turn is several statements in the ticket's transaction).

use crate::postgres::fast;
use crate::postgres::notify::Notifier;
use crate::{NewTicket, OpenedTicket, StoreError, StoreResult};
use kefu_domain::{CustomerId, TicketNumber, ticket_number};
use rand::Rng as _;
use sqlx::{PgPool, Row as _};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc, oneshot};

/// Tickets per statement at most.
const MAX_BATCH: usize = 128;
/// Writer tasks: while one batch commits, the next is being written.
const WRITERS: usize = 2;

struct Job {
    new: NewTicket,
    reply: oneshot::Sender<StoreResult<OpenedTicket>>,
}

/// The queue in front of the writer tasks.
pub(crate) struct IntakeBatcher {
    queue: mpsc::Sender<Job>,
}

impl IntakeBatcher {
    /// Starts the writer tasks (on the current tokio runtime); they stop with the batcher.
    pub(crate) fn start(pool: PgPool, notifier: Notifier) -> Self {
        let (queue, waiting) = mpsc::channel(4 * MAX_BATCH * WRITERS);
        let waiting = Arc::new(Mutex::new(waiting));
        for _ in 0..WRITERS {
            tokio::spawn(writer(pool.clone(), notifier.clone(), Arc::clone(&waiting)));
        }
        Self { queue }
    }

    pub(crate) async fn open(&self, new: NewTicket) -> StoreResult<OpenedTicket> {
        let (reply, answer) = oneshot::channel();
        let gone = || StoreError::Unavailable("the intake writer stopped".into());
        self.queue
            .send(Job { new, reply })
            .await
            .map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

async fn writer(pool: PgPool, notifier: Notifier, waiting: Arc<Mutex<mpsc::Receiver<Job>>>) {
    loop {
        let mut jobs = Vec::new();
        {
            // One writer gathers at a time, so batches are as full as the queue allows.
            let mut waiting = waiting.lock().await;
            match waiting.recv().await {
                Some(job) => jobs.push(job),
                None => return,
            }
            while jobs.len() < MAX_BATCH {
                match waiting.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
        }
        write(&pool, &notifier, jobs).await;
    }
}

/// Writes the jobs and answers every one of them; a written ticket's two events (seq 1
/// and 2) are announced once its transaction is committed.
async fn write(pool: &PgPool, notifier: &Notifier, jobs: Vec<Job>) {
    // A key the batch already holds goes after it, alone: it replays (or conflicts with) the
    // first request's ticket.
    let mut keys = HashSet::new();
    let (jobs, mut later): (Vec<Job>, Vec<Job>) = jobs.into_iter().partition(|job| {
        job.new
            .idempotency
            .as_ref()
            .is_none_or(|k| keys.insert((k.scope.clone(), k.key.clone())))
    });
    let mut alone = Vec::new();
    if jobs.len() == 1 {
        alone = jobs;
    } else {
        match write_batch(pool, &jobs).await {
            Ok(mut written) => {
                notifier.committed(written.values().map(|o| (o.ticket.id.0, 2)).collect());
                for (i, job) in jobs.into_iter().enumerate() {
                    match written.remove(&i) {
                        Some(opened) => {
                            let _ = job.reply.send(Ok(opened));
                        }
                        // Its number was taken, or its key was: alone.
                        None => alone.push(job),
                    }
                }
            }
            Err(error) => {
                tracing::warn!(%error, tickets = jobs.len(), "intake batch failed; writing its tickets one by one");
                alone = jobs;
            }
        }
    }
    alone.append(&mut later);
    for job in alone {
        let opened = write_one(pool, job.new).await;
        if let Ok(o) = &opened
            && !o.replayed
        {
            notifier.committed(vec![(o.ticket.id.0, 2)]);
        }
        let _ = job.reply.send(opened);
    }
}

/// One intake: an idempotent one in a transaction (claim the key, write, record the ticket:
/// a replay or a conflict is decided there), a plain one in one statement (atomic on its own:
/// no BEGIN/COMMIT round trips).
async fn write_one(pool: &PgPool, new: NewTicket) -> StoreResult<OpenedTicket> {
    if new.idempotency.is_some() {
        let mut tx = pool.begin().await?;
        let opened = super::ops::open_ticket(&mut tx, new).await?;
        tx.commit().await?;
        return Ok(opened);
    }
    let new = &new;
    let mut conn = pool.acquire().await?;
    let date = new.at.to_zoned(jiff::tz::TimeZone::UTC).date();
    let (_, number, customer_id, message) = fast::open_rows(&mut conn, new, date).await?;
    Ok(crate::opening::opened_ticket(
        new.clone(),
        number,
        customer_id,
        message,
    ))
}

const BATCH_SQL: &str = "\
WITH i AS ( \
  SELECT u.*, nextval(pg_get_serial_sequence('tickets', 'id')) AS tid FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], \
    $7::bigint[], $8::text[], $9::text[], $10::text[], $11::int4[], $12::text[], $13::text[], \
    $14::bigint[], $15::text[], $16::text[], $17::text[], $18::text[], $19::text[], $20::text[], \
    $21::text[], $22::text[], $23::text[]) \
  WITH ORDINALITY AS u(channel, external_id, display_name, email, phone, language, at, number, \
    subject, category, priority, status, context, due, body, attachments, actor, opened, \
    sla_state, timers, idem_scope, idem_key, idem_fingerprint, ord) \
), k AS ( \
  INSERT INTO idempotency_keys (scope, key, fingerprint, ticket_id, created_at) \
  SELECT idem_scope, idem_key, idem_fingerprint, tid, at FROM i WHERE idem_key IS NOT NULL \
    AND (SELECT x.id FROM tickets x WHERE x.number = i.number LIMIT 1) IS NULL \
  ORDER BY idem_scope, idem_key \
  ON CONFLICT (scope, key) DO NOTHING RETURNING scope, key \
), go AS ( \
  SELECT * FROM i WHERE idem_key IS NULL \
  UNION ALL \
  SELECT i.* FROM i JOIN k ON k.scope = i.idem_scope AND k.key = i.idem_key \
), c AS ( \
  INSERT INTO customers (channel, external_id, display_name, email, phone, language, created_at) \
  SELECT channel, external_id, \
    (array_agg(display_name ORDER BY ord DESC) FILTER (WHERE display_name IS NOT NULL))[1], \
    (array_agg(email ORDER BY ord DESC) FILTER (WHERE email IS NOT NULL))[1], \
    (array_agg(phone ORDER BY ord DESC) FILTER (WHERE phone IS NOT NULL))[1], \
    (array_agg(language ORDER BY ord DESC))[1], min(at) \
  FROM go GROUP BY channel, external_id ORDER BY channel, external_id \
  ON CONFLICT (channel, external_id) DO UPDATE SET \
    display_name = COALESCE(excluded.display_name, customers.display_name), \
    email = COALESCE(excluded.email, customers.email), \
    phone = COALESCE(excluded.phone, customers.phone), \
    language = excluded.language \
  RETURNING id, channel, external_id \
), t AS ( \
  INSERT INTO tickets (id, number, customer_id, channel, subject, category, priority, status, \
    context, created_at, updated_at, first_response_due) OVERRIDING SYSTEM VALUE \
  SELECT go.tid, go.number, c.id, go.channel, go.subject, go.category, go.priority, go.status, \
    go.context, go.at, go.at, go.due \
  FROM go JOIN c ON c.channel = go.channel AND c.external_id = go.external_id ORDER BY go.ord \
  ON CONFLICT (number) DO NOTHING RETURNING id, customer_id, number \
), ti AS ( \
  SELECT t.id, t.customer_id, go.* FROM t JOIN go ON go.number = t.number \
), m AS ( \
  INSERT INTO messages (ticket_id, kind, author_agent_id, body, attachments, created_at) \
  SELECT id, 'customer', NULL, body, attachments, at FROM ti ORDER BY ord \
  RETURNING id, ticket_id \
), e AS ( \
  INSERT INTO ticket_events (ticket_id, seq, actor, kind, payload, at) \
  SELECT id, 1, actor, 'opened', opened, at FROM ti \
  UNION ALL \
  SELECT m.ticket_id, 2, ti.actor, 'message_added', json_build_object('kind', 'message_added', \
    'message_id', m.id, 'message_kind', 'customer')::text, ti.at FROM m JOIN ti ON ti.id = m.ticket_id \
), s AS ( \
  INSERT INTO ticket_sla (ticket_id, state, updated_at) \
  SELECT id, sla_state, at FROM ti WHERE sla_state IS NOT NULL \
), tm AS ( \
  INSERT INTO timers (ticket_id, kind, target, due_at) \
  SELECT ti.id, j->>'kind', j->>'target', (j->>'due_at')::bigint \
  FROM ti, json_array_elements(ti.timers::json) j \
) \
SELECT ti.ord, ti.id AS ticket_id, ti.customer_id, m.id AS message_id \
FROM ti JOIN m ON m.ticket_id = ti.id";

/// The batch's columns, one array per `$n` of `BATCH_SQL`.
#[derive(Default)]
struct Columns {
    channel: Vec<String>,
    external_id: Vec<String>,
    display_name: Vec<Option<String>>,
    email: Vec<Option<String>>,
    phone: Vec<Option<String>>,
    language: Vec<String>,
    at: Vec<i64>,
    number: Vec<String>,
    subject: Vec<String>,
    category: Vec<String>,
    priority: Vec<i32>,
    status: Vec<String>,
    context: Vec<String>,
    due: Vec<Option<i64>>,
    body: Vec<String>,
    attachments: Vec<String>,
    actor: Vec<String>,
    opened: Vec<String>,
    sla_state: Vec<Option<String>>,
    timers: Vec<String>,
    idem_scope: Vec<Option<String>>,
    idem_key: Vec<Option<String>>,
    idem_fingerprint: Vec<Option<String>>,
}

/// Writes the jobs in one statement; the tickets written, by job index.
async fn write_batch(pool: &PgPool, jobs: &[Job]) -> StoreResult<HashMap<usize, OpenedTicket>> {
    let mut cols = Columns::default();
    let mut numbers = Vec::with_capacity(jobs.len());
    let mut taken = HashSet::with_capacity(jobs.len());
    for job in jobs {
        let new = &job.new;
        let p = crate::opening::params(new)?;
        let date = new.at.to_zoned(jiff::tz::TimeZone::UTC).date();
        // Distinct within the batch; the unique index decides against stored ones.
        let number = loop {
            let serial = rand::rng().random_range(0..ticket_number::SERIAL_BOUND);
            let n = TicketNumber::new(date, serial);
            if taken.insert(n) {
                break n;
            }
        };
        numbers.push(number);
        cols.channel
            .push(new.customer.identity.channel.as_str().into());
        cols.external_id
            .push(new.customer.identity.external_id.clone());
        cols.display_name.push(new.customer.display_name.clone());
        cols.email.push(new.customer.email.clone());
        cols.phone.push(new.customer.phone.clone());
        cols.language.push(new.customer.language.clone());
        cols.at.push(new.at.as_millisecond());
        cols.number.push(number.as_string());
        cols.subject.push(new.subject.clone());
        cols.category.push(new.category.as_str().into());
        cols.priority.push(i32::from(new.priority.rank()));
        cols.status.push(new.status.as_str().into());
        cols.context.push(p.context);
        cols.due
            .push(new.first_response_due.map(|t| t.as_millisecond()));
        cols.body.push(new.body.clone());
        cols.attachments.push(p.attachments);
        cols.actor.push(p.actor);
        cols.opened.push(p.opened);
        cols.sla_state
            .push(new.sla.as_ref().map(|s| s.state.clone()));
        cols.timers.push(p.timers);
        let idem = new.idempotency.as_ref();
        cols.idem_scope.push(idem.map(|k| k.scope.clone()));
        cols.idem_key.push(idem.map(|k| k.key.clone()));
        cols.idem_fingerprint
            .push(idem.map(|k| k.fingerprint.clone()));
    }
    let rows = sqlx::query(BATCH_SQL)
        .bind(cols.channel)
        .bind(cols.external_id)
        .bind(cols.display_name)
        .bind(cols.email)
        .bind(cols.phone)
        .bind(cols.language)
        .bind(cols.at)
        .bind(cols.number)
        .bind(cols.subject)
        .bind(cols.category)
        .bind(cols.priority)
        .bind(cols.status)
        .bind(cols.context)
        .bind(cols.due)
        .bind(cols.body)
        .bind(cols.attachments)
        .bind(cols.actor)
        .bind(cols.opened)
        .bind(cols.sla_state)
        .bind(cols.timers)
        .bind(cols.idem_scope)
        .bind(cols.idem_key)
        .bind(cols.idem_fingerprint)
        .fetch_all(pool)
        .await?;
    let mut written = HashMap::with_capacity(rows.len());
    for row in rows {
        // ORDINALITY counts from 1.
        let ord: i64 = row.try_get("ord")?;
        let i = usize::try_from(ord - 1)
            .ok()
            .filter(|&i| i < jobs.len())
            .ok_or_else(|| StoreError::Backend(format!("intake batch returned row {ord}")))?;
        let new = &jobs[i].new;
        let message = crate::opening::first_message(
            new,
            row.try_get("ticket_id")?,
            row.try_get("message_id")?,
        );
        let opened = crate::opening::opened_ticket(
            new.clone(),
            numbers[i],
            CustomerId(row.try_get("customer_id")?),
            message,
        );
        written.insert(i, opened);
    }
    Ok(written)
}
