//! Following tickets live — the use-case behind the WebSocket: who may follow which ticket,
//! what each side is shown of its events ([`visible`]), typing notices, queue position, and
//! resume by sequence.
//!
//! Who: a customer follows only tickets they prove are theirs (the same proof as every
//! customer read); staff follow what [`Staff::may_follow`](crate::Staff::may_follow) allows.
//! When an event moves a ticket away from a staff follower, they stop following it.
//!
//! Resume, exactly once and in order: following a ticket first registers it with the
//! node's [`router`] (which hears the hub), so every event published from then on reaches
//! the follower; then it reads from the database what came after the client's `last_seq`;
//! anything heard at or below the last seq delivered for that ticket is dropped. An event
//! committed before the read is in the read, one after it is heard, the overlap goes by seq.
//! A lag, or a hole in a ticket's seq, is repaired by reading again from the last seq
//! delivered.
//!
//! Use [`Follower::recv`] (cancel-safe: fine in `select!`) and then [`Follower::handle`]
//! (not cancel-safe: await it to the end), so nothing heard is lost to a cancelled read.

pub mod router;
pub mod visible;

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::events::Received;
use jiff::Timestamp;
use kefu_domain::{EventKind, Ticket, TicketEvent, TicketId, TicketNumber, TicketStatus};
use router::{FOLLOWER_QUEUE, Inbox, Routed};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
pub use visible::{Change, CustomerChange};

/// Most tickets one follower follows at once.
pub const MAX_FOLLOWED: usize = 100;

/// One typing notice per ticket and follower in this time at most; more are dropped.
pub const TYPING_EVERY: Duration = Duration::from_secs(1);

/// Which side of the conversation a follower is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Customer,
    Staff,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Customer => "customer",
            Side::Staff => "staff",
        }
    }
}

/// Someone is typing on a ticket (never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typing {
    pub ticket: TicketId,
    pub side: Side,
    /// The follower that typed (not told of its own typing).
    pub(crate) follower: u64,
}

/// One event, for one follower.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEvent {
    pub number: TicketNumber,
    pub seq: i64,
    pub at: Timestamp,
    pub change: Change,
}

/// What a follower is told.
#[derive(Debug, Clone, PartialEq)]
pub enum Delivery {
    Event(Box<LiveEvent>),
    /// The other side is typing.
    Typing {
        number: TicketNumber,
        side: Side,
    },
    /// The ticket moved away from this staff member: it is no longer followed.
    Unfollowed {
        number: TicketNumber,
    },
}

/// Where a customer's queued ticket stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueUpdate {
    pub number: TicketNumber,
    /// Tickets ahead (0 = next).
    pub position: u64,
    /// Whole minutes; `None` when nobody is on duty to estimate from.
    pub eta_minutes: Option<i64>,
}

/// A ticket now followed.
#[derive(Debug, Clone, PartialEq)]
pub struct Followed {
    pub number: TicketNumber,
    /// The ticket's last seq: resume from here.
    pub seq: i64,
    /// What came after the `last_seq` the client gave, in order (empty without one).
    pub missed: Vec<LiveEvent>,
}

/// What the router brought; pass it to [`Follower::handle`].
#[derive(Debug)]
pub enum Heard {
    Event(Received),
    Typing(Typing),
    /// Nothing more can come (the node is stopping).
    Closed,
}

struct Following {
    number: TicketNumber,
    /// The customer's language (progress lines); empty for staff.
    language: String,
    last_seq: i64,
    last_typing: Option<Instant>,
    /// The queue standing last told (customers), to tell only changes.
    queue: Option<(u64, Option<i64>)>,
    /// Queue standing not told since following.
    queue_due: bool,
}

