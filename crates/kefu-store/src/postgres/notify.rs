//! Sending event notices on PostgreSQL, after the commit and outside the writing
//! transaction.
//!
//! Why not `NOTIFY` (or a trigger) inside the transaction that writes the events, which
//! would be atomic with it: PostgreSQL serializes the commits of all transactions that
//! notified, database-wide, *including their WAL flush*. Measured here (2026-11-30, pgbench,
//! one event insert per transaction, 8 clients): 2,337 commits/s without, 333/s with a
//! statement-level notify trigger — every node's ticket writes would share one disk flush
//! at a time. So each write records which tickets it gave events (`written`, called by
//! `insert_event` through a task-local set by `PgStore::write`; intake reports its own),
//! and after the commit hands them to this node's notifier task, which coalesces what
//! waits (highest seq per ticket, many tickets per payload) into one `pg_notify`
//! statement on a connection of its own with `synchronous_commit = off`, so the global
//! notify lock is held for microseconds, once per batch.
//!
//! The price: a notice is best effort. A node that dies between its commit and the notify
//! (or whose notifier cannot reach the server) sends none, so subscribers also resync now
//! and then (see [`crate::EventNotice::Resync`]); a notice never arrives before its rows
//! are committed.

use crate::notices::EVENTS_CHANNEL;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

tokio::task_local! {
    /// `(ticket id, seq)` of the events the running write inserted.
    static WRITTEN: RefCell<Vec<(i64, i64)>>;
}

/// Notes an event of the running write (nothing outside `collecting`).
pub(crate) fn written(ticket: i64, seq: i64) {
    let _ = WRITTEN.try_with(|w| w.borrow_mut().push((ticket, seq)));
}

/// Runs `f`, returning its output and the events it inserted.
pub(crate) async fn collecting<F: Future>(f: F) -> (F::Output, Vec<(i64, i64)>) {
    WRITTEN
        .scope(RefCell::new(Vec::new()), async {
            let out = f.await;
            let written = WRITTEN.with(|w| w.take());
            (out, written)
        })
        .await
}

/// Committed writes waiting for the notifier, at most (beyond that, notices are dropped
/// and subscribers rely on their resync).
const QUEUE: usize = 65_536;
/// The shortest time between two `pg_notify` statements (what it adds to a notice's
/// delay at most). Each is a transaction taking PostgreSQL's global notify lock; at full
/// intake one per batch tripled the database's commits per ticket.
const MIN_GAP: Duration = Duration::from_millis(10);
/// Tickets per `pg_notify` statement at most.
const MAX_BATCH: usize = 1_000;
/// Tries per statement before its notices are given up.
const TRIES: u32 = 5;

/// A handle to this node's notifier task (cheap to clone); the task stops with the last.
#[derive(Clone)]
pub(crate) struct Notifier {
    queue: mpsc::Sender<Vec<(i64, i64)>>,
}

impl Notifier {
    /// Starts the notifier on the current tokio runtime; it connects when first needed.
    pub(crate) fn start(options: PgConnectOptions) -> Self {
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .connect_lazy_with(options.options([("synchronous_commit", "off")]));
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, waiting));
        Self { queue }
    }

    /// Announces the events of a committed write.
    pub(crate) fn committed(&self, written: Vec<(i64, i64)>) {
        if written.is_empty() {
            return;
        }
        if self.queue.try_send(written).is_err() {
            tracing::warn!("event notifier is behind; notices dropped (subscribers resync)");
        }
    }
}

async fn run(pool: PgPool, mut waiting: mpsc::Receiver<Vec<(i64, i64)>>) {
    let mut last_sent: Option<Instant> = None;
    while let Some(first) = waiting.recv().await {
        // At full intake every batch commits events: one statement per gap, not per batch.
        if let Some(at) = last_sent
            && let Some(rest) = MIN_GAP.checked_sub(at.elapsed())
        {
            tokio::time::sleep(rest).await;
        }
        last_sent = Some(Instant::now());
        let mut latest: HashMap<i64, i64> = HashMap::new();
        merge(&mut latest, first);
        while latest.len() < MAX_BATCH {
            match waiting.try_recv() {
                Ok(more) => merge(&mut latest, more),
                Err(_) => break,
            }
        }
        send(&pool, &payloads(&latest)).await;
    }
}

/// PostgreSQL's limit on a payload is 8,000 bytes; a notification carries as many
/// `ticket:seq` pairs as fit under this, comma-separated (one notification per ticket was
/// thousands a second at full intake, each delivered to every node's listener).
const MAX_PAYLOAD: usize = 7_900;

/// The payloads for `latest`: comma-separated `ticket:seq` pairs, each under
/// [`MAX_PAYLOAD`] bytes.
fn payloads(latest: &HashMap<i64, i64>) -> Vec<String> {
    use std::fmt::Write as _;
    let mut out = vec![String::new()];
    for (ticket, seq) in latest {
        let pair = format!("{ticket}:{seq}");
        let current = out
            .last_mut()
            .filter(|p| p.len() + 1 + pair.len() <= MAX_PAYLOAD);
        match current {
            Some(p) if p.is_empty() => p.push_str(&pair),
            Some(p) => {
                let _ = write!(p, ",{pair}");
            }
            None => out.push(pair),
        }
    }
    out.retain(|p| !p.is_empty());
    out
}

/// Keeps the highest seq per ticket.
fn merge(latest: &mut HashMap<i64, i64>, written: Vec<(i64, i64)>) {
    for (ticket, seq) in written {
        let s = latest.entry(ticket).or_insert(seq);
        *s = (*s).max(seq);
    }
}

async fn send(pool: &PgPool, payloads: &[String]) {
    let mut pause = Duration::from_millis(50);
    for attempt in 1..=TRIES {
        let sent = sqlx::query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
            .bind(EVENTS_CHANNEL)
            .bind(payloads)
            .execute(pool)
            .await;
        match sent {
            Ok(_) => return,
            Err(error) if attempt == TRIES => {
                tracing::warn!(%error, tickets = payloads.len(), "event notices not sent; subscribers resync");
            }
            Err(error) => {
                tracing::debug!(%error, attempt, "event notices not sent yet; will retry");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_pack_tickets_under_the_size_limit_and_lose_none() {
        let latest: HashMap<i64, i64> = (1_000_000..1_002_000).map(|t| (t, 2)).collect();
        let packed = payloads(&latest);
        assert!(packed.len() > 1, "2,000 pairs do not fit one payload");
        assert!(packed.iter().all(|p| p.len() <= MAX_PAYLOAD));
        let mut back: Vec<(i64, i64)> = packed
            .iter()
            .flat_map(|p| crate::EventNotice::parse_all(p).unwrap())
            .map(|n| match n {
                crate::EventNotice::Event { ticket, seq } => (ticket.0, seq),
                crate::EventNotice::Resync => unreachable!(),
            })
            .collect();
        back.sort_unstable();
        assert_eq!(
            back,
            (1_000_000..1_002_000).map(|t| (t, 2)).collect::<Vec<_>>()
        );
        assert!(payloads(&HashMap::new()).is_empty());
    }
}
