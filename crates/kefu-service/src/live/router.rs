//! Routes the hub's events to the followers of each ticket. Without it every follower
//! would hear every event of the node and drop the others' (2,000 customers each waiting
//! on their own ticket: 2,000 wake-ups and clones per event, a second of delay under
//! load). One task per node hears the hub and hands each event to the followers of its
//! ticket through their bounded queues; typing notices go the same way without the hub.
//!
//! A follower registers a ticket *before* it reads that ticket's missed events, so an event
//! committed after the read reaches it (the task hears the hub from before the first
//! registration). A full queue, or the task itself falling behind the hub, marks the
//! follower lagged: it then reads its tickets from the database by seq.

use super::Typing;
use kefu_domain::{EventKind, TicketEvent, TicketId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::{broadcast, mpsc};

/// What waits in one follower's queue at most; past it the follower is marked lagged.
pub const FOLLOWER_QUEUE: usize = 256;

/// What the router hands a follower.
#[derive(Debug)]
pub(crate) enum Routed {
    Event(Arc<TicketEvent>),
    Typing(Typing),
    /// Look at the lagged mark.
    Wake,
}

/// One follower's place on one ticket.
pub(crate) struct Inbox {
    pub(crate) follower: u64,
    pub(crate) tx: mpsc::Sender<Routed>,
    pub(crate) lagged: Arc<AtomicBool>,
}

impl Inbox {
    /// Hands over `r`; `false` when the follower is gone.
    fn offer(&self, r: Routed) -> bool {
        match self.tx.try_send(r) {
            Ok(()) => true,
            Err(mpsc::error::TrySendError::Full(_)) => {
                self.lagged.store(true, Ordering::Release);
                true
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        }
    }

    fn clone_ref(&self) -> Self {
        Self {
            follower: self.follower,
            tx: self.tx.clone(),
            lagged: self.lagged.clone(),
        }
    }
}

#[derive(Default)]
struct Routes {
    by_ticket: HashMap<TicketId, Vec<Inbox>>,
    running: bool,
}

/// This node's router (one, in the hub).
pub(crate) struct Router {
    hub: broadcast::Sender<TicketEvent>,
    routes: Arc<Mutex<Routes>>,
    queue_moves: Arc<AtomicU64>,
}

fn lock(routes: &Mutex<Routes>) -> MutexGuard<'_, Routes> {
    // A panic elsewhere while holding it leaves the map whole: go on with it.
    routes.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Router {
    pub(crate) fn new(hub: broadcast::Sender<TicketEvent>) -> Self {
        Self {
            hub,
            routes: Arc::default(),
            queue_moves: Arc::default(),
        }
    }

    /// Routes `ticket`'s events to `inbox` from now on (starts the task on first use).
    pub(crate) fn add(&self, ticket: TicketId, inbox: &Inbox) {
        let mut routes = lock(&self.routes);
        if !routes.running {
            routes.running = true;
            // Subscribed before anyone registers: nothing published after a registration is
            // missed.
            let rx = self.hub.subscribe();
            tokio::spawn(run(rx, self.routes.clone(), self.queue_moves.clone()));
        }
        let list = routes.by_ticket.entry(ticket).or_default();
        if !list.iter().any(|i| i.follower == inbox.follower) {
            list.push(inbox.clone_ref());
        }
    }

    pub(crate) fn remove(&self, ticket: TicketId, follower: u64) {
        let mut routes = lock(&self.routes);
        if let Some(list) = routes.by_ticket.get_mut(&ticket) {
            list.retain(|i| i.follower != follower);
            if list.is_empty() {
                routes.by_ticket.remove(&ticket);
            }
        }
    }

    /// Hands a typing notice to the ticket's other followers.
    pub(crate) fn typing(&self, t: &Typing) {
        let routes = lock(&self.routes);
        for inbox in routes.by_ticket.get(&t.ticket).into_iter().flatten() {
            if inbox.follower != t.follower {
                inbox.offer(Routed::Typing(t.clone()));
            }
        }
    }

    /// Counts events that may have moved a queue position (compare two readings).
    pub(crate) fn queue_moves(&self) -> u64 {
        self.queue_moves.load(Ordering::Acquire)
    }
}

async fn run(
    mut rx: broadcast::Receiver<TicketEvent>,
    routes: Arc<Mutex<Routes>>,
    queue_moves: Arc<AtomicU64>,
) {
    loop {
        match rx.recv().await {
            Ok(e) => {
                if moves_queue(&e.kind) {
                    queue_moves.fetch_add(1, Ordering::AcqRel);
                }
                let ticket = e.ticket_id;
                let e = Arc::new(e);
                let mut routes = lock(&routes);
                if let Some(list) = routes.by_ticket.get_mut(&ticket) {
                    list.retain(|i| i.offer(Routed::Event(e.clone())));
                    if list.is_empty() {
                        routes.by_ticket.remove(&ticket);
                    }
                }
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "the live router fell behind; followers catch up by sequence"
                );
                queue_moves.fetch_add(1, Ordering::AcqRel);
                let routes = lock(&routes);
                for inbox in routes.by_ticket.values().flatten() {
                    inbox.lagged.store(true, Ordering::Release);
                    inbox.offer(Routed::Wake);
                }
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

/// Events after which a queue position may have changed.
fn moves_queue(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Opened { .. }
            | EventKind::HandedOff { .. }
            | EventKind::StatusChanged { .. }
            | EventKind::Assigned { .. }
            | EventKind::PriorityChanged { .. }
            | EventKind::Escalated { .. }
            | EventKind::SentBack { .. }
            | EventKind::Transferred { .. }
    )
}
