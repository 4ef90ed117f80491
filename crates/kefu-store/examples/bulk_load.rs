//! Loads a large synthetic data set for the list-view benchmark (not a product path):
//! `cargo run --release -p kefu-store --example bulk_load -- DATABASE_URL TICKETS`
//! Adds 45 agents (ids up to 50 with the 5 seeded ones), 200,000 customers and TICKETS
//! tickets spread over 180 days with realistic status, priority, team and owner mixes.
//! Rows go in as multi-row INSERTs, 1,000 per statement, in one transaction per 50,000.

use jiff::civil::date;
use kefu_domain::TicketNumber;
use sqlx::{Connection, Executor};
use std::time::Instant;

const CUSTOMERS: i64 = 200_000;
const AGENTS: i64 = 50;
const TEAMS: i64 = 7;
const CHUNK: usize = 1000;

/// A small deterministic generator so every run loads the same data.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> i64 {
        i64::try_from(self.next() % n).unwrap_or(0)
    }
}

fn status(r: i64) -> &'static str {
    match r {
        0..=59 => "closed",
        60..=79 => "resolved",
        80..=84 => "queued",
        85..=92 => "assigned",
        93..=96 => "pending_customer",
        _ => "escalated",
    }
}

fn rows(first: i64, n: usize, rng: &mut Lcg, base_ms: i64) -> Vec<String> {
    let day = date(2026, 6, 1);
    (0..n)
        .map(|k| {
            let i = first + i64::try_from(k).unwrap_or(0);
            let created = base_ms + i * 15_552; // 180 days over 1e6 tickets
            let d = day.checked_add(jiff::Span::new().days(created / 86_400_000 - base_ms / 86_400_000)).unwrap_or(day);
            let number = TicketNumber::new(d, u32::try_from(i).unwrap_or(0));
            let st = status(rng.below(100));
            let owned = st != "queued";
            let assignee = if owned { (1 + rng.below(u64::try_from(AGENTS).unwrap_or(1))).to_string() } else { "NULL".into() };
            let team = 1 + rng.below(u64::try_from(TEAMS).unwrap_or(1));
            let priority = match rng.below(100) { 0..=9 => 0, 10..=79 => 1, 80..=94 => 2, _ => 3 };
            let customer = 1 + rng.below(u64::try_from(CUSTOMERS).unwrap_or(1));
            let category = ["account", "content_review", "live_streaming", "advertising", "creator_incentives", "reports_complaints", "general"][usize::try_from(team - 1).unwrap_or(0)];
            format!(
                "('{number}', {customer}, 'in_app', '账号登录不了', '{category}', {priority}, '{st}', {assignee}, {team}, '{{}}', {created}, {created}, {due})",
                due = created + 4 * 3_600_000
            )
        })
        .collect()
}

async fn load<C>(conn: &mut C, tickets: i64) -> Result<(), sqlx::Error>
where
    for<'c> &'c mut C: Executor<'c>,
    C: Connection,
{
    let now_ms = 1_780_000_000_000_i64;
    let mut tx = conn.begin().await?;
    for a in 6..=AGENTS {
        let sql = format!(
            "INSERT INTO agents (email, display_name, role, team_id, skills, chat_capacity, active, created_at) \
             VALUES ('bench{a}@kefu.local', 'bench {a}', 'agent', {t}, '[]', 5, 1, {now_ms}) ON CONFLICT (email) DO NOTHING",
            t = 1 + a % TEAMS
        );
        tx.execute(sql.as_str()).await?;
    }
    let mut c = 1;
    while c <= CUSTOMERS {
        let values: Vec<String> = (c..(c + 1000).min(CUSTOMERS + 1))
            .map(|i| format!("('in_app', 'bulk-{i}', 'zh-CN', {now_ms})"))
            .collect();
        let sql = format!(
            "INSERT INTO customers (channel, external_id, language, created_at) VALUES {} ON CONFLICT DO NOTHING",
            values.join(",")
        );
        tx.execute(sql.as_str()).await?;
        c += 1000;
    }
    tx.commit().await?;
    let mut rng = Lcg(42);
    let start = Instant::now();
    let mut done = 0i64;
    while done < tickets {
        let mut tx = conn.begin().await?;
        for _ in 0..50 {
            if done >= tickets {
                break;
            }
            let n = usize::try_from((tickets - done).min(i64::try_from(CHUNK).unwrap_or(1000)))
                .unwrap_or(CHUNK);
            let values = rows(done, n, &mut rng, now_ms - 180 * 86_400_000);
            let sql = format!(
                "INSERT INTO tickets (number, customer_id, channel, subject, category, priority, status, assignee_id, team_id, context, created_at, updated_at, first_response_due) VALUES {}",
                values.join(",")
            );
            tx.execute(sql.as_str()).await?;
            done += i64::try_from(n).unwrap_or(0);
        }
        tx.commit().await?;
        eprint!(
            "\r{done} tickets ({:.0}/s)",
            done as f64 / start.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: bulk_load DATABASE_URL TICKETS")?;
    let tickets: i64 = args
        .next()
        .ok_or("usage: bulk_load DATABASE_URL TICKETS")?
        .parse()?;
    // Migrate through the store first.
    drop(kefu_store::open(&url).await?);
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(&url).await?;
        load(&mut conn, tickets).await?;
        conn.execute("ANALYZE").await?;
    } else {
        let file = kefu_store::database_file(&url);
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display())).await?;
        conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
            .await?;
        load(&mut conn, tickets).await?;
        conn.execute("ANALYZE").await?;
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    Ok(())
}