/// One client's live view: the tickets it follows and what it was last told of each.
pub struct Follower {
    core: Arc<Core>,
    caller: Caller,
    side: Side,
    id: u64,
    /// What the router hands this follower, and the mark it sets when that overflowed.
    inbox: Inbox,
    rx: mpsc::Receiver<Routed>,
    followed: HashMap<TicketId, Following>,
    /// The router's count of queue-moving events when the queue was last read.
    queue_seen: u64,
}

static NEXT_FOLLOWER: AtomicU64 = AtomicU64::new(1);

impl Follower {
    /// A follower for a customer (with proof) or a staff member; it hears each ticket from
    /// when it follows it.
    pub fn new(core: Arc<Core>, caller: Caller) -> ServiceResult<Self> {
        let side = match &caller {
            Caller::Customer(_) => Side::Customer,
            Caller::Staff(_) => Side::Staff,
            Caller::Anonymous => {
                return Err(ServiceError::new(
                    ErrorCode::Unauthenticated,
                    "Send a staff token, the ticket's lookup code, or a channel key with the customer's id.",
                ));
            }
            Caller::Channel(_) => {
                return Err(ServiceError::forbidden(
                    "A channel key follows tickets for one customer: send the customer's id with it.",
                ));
            }
            Caller::System => {
                return Err(ServiceError::forbidden(
                    "The system does not follow tickets.",
                ));
            }
        };
        let id = NEXT_FOLLOWER.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(FOLLOWER_QUEUE);
        let queue_seen = core.events().router().queue_moves();
        Ok(Self {
            core,
            caller,
            side,
            id,
            inbox: Inbox {
                follower: id,
                tx,
                lagged: Arc::new(AtomicBool::new(false)),
            },
            rx,
            followed: HashMap::new(),
            queue_seen,
        })
    }

    pub fn side(&self) -> Side {
        self.side
    }

    /// How many tickets are followed.
    pub fn following(&self) -> usize {
        self.followed.len()
    }

    /// Follows a ticket the caller may see. With `last_seq`, what came after it is read
    /// from the database and returned; without, following starts now. Following a ticket
    /// again starts over from the given `last_seq`.
    pub async fn follow(
        &mut self,
        number: &TicketNumber,
        last_seq: Option<i64>,
    ) -> ServiceResult<Followed> {
        if last_seq.is_some_and(|s| s < 0) {
            return Err(ServiceError::field("last_seq", "must be 0 or more"));
        }
        let ticket = self.visible_ticket(number).await?;
        let language = match self.side {
            Side::Customer => self.core.store.customer(ticket.customer_id).await?.language,
            Side::Staff => String::new(),
        };
        if !self.followed.contains_key(&ticket.id) && self.followed.len() >= MAX_FOLLOWED {
            return Err(ServiceError::field(
                "ticket",
                format!("at most {MAX_FOLLOWED} tickets can be followed at once"),
            ));
        }
        // Routed first, read second (see the module header).
        self.core.events().router().add(ticket.id, &self.inbox);
        let after = last_seq.unwrap_or(0);
        let log = match self.core.store.events_after(ticket.id, after).await {
            Ok(log) => log,
            Err(e) => {
                if !self.followed.contains_key(&ticket.id) {
                    self.core.events().router().remove(ticket.id, self.id);
                }
                return Err(e.into());
            }
        };
        let seq = log.last().map_or(after, |e| e.seq);
        self.followed.insert(
            ticket.id,
            Following {
                number: ticket.number,
                language,
                last_seq: if last_seq.is_some() { after } else { seq },
                last_typing: None,
                queue: None,
                queue_due: true,
            },
        );
        let missed = if last_seq.is_some() {
            self.deliver(ticket.id, log).await?
        } else {
            Vec::new()
        };
        let missed = missed
            .into_iter()
            .filter_map(|d| match d {
                Delivery::Event(e) => Some(*e),
                _ => None,
            })
            .collect();
        Ok(Followed {
            number: ticket.number,
            seq: self.followed.get(&ticket.id).map_or(seq, |f| f.last_seq),
            missed,
        })
    }

