//! The ticket event log's steps, written once and expanded for each backend (next to
//! `ops.rs`, in the same module, so every ticket step calls `insert_event`).
//!
//! Each event has a global `id` (increasing as rows are inserted) and a per-ticket `seq`
//! (1, 2, 3 … without gaps). `seq` is the previous highest plus one, read in the insert
//! itself: every caller holds the ticket row locked (`ticket_for_update`), so writers of
//! one ticket take turns on PostgreSQL and the next one sees the last one's row; on SQLite
//! there is only one writer. New tickets' first two events (seq 1 and 2) are written by the
//! intake statements (`*/fast.rs`, `*/intake_batch.rs`).
//!
//! On PostgreSQL, ids are drawn when rows are inserted but become visible when their
//! transactions commit, which is not always in id order: a reader tailing by id can see
//! id 11 before id 10 commits. Per-ticket `seq` has no such hole (a ticket's writers are
//! serialized), so a subscriber checks `seq` continuity and catches up with
//! [`crate::Store::events_after`].
//!
//! `on_event` hears of each inserted event (PostgreSQL collects them for the notices sent
//! after the commit, `postgres/notify.rs`; SQLite has none).

macro_rules! event_ops {
    (on_event = $on_event:path) => {
        /// Columns of `ticket_events` every event query selects.
        const EVENT_COLUMNS: &str = "id, ticket_id, seq, actor, kind, payload, at";

        /// Appends an event to a ticket's log with the next `seq`. The caller holds the ticket
        /// row locked (see the module header); without it, two writers of one ticket on
        /// PostgreSQL would collide on `(ticket_id, seq)` and one would fail (never a gap or
        /// a duplicate).
        pub(crate) async fn insert_event(
            c: &mut Conn,
            ticket: TicketId,
            actor: &Actor,
            kind: &EventKind,
            at: jiff::Timestamp,
        ) -> StoreResult<()> {
            let row = sqlx::query(
                "INSERT INTO ticket_events (ticket_id, seq, actor, kind, payload, at) \
                 SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 \
                 FROM ticket_events WHERE ticket_id = $1 RETURNING seq",
            )
            .bind(ticket.0)
            .bind(to_json(actor)?)
            .bind(kind.name())
            .bind(to_json(kind)?)
            .bind(ms(at))
            .fetch_one(&mut *c)
            .await?;
            $on_event(ticket.0, row.i64("seq")?);
            Ok(())
        }

        pub(crate) async fn events(c: &mut Conn, t: TicketId) -> StoreResult<Vec<TicketEvent>> {
            events_after(c, t, 0).await
        }

        /// A ticket's events with `seq > after`, in order.
        pub(crate) async fn events_after(
            c: &mut Conn,
            t: TicketId,
            after: i64,
        ) -> StoreResult<Vec<TicketEvent>> {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM ticket_events WHERE ticket_id = $1 AND seq > $2 \
                 ORDER BY seq"
            );
            let rows = sqlx::query(&sql)
                .bind(t.0)
                .bind(after)
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(|r| decode::event(r)).collect()
        }

        /// Up to `limit` events of every ticket with `id > after`, in id order.
        pub(crate) async fn events_since(
            c: &mut Conn,
            after: i64,
            limit: u32,
        ) -> StoreResult<Vec<TicketEvent>> {
            let sql = format!(
                "SELECT {EVENT_COLUMNS} FROM ticket_events WHERE id > $1 ORDER BY id LIMIT $2"
            );
            let rows = sqlx::query(&sql)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(|r| decode::event(r)).collect()
        }

        /// The highest event id (0 when the log is empty).
        pub(crate) async fn last_event_id(c: &mut Conn) -> StoreResult<i64> {
            let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS id FROM ticket_events")
                .fetch_one(&mut *c)
                .await?;
            row.i64("id")
        }
    };
}

pub(crate) use event_ops;

/// `on_event` for a backend without cross-node notices.
pub(crate) fn no_notice(_ticket: i64, _seq: i64) {}
