//! Notices of new ticket events written by any node, for the live event stream.
//!
//! On PostgreSQL, after a write that added ticket events commits, its node notifies channel
//! [`EVENTS_CHANNEL`] with payload `<ticket_id>:<highest seq written>`, several tickets in
//! one notification separated by commas (coalesced per node, sent outside the writing transaction: see `postgres/notify.rs` for
//! why, and for why that makes a notice best effort). Each store listens on its own
//! connection and hands the notices to every subscriber of
//! [`crate::Store::event_notices`]. The notice is small on purpose: a subscriber reads the
//! rows with [`crate::Store::events_after`] (per ticket) or [`crate::Store::events_since`],
//! and also resyncs now and then (every few seconds), since a node that dies right after a
//! commit sends no notice for it.
//!
//! SQLite has no notices (`event_notices` is `None`): one node writes, and the service
//! layer fans its own events out in process.

use kefu_domain::TicketId;

/// The PostgreSQL notification channel of ticket events.
pub const EVENTS_CHANNEL: &str = "kefu_events";

/// What a subscriber hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventNotice {
    /// `ticket` has events up to `seq` (read the ones you lack with `events_after`).
    Event { ticket: TicketId, seq: i64 },
    /// Notices may have been missed (the listening connection was lost and is back):
    /// catch up from the last event id seen with `events_since`. A subscriber that falls
    /// behind the channel (`RecvError::Lagged`) should do the same.
    Resync,
}

impl EventNotice {
    /// Parses a notification payload: `<ticket_id>:<seq>`, comma-separated.
    pub fn parse_all(payload: &str) -> Option<Vec<Self>> {
        payload.split(',').map(Self::parse).collect()
    }

    /// Parses one `<ticket_id>:<seq>`.
    pub fn parse(payload: &str) -> Option<Self> {
        let (ticket, seq) = payload.split_once(':')?;
        Some(Self::Event {
            ticket: TicketId(ticket.parse().ok()?),
            seq: seq.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_name_a_ticket_and_its_highest_seq() {
        assert_eq!(
            EventNotice::parse("42:7"),
            Some(EventNotice::Event {
                ticket: TicketId(42),
                seq: 7
            })
        );
        for bad in ["", "42", "42:", ":7", "x:7", "42:7:1", "42:-"] {
            assert_eq!(EventNotice::parse(bad), None, "{bad}");
        }
        let both = EventNotice::parse_all("42:7,43:2").unwrap();
        assert_eq!(both.len(), 2);
        assert_eq!(
            both[1],
            EventNotice::Event {
                ticket: TicketId(43),
                seq: 2
            }
        );
        assert_eq!(EventNotice::parse_all("42:7,"), None);
    }
}
