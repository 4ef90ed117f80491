//! The event tailer: one per node, it reads committed ticket events from the database in
//! id order and publishes them on the node's [`crate::events::Hub`].
//!
//! It wakes when this node writes (`Core::events_written`), on a PostgreSQL notice (any
//! node wrote), and every [`poll_period`] (SQLite has no notices; on PostgreSQL a notice is
//! best effort). It starts at the newest event, so history is not replayed.
//!
//! Ids and holes: on PostgreSQL an event id can become visible after a higher one (ids
//! are drawn at insert, rows appear at commit). The tailer reads past such a hole but
//! remembers it, rereads it for [`HOLE_WAIT`] (a rolled-back insert leaves a hole that is
//! never filled), and per ticket checks `seq`: an event whose predecessors were not
//! published yet is preceded by them (read with `events_after`). So each `(ticket, seq)` is
//! published once and a ticket's events in `seq` order; an event that commits more than
//! `HOLE_WAIT` after a later id is published with its ticket's next event.

use super::Stop;
use crate::core::Core;
use kefu_domain::{TicketEvent, TicketId};
use kefu_store::{EventNotice, StoreResult};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::broadcast;

/// Events read per query.
const PAGE: u32 = 500;
/// How long a hole in the ids is reread before it is taken for a rollback (PostgreSQL).
pub const HOLE_WAIT: Duration = Duration::from_secs(5);
/// Wider gaps are not tracked id by id (a burst of rollbacks; the seq check still holds).
const MAX_TRACKED_GAP: i64 = 10_000;
/// Tickets whose last published seq is remembered; beyond this the memory is reset.
const MAX_TICKETS: usize = 100_000;

/// The shortest time between two reads: what it adds to an event's delivery at most, and
/// what bounds the reads a busy node makes (at full intake every batch wakes the tailer).
pub const MIN_POLL_GAP: Duration = Duration::from_millis(5);

/// The same with nobody subscribed on this node: the tailer then only moves its position
/// to the newest event (see [`Tail::poll`]), so it need not look often; a subscriber that
/// arrives meanwhile hears everything from that position on.
pub const IDLE_POLL_GAP: Duration = Duration::from_millis(100);

/// How often the tailer looks without being woken: SQLite has no notices; on PostgreSQL
/// notices usually wake it first.
pub fn poll_period(backend: &str) -> Duration {
    if backend == "postgres" {
        Duration::from_secs(1)
    } else {
        Duration::from_millis(250)
    }
}

/// The tailer's position in the log.
pub struct Tail {
    /// The highest id read.
    max_seen: i64,
    /// Ids below `max_seen` not seen yet, with when the hole was noticed.
    holes: BTreeMap<i64, Instant>,
    /// The last seq published per ticket.
    published: HashMap<TicketId, i64>,
    hole_wait: Duration,
}

impl Tail {
    /// Starts after the newest event in the store.
    pub async fn start(core: &Core) -> StoreResult<Self> {
        let hole_wait = if core.store.backend() == "postgres" {
            HOLE_WAIT
        } else {
            // One writer commits in id order: a hole is a rollback.
            Duration::ZERO
        };
        Ok(Self {
            max_seen: core.store.last_event_id().await?,
            holes: BTreeMap::new(),
            published: HashMap::new(),
            hole_wait,
        })
    }

    /// Reads what is new (and what filled a hole) and publishes it. Returns how many
    /// events were published.
    pub async fn poll(&mut self, core: &Core) -> StoreResult<usize> {
        if !core.events.has_subscribers() {
            // Nobody on this node listens: skip what was written meanwhile instead of reading
            // and decoding it (at full intake that is thousands of rows a second). A new
            // subscriber catches up by sequence from the database. The newest id is read
            // before looking again: a subscriber that came meanwhile may already have read
            // its catch-up, and must hear every event after that read.
            let newest = core.store.last_event_id().await?;
            if !core.events.has_subscribers() {
                self.max_seen = self.max_seen.max(newest);
                self.holes.clear();
                self.published.clear();
                return Ok(0);
            }
        }
        let mut count = 0;
        if let Some((&first, _)) = self.holes.first_key_value() {
            let page = core.store.events_since(first - 1, PAGE).await?;
            for e in page {
                if e.id.0 > self.max_seen {
                    break;
                }
                if self.holes.remove(&e.id.0).is_some() {
                    count += self.publish(core, e).await?;
                }
            }
        }
        loop {
            let page = core.store.events_since(self.max_seen, PAGE).await?;
            let full = page.len() >= usize::try_from(PAGE).unwrap_or(usize::MAX);
            for e in page {
                let id = e.id.0;
                if id > self.max_seen.saturating_add(1) && id - self.max_seen <= MAX_TRACKED_GAP {
                    let now = Instant::now();
                    for hole in self.max_seen + 1..id {
                        self.holes.insert(hole, now);
                    }
                }
                self.max_seen = self.max_seen.max(id);
                count += self.publish(core, e).await?;
            }
            if !full {
                break;
            }
        }
        let wait = self.hole_wait;
        self.holes.retain(|_, noticed| noticed.elapsed() < wait);
        Ok(count)
    }

