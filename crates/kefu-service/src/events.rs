//! The live event stream: every change a ticket goes through ([`TicketEvent`], with its
//! per-ticket `seq`), pushed to whoever subscribes on this node — the WebSocket,
//! notifications, reports.
//!
//! One task per node, the tailer (`workers::tailer`), reads committed events from the
//! database in order and publishes them here; use-cases never publish themselves, so an
//! event is heard if and only if it committed, whichever node wrote it. The tailer wakes
//! when this node writes ([`crate::Core::events_written`]), on PostgreSQL notices from other
//! nodes, and on a short poll, so a missed wake-up only delays an event.
//!
//! Promises to a subscriber: each `(ticket, seq)` at most once, and a ticket's events in
//! `seq` order. A subscriber that falls behind by more than [`CAPACITY`] events is told
//! ([`Received::Lagged`]) and catches up by sequence with [`since`]. A client that
//! reconnects does the same: subscribe first, then catch up, then drop what it already has
//! (`seq` at or below the last one it holds).

use crate::caller::Caller;
use crate::core::Core;
use crate::error::ServiceResult;
use kefu_domain::{TicketEvent, TicketNumber};
use tokio::sync::{Notify, broadcast};

/// Events a subscriber may fall behind by before it is told it lagged.
pub const CAPACITY: usize = 4096;

/// This node's fan-out of live events.
pub struct Hub {
    sender: broadcast::Sender<TicketEvent>,
    written: Notify,
    /// Hands events and typing notices to the followers of each ticket
    /// ([`crate::live`]).
    router: crate::live::router::Router,
}

impl Default for Hub {
    fn default() -> Self {
        let sender = broadcast::channel(CAPACITY).0;
        Self {
            router: crate::live::router::Router::new(sender.clone()),
            sender,
            written: Notify::new(),
        }
    }
}

impl Hub {
    /// Starts hearing every event published from now on.
    pub fn subscribe(&self) -> Subscription {
        Subscription {
            receiver: self.sender.subscribe(),
        }
    }

    pub(crate) fn router(&self) -> &crate::live::router::Router {
        &self.router
    }

    /// Whether anyone on this node listens now.
    pub(crate) fn has_subscribers(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    /// Publishes a committed event (the tailer's job; see the module header).
    pub(crate) fn publish(&self, event: TicketEvent) {
        // Nobody listening is not an error.
        let _ = self.sender.send(event);
    }

    pub(crate) fn written(&self) {
        self.written.notify_one();
    }

    /// Resolves when [`Hub::written`] was called (now or since the last wait).
    pub(crate) async fn wait_written(&self) {
        self.written.notified().await;
    }
}

/// What a subscriber gets next.
#[derive(Debug, Clone, PartialEq)]
pub enum Received {
    Event(TicketEvent),
    /// `missed` events were dropped because this subscriber fell behind: catch up by
    /// sequence ([`since`]) for the tickets it follows.
    Lagged {
        missed: u64,
    },
}

/// One subscriber's view of the stream.
pub struct Subscription {
    receiver: broadcast::Receiver<TicketEvent>,
}

impl Subscription {
    /// The next event (waiting for one); `None` once the hub is gone.
    pub async fn recv(&mut self) -> Option<Received> {
        match self.receiver.recv().await {
            Ok(e) => Some(Received::Event(e)),
            Err(broadcast::error::RecvError::Lagged(missed)) => Some(Received::Lagged { missed }),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }

    /// The next event if one is waiting, without waiting.
    pub fn try_recv(&mut self) -> Option<Received> {
        match self.receiver.try_recv() {
            Ok(e) => Some(Received::Event(e)),
            Err(broadcast::error::TryRecvError::Lagged(missed)) => {
                Some(Received::Lagged { missed })
            }
            Err(_) => None,
        }
    }
}

/// A ticket's events after `after_seq`, in order: the catch-up of a reconnecting or lagging
/// client. Staff may read any ticket; a customer only their own (proof checked as for every
/// customer read).
pub async fn since(
    core: &Core,
    caller: &Caller,
    number: &TicketNumber,
    after_seq: i64,
) -> ServiceResult<Vec<TicketEvent>> {
    let ticket = match caller {
        Caller::Customer(_) => crate::lookup::find_own_ticket(core, caller, number).await?,
        _ => crate::handling::ticket(core, caller, number).await?,
    };
    Ok(core.store.events_after(ticket.id, after_seq.max(0)).await?)
}
