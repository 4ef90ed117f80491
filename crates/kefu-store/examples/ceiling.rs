//! The raw ceiling of a database on this machine for intake's rows: customer upsert, ticket,
//! first message and two events per ticket, as plain multi-row INSERTs, BATCH tickets per
//! durable commit (SQLite WAL + synchronous=FULL; PostgreSQL defaults), one connection.
//! `cargo run --release -p kefu-store --example ceiling -- DATABASE_URL [SECONDS] [BATCH]`

use sqlx::{Connection, Executor};
use std::time::{Duration, Instant};

async fn run<C>(conn: &mut C, seconds: u64, batch: usize) -> Result<(u64, Duration), sqlx::Error>
where
    for<'c> &'c mut C: Executor<'c>,
    C: Connection,
{
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < Duration::from_secs(seconds) {
        let mut tx = conn.begin().await?;
        let base = n;
        let range = || (0..batch).map(|k| base + k as u64);
        let customers: Vec<String> = range()
            .map(|i| format!("('in_app', 'ceil-{}', '压测用户', 'zh-CN', 1)", i % 20_000))
            .collect();
        tx.execute(format!("INSERT INTO customers (channel, external_id, display_name, language, created_at) VALUES {} ON CONFLICT (channel, external_id) DO UPDATE SET display_name = excluded.display_name", dedup(customers)).as_str()).await?;
        let tickets: Vec<String> = range()
            .map(|i| format!("('c{i:014}', 1, 'in_app', '账号登录不了', 'account', 1, 'queued', '{{\"app_version\":\"30.1.0\"}}', 1, 1, 2)"))
            .collect();
        tx.execute(format!("INSERT INTO tickets (number, customer_id, channel, subject, category, priority, status, context, created_at, updated_at, first_response_due) VALUES {}", tickets.join(",")).as_str()).await?;
        // This batch's tickets, found by their number range (same length, so text order).
        let mine = format!("FROM tickets WHERE number >= 'c{base:014}' AND number < 'd'");
        tx.execute(format!("INSERT INTO messages (ticket_id, kind, body, attachments, created_at) SELECT id, 'customer', '我的账号登录不了，验证码一直收不到，换了手机号也不行，请帮忙看看。', '[]', 1 {mine}").as_str()).await?;
        tx.execute(format!("INSERT INTO ticket_events (ticket_id, seq, actor, kind, payload, at) SELECT id, 1, '{{\"type\":\"channel\",\"key_id\":1}}', 'opened', '{{\"kind\":\"opened\",\"channel\":\"in_app\"}}', 1 {mine}").as_str()).await?;
        tx.execute(format!("INSERT INTO ticket_events (ticket_id, seq, actor, kind, payload, at) SELECT id, 2, '{{\"type\":\"channel\",\"key_id\":1}}', 'message_added', '{{\"kind\":\"message_added\",\"message_kind\":\"customer\"}}', 1 {mine}").as_str()).await?;
        tx.commit().await?;
        n += batch as u64;
    }
    Ok((n, start.elapsed()))
}

/// One row per customer id: a multi-row upsert may not touch a row twice.
fn dedup(mut rows: Vec<String>) -> String {
    rows.sort();
    rows.dedup();
    rows.join(",")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .ok_or("usage: ceiling DATABASE_URL [SECONDS] [BATCH]")?;
    let seconds: u64 = args.next().map_or(Ok(20), |s| s.parse())?;
    let batch: usize = args.next().map_or(Ok(256), |s| s.parse())?;
    drop(kefu_store::open(&url).await?);
    let (n, took) = if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(&url).await?;
        conn.execute("INSERT INTO customers (channel, external_id, language, created_at) VALUES ('in_app', 'ceil-anchor', 'zh-CN', 1) ON CONFLICT DO NOTHING").await?;
        run(&mut conn, seconds, batch).await?
    } else {
        let file = kefu_store::database_file(&url);
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display())).await?;
        conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON")
            .await?;
        conn.execute("INSERT INTO customers (channel, external_id, language, created_at) VALUES ('in_app', 'ceil-anchor', 'zh-CN', 1) ON CONFLICT DO NOTHING").await?;
        run(&mut conn, seconds, batch).await?
    };
    println!(
        "RESULT tickets={n} seconds={:.1} tickets_per_s={:.0} batch={batch} (each: customer upsert, ticket, message, 2 events)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
    Ok(())
}
