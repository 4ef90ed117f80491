//! Ticket serials on SQLite: handed out in order within each day.
//!
//! A ticket number is its intake date, an 8-digit serial and a check digit. Random serials
//! scatter new keys over the whole number index, so every new ticket dirtied one more index
//! page somewhere — a quarter of what each intake wrote to the WAL and later copied back in
//! checkpoints. On SQLite one thread writes everything (the writer), so it can simply count:
//! serials grow within the day and new numbers append to the end of the index.
//!
//! The counter lives on the writer thread and starts, per day, after the largest number of
//! that day already stored. It only proposes: the unique index still decides, and a taken
//! number (say, from an older random-numbered database) falls back to random spares. When a
//! day's 10^8 serials run out the writer draws random ones (which then mostly collide and
//! retry — a day of 10^8 tickets is far beyond one SQLite node anyway).

use crate::StoreResult;
use jiff::civil::Date;
use kefu_domain::{TicketNumber, ticket_number::SERIAL_BOUND};
use rand::Rng as _;
use sqlx::SqliteConnection;
use std::cell::Cell;

thread_local! {
    /// The days being counted (two: around midnight one batch holds both) and the next free
    /// serial of each (`SERIAL_BOUND` when used up).
    static NEXT: Cell<[Option<(Date, u32)>; 2]> = const { Cell::new([None, None]) };
}

fn remembered(date: Date) -> Option<u32> {
    NEXT.get()
        .into_iter()
        .flatten()
        .find_map(|(day, next)| (day == date).then_some(next))
}

fn remember(date: Date, next: u32) {
    let mut days = NEXT.get();
    let slot = match days {
        [Some((d, _)), _] if d == date => 0,
        [_, Some((d, _))] if d == date => 1,
        [None, _] => 0,
        [_, None] => 1,
        // Forget the earlier day.
        [Some((a, _)), Some((b, _))] => usize::from(b < a),
    };
    days[slot] = Some((date, next));
    NEXT.set(days);
}

/// The next `count` serials of `date`, in order, or random ones once the day is used up.
/// Runs on the writer thread (the only one that opens tickets on SQLite).
pub(crate) async fn take(
    conn: &mut SqliteConnection,
    date: Date,
    count: u32,
) -> StoreResult<Vec<u32>> {
    let next = match remembered(date) {
        Some(next) => next,
        None => after_largest_stored(conn, date).await?,
    };
    let end = next.saturating_add(count);
    if end > SERIAL_BOUND {
        remember(date, SERIAL_BOUND);
        let mut rng = rand::rng();
        return Ok((0..count)
            .map(|_| rng.random_range(0..SERIAL_BOUND))
            .collect());
    }
    remember(date, end);
    Ok((next..end).collect())
}

/// One past the largest serial stored for `date` (0 for a new day).
async fn after_largest_stored(conn: &mut SqliteConnection, date: Date) -> StoreResult<u32> {
    let first = TicketNumber::new(date, 0).as_string();
    let day = first.get(..6).unwrap_or_default();
    // Bounds on the text keep this an index seek: `<day>` then nine digits.
    let largest: Option<String> =
        sqlx::query_scalar("SELECT MAX(number) FROM tickets WHERE number >= $1 AND number <= $2")
            .bind(format!("{day}000000000"))
            .bind(format!("{day}999999999"))
            .fetch_one(&mut *conn)
            .await?;
    Ok(largest
        .and_then(|n| n.parse::<TicketNumber>().ok())
        .map_or(0, |n| n.serial().saturating_add(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migrate::{Dialect, migrator};
    use sqlx::Connection as _;

    async fn database() -> (SqliteConnection, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("kefu-serials-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("t.db").display());
        let mut conn = SqliteConnection::connect(&url).await.unwrap();
        migrator(Dialect::Sqlite).run(&mut conn).await.unwrap();
        (conn, dir)
    }

    async fn store_number(conn: &mut SqliteConnection, number: TicketNumber) {
        sqlx::query(
            "INSERT INTO customers (channel, external_id, language, created_at) \
             VALUES ('api', 'x', 'zh-CN', 0) ON CONFLICT DO NOTHING",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO tickets (number, customer_id, channel, subject, category, priority, \
             status, created_at, updated_at) \
             VALUES ($1, (SELECT id FROM customers), 'api', 's', 'general', 1, 'queued', 0, 0)",
        )
        .bind(number.as_string())
        .execute(&mut *conn)
        .await
        .unwrap();
    }

    #[tokio::test]
    async fn serials_count_up_within_a_day_after_what_is_stored() {
        let (mut conn, dir) = database().await;
        let day = jiff::civil::date(2026, 11, 28);
        let other_day = jiff::civil::date(2026, 11, 27);
        store_number(&mut conn, TicketNumber::new(day, 41)).await;
        store_number(&mut conn, TicketNumber::new(other_day, 9_000)).await;
        assert_eq!(take(&mut conn, day, 3).await.unwrap(), vec![42, 43, 44]);
        assert_eq!(take(&mut conn, day, 1).await.unwrap(), vec![45]);
        assert_eq!(
            take(&mut conn, other_day, 2).await.unwrap(),
            vec![9_001, 9_002]
        );
        assert_eq!(
            take(&mut conn, day, 1).await.unwrap(),
            vec![46],
            "both days kept"
        );
        let new_day = jiff::civil::date(2026, 11, 29);
        assert_eq!(take(&mut conn, new_day, 2).await.unwrap(), vec![0, 1]);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_used_up_day_falls_back_to_random_serials() {
        let (mut conn, dir) = database().await;
        let day = jiff::civil::date(2026, 11, 30);
        store_number(&mut conn, TicketNumber::new(day, SERIAL_BOUND - 2)).await;
        assert_eq!(
            take(&mut conn, day, 1).await.unwrap(),
            vec![SERIAL_BOUND - 1]
        );
        let random = take(&mut conn, day, 50).await.unwrap();
        assert_eq!(random.len(), 50);
        assert!(random.iter().all(|s| *s < SERIAL_BOUND));
        assert!(random.windows(2).any(|w| w[0] != w[1] + 1), "not a run");
        let _ = std::fs::remove_dir_all(dir);
    }
}