    /// Stops following a ticket; `false` if it was not followed.
    pub fn unfollow(&mut self, number: &TicketNumber) -> bool {
        let Some(ticket) = self
            .followed
            .iter()
            .find(|(_, f)| f.number == *number)
            .map(|(id, _)| *id)
        else {
            return false;
        };
        self.drop_ticket(ticket);
        true
    }

    fn drop_ticket(&mut self, ticket: TicketId) {
        self.followed.remove(&ticket);
        self.core.events().router().remove(ticket, self.id);
    }

    /// Tells the other side of a followed ticket that this one is typing (at most once per
    /// [`TYPING_EVERY`]; more often is not an error, just not repeated).
    pub fn typing(&mut self, number: &TicketNumber) -> ServiceResult<()> {
        let Some((&ticket, f)) = self.followed.iter_mut().find(|(_, f)| f.number == *number) else {
            return Err(ServiceError::field(
                "ticket",
                "is not followed on this connection: subscribe to it first",
            ));
        };
        if f.last_typing.is_some_and(|t| t.elapsed() < TYPING_EVERY) {
            return Ok(());
        }
        f.last_typing = Some(Instant::now());
        self.core.events().router().typing(&Typing {
            ticket,
            side: self.side,
            follower: self.id,
        });
        Ok(())
    }

    /// Waits for the next event or typing notice on a followed ticket. Cancel-safe.
    pub async fn recv(&mut self) -> Heard {
        loop {
            if self.inbox.lagged.swap(false, Ordering::AcqRel) {
                return Heard::Event(Received::Lagged { missed: 0 });
            }
            match self.rx.recv().await {
                Some(Routed::Event(e)) => return Heard::Event(Received::Event((*e).clone())),
                Some(Routed::Typing(t)) => return Heard::Typing(t),
                Some(Routed::Wake) => {}
                None => return Heard::Closed,
            }
        }
    }

    /// What this follower is told of what was heard.
    pub async fn handle(&mut self, heard: Heard) -> ServiceResult<Vec<Delivery>> {
        match heard {
            Heard::Event(Received::Event(e)) => self.on_event(e).await,
            Heard::Event(Received::Lagged { missed }) => {
                tracing::debug!(missed, "live follower lagged; catching up by sequence");
                let mut out = Vec::new();
                let tickets: Vec<TicketId> = self.followed.keys().copied().collect();
                for ticket in tickets {
                    out.extend(self.catch_up(ticket).await?);
                }
                Ok(out)
            }
            Heard::Typing(t) => Ok(match self.followed.get(&t.ticket) {
                Some(f) if t.side != self.side && t.follower != self.id => vec![Delivery::Typing {
                    number: f.number,
                    side: t.side,
                }],
                _ => Vec::new(),
            }),
            Heard::Closed => Ok(Vec::new()),
        }
    }

    async fn on_event(&mut self, e: TicketEvent) -> ServiceResult<Vec<Delivery>> {
        let ticket = e.ticket_id;
        let Some(f) = self.followed.get(&ticket) else {
            return Ok(Vec::new());
        };
        if e.seq <= f.last_seq {
            return Ok(Vec::new());
        }
        if e.seq > f.last_seq.saturating_add(1) {
            // A hole: read what is missing (the read includes this event).
            return self.catch_up(ticket).await;
        }
        self.deliver(ticket, vec![e]).await
    }

    /// Reads a followed ticket's events after the last one delivered, and delivers them.
    async fn catch_up(&mut self, ticket: TicketId) -> ServiceResult<Vec<Delivery>> {
        let Some(f) = self.followed.get(&ticket) else {
            return Ok(Vec::new());
        };
        let log = self.core.store.events_after(ticket, f.last_seq).await?;
        self.deliver(ticket, log).await
    }