    /// Whether holes are being watched (the tailer then looks again sooner).
    pub fn has_holes(&self) -> bool {
        !self.holes.is_empty()
    }

    /// Publishes `e` after any of its ticket's events not yet published; skips it when
    /// it was published already.
    async fn publish(&mut self, core: &Core, e: TicketEvent) -> StoreResult<usize> {
        let ticket = e.ticket_id;
        let mut count = 0;
        match self.published.get(&ticket).copied() {
            Some(last) if e.seq <= last => return Ok(0),
            Some(last) if e.seq > last + 1 => {
                for missed in core.store.events_after(ticket, last).await? {
                    if missed.seq >= e.seq {
                        break;
                    }
                    self.holes.remove(&missed.id.0);
                    core.events.publish(missed);
                    count += 1;
                }
            }
            _ => {}
        }
        if self.published.len() >= MAX_TICKETS && !self.published.contains_key(&ticket) {
            self.published.clear();
        }
        self.published.insert(ticket, e.seq);
        core.events.publish(e);
        Ok(count + 1)
    }
}

/// Tails until stopped.
pub async fn run(core: Arc<Core>, mut stop: Stop) {
    let mut notices = core.store.event_notices();
    let mut tail = loop {
        match Tail::start(&core).await {
            Ok(t) => break t,
            Err(e) => {
                tracing::warn!(error = %e, "event tailer cannot start; will retry");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    () = stop.stopped() => return,
                }
            }
        }
    };
    let period = poll_period(core.store.backend());
    let mut last_poll: Option<Instant> = None;
    loop {
        // A burst of wake-ups (every intake batch writes and, on PostgreSQL, notifies) is
        // one read: wait out the gap since the last read, then take every notice waiting.
        let gap = if core.events.has_subscribers() {
            MIN_POLL_GAP
        } else {
            IDLE_POLL_GAP
        };
        if let Some(at) = last_poll
            && let Some(rest) = gap.checked_sub(at.elapsed())
        {
            tokio::time::sleep(rest).await;
        }
        if !drain(&mut notices) {
            notices = None;
        }
        last_poll = Some(Instant::now());
        if let Err(e) = tail.poll(&core).await {
            tracing::warn!(error = %e, "reading new events failed; will retry");
        }
        let wait = if tail.has_holes() {
            period.min(Duration::from_millis(100))
        } else {
            period
        };
        tokio::select! {
            () = stop.stopped() => return,
            () = core.events.wait_written() => {}
            () = tokio::time::sleep(wait) => {}
            heard = notice(&mut notices) => {
                if !heard {
                    notices = None;
                }
            }
        }
    }
}

/// Takes every notice already waiting; `false` when the notices ended.
fn drain(notices: &mut Option<broadcast::Receiver<EventNotice>>) -> bool {
    let Some(rx) = notices else { return true };
    loop {
        match rx.try_recv() {
            Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) => {}
            Err(broadcast::error::TryRecvError::Empty) => return true,
            Err(broadcast::error::TryRecvError::Closed) => return false,
        }
    }
}

/// Waits for a notice (any notice, a resync or a lag just wakes the tailer); `false` when
/// the notices ended. Never resolves without notices.
async fn notice(notices: &mut Option<broadcast::Receiver<EventNotice>>) -> bool {
    match notices {
        Some(rx) => !matches!(rx.recv().await, Err(broadcast::error::RecvError::Closed)),
        None => std::future::pending().await,
    }
}