    /// Delivers `events` of a followed ticket past its last seq, in order, as this side sees
    /// them. A failure leaves the last seq at the last event delivered, so the next event
    /// (a hole then) reads the rest again.
    async fn deliver(
        &mut self,
        ticket: TicketId,
        events: Vec<TicketEvent>,
    ) -> ServiceResult<Vec<Delivery>> {
        let mut out = Vec::new();
        for e in events {
            let Some(f) = self.followed.get(&ticket) else {
                break;
            };
            if e.seq <= f.last_seq {
                continue;
            }
            let number = f.number;
            let change = visible::change(&self.core, self.side, &f.language, &e).await?;
            if let Some(f) = self.followed.get_mut(&ticket) {
                f.last_seq = e.seq;
            }
            if let Some(change) = change {
                out.push(Delivery::Event(Box::new(LiveEvent {
                    number,
                    seq: e.seq,
                    at: e.at,
                    change,
                })));
            }
            if self.side == Side::Staff
                && moves_owner(&e.kind)
                && !self.still_visible(ticket).await?
            {
                self.drop_ticket(ticket);
                out.push(Delivery::Unfollowed { number });
            }
        }
        Ok(out)
    }

    async fn still_visible(&self, ticket: TicketId) -> ServiceResult<bool> {
        let Caller::Staff(staff) = &self.caller else {
            return Ok(true);
        };
        Ok(staff.may_follow(&self.core.store.ticket(ticket).await?))
    }

    async fn visible_ticket(&self, number: &TicketNumber) -> ServiceResult<Ticket> {
        match &self.caller {
            Caller::Staff(staff) => {
                let ticket = crate::handling::ticket(&self.core, &self.caller, number).await?;
                if staff.may_follow(&ticket) {
                    Ok(ticket)
                } else {
                    Err(ServiceError::forbidden(
                        "You may follow your own tickets and your team's queue; supervisors may follow any.",
                    ))
                }
            }
            _ => crate::lookup::find_own_ticket(&self.core, &self.caller, number).await,
        }
    }

    /// Queue standing of the customer's queued tickets that changed since last told: right
    /// after following, and when the queue moved (any ticket queued, taken or moved on this
    /// node's stream). Staff get none (their console lists the queue). Each reads the
    /// ticket and its queue estimate, so call it on a timer, not per event.
    pub async fn queue_updates(&mut self) -> ServiceResult<Vec<QueueUpdate>> {
        if self.side != Side::Customer {
            return Ok(Vec::new());
        }
        let moves = self.core.events().router().queue_moves();
        let moved = moves != self.queue_seen;
        self.queue_seen = moves;
        let due: Vec<TicketId> = self
            .followed
            .iter()
            .filter(|(_, f)| moved || f.queue_due)
            .map(|(id, _)| *id)
            .collect();
        let mut out = Vec::new();
        for id in due {
            let ticket = self.core.store.ticket(id).await?;
            let standing = if ticket.status == TicketStatus::Queued {
                match crate::routing::queue_eta(&self.core, &ticket).await? {
                    (Some(position), eta) => Some((position, eta)),
                    (None, _) => None,
                }
            } else {
                None
            };
            let Some(f) = self.followed.get_mut(&id) else {
                continue;
            };
            f.queue_due = false;
            if standing != f.queue {
                f.queue = standing;
                if let Some((position, eta_minutes)) = standing {
                    out.push(QueueUpdate {
                        number: f.number,
                        position,
                        eta_minutes,
                    });
                }
            }
        }
        Ok(out)
    }
}

/// Events after which a ticket may belong to someone else.
fn moves_owner(kind: &EventKind) -> bool {
    matches!(
        kind,
        EventKind::Assigned { .. }
            | EventKind::Escalated { .. }
            | EventKind::SentBack { .. }
            | EventKind::Transferred { .. }
            | EventKind::StatusChanged { .. }
    )
}

impl Drop for Follower {
    fn drop(&mut self) {
        let router = self.core.events().router();
        for ticket in self.followed.keys() {
            router.remove(*ticket, self.id);
        }
    }
}
