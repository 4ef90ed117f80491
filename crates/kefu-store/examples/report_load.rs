//! Loads a synthetic data set for the report benchmark (not a product path):
//! `cargo run --release -p kefu-store --example report_load -- DATABASE_URL TICKETS [DAYS]`
//!
//! TICKETS tickets (default use: 10,000,000) spread evenly over the DAYS (default 365) days
//! before 2025-11-01, over 4 channels, the 7 domains (each handled by its team) and 50 agents,
//! with the rollups the fold worker would have made of them: `report_hourly`,
//! `report_agent_hourly`, `report_labels` and their daily twins, with a DDSketch per timing
//! per bucket (the store's own [`Sketch`]). Every figure of a ticket is put in the bucket of
//! the hour it was opened (the worker puts each in the hour of its event): the number and
//! size of the buckets, which is what a report reads, are the same.
//! Outcomes are drawn per ticket: 25 % resolved by the bot, the rest handed over (four
//! reasons) and answered by the owner after 1 minute to 30 hours (97 % within 24 h), 3 %
//! escalated, CSAT from 30 % of the surveyed, SLA warnings and breaches.
//! The database must have been started once (`kefu admin list-agents --database URL` seeds
//! the catalogue, teams and the first agents). Rows go in as multi-row INSERTs.

use kefu_domain::TicketNumber;
use kefu_domain::report::{Counter, HOUR_MS, Timing};
use kefu_store::Sketch;
use sqlx::{Connection, Executor};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

const CUSTOMERS: i64 = 200_000;
const AGENTS: i64 = 50;
const DAY_MS: i64 = 24 * HOUR_MS;
/// 2025-11-01T00:00:00Z: the data set ends here.
const END_MS: i64 = 1_761_955_200_000;
const CHANNELS: [&str; 4] = ["in_app", "in_app", "web_form", "email"];
const DOMAINS: [&str; 7] = [
    "account",
    "content_review",
    "live_streaming",
    "advertising",
    "creator_incentives",
    "reports_complaints",
    "general",
];
const REASONS: [&str; 4] = [
    "asked_for_person",
    "not_understood",
    "always_human",
    "upset",
];

/// SplitMix64: a small deterministic generator, so every run loads the same data.
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> usize {
        usize::try_from(self.next() % n).unwrap_or(0)
    }
    fn percent(&mut self, p: u64) -> bool {
        self.next() % 100 < p
    }
    /// Log-uniform milliseconds between `lo` and `hi`.
    fn duration(&mut self, lo: f64, hi: f64) -> i64 {
        #[expect(clippy::cast_precision_loss, reason = "a uniform draw from 53 bits")]
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        #[expect(clippy::cast_possible_truncation, reason = "at most a few days in ms")]
        let ms = (lo * (hi / lo).powf(u)) as i64;
        ms
    }
}

/// The sums of one bucket, as the rollup tables hold them.
#[derive(Default, Clone)]
struct Bucket {
    counters: [i64; Counter::ALL.len()],
    counts: [i64; Timing::ALL.len()],
    sums: [i64; Timing::ALL.len()],
    sketches: [Option<Sketch>; Timing::ALL.len()],
}

impl Bucket {
    fn count(&mut self, c: Counter, n: i64) {
        self.counters[c.index()] += n;
    }
    fn sample(&mut self, t: Timing, ms: i64) {
        let i = t.index();
        self.counts[i] += 1;
        self.sums[i] += ms;
        self.sketches[i].get_or_insert_with(Sketch::default).add(ms);
    }
    fn absorb(&mut self, o: &Bucket) -> Result<(), kefu_store::StoreError> {
        for (a, b) in self.counters.iter_mut().zip(o.counters) {
            *a += b;
        }
        for i in 0..Timing::ALL.len() {
            self.counts[i] += o.counts[i];
            self.sums[i] += o.sums[i];
            if let Some(s) = &o.sketches[i] {
                match &mut self.sketches[i] {
                    Some(m) => m.merge(s)?,
                    slot @ None => *slot = Some(s.clone()),
                }
            }
        }
        Ok(())
    }
}

type MainKey = (i64, &'static str, &'static str, i64);
type LabelKey = (i64, &'static str, &'static str, i64, &'static str, String);

/// The buckets of one period (an hour or a day) not yet written.
#[derive(Default)]
struct Sums {
    main: BTreeMap<MainKey, Bucket>,
    agents: BTreeMap<(i64, i64), Bucket>,
    labels: BTreeMap<LabelKey, i64>,
}

impl Sums {
    fn absorb(&mut self, o: &Sums, day: i64) -> Result<(), kefu_store::StoreError> {
        for ((_, ch, cat, team), b) in &o.main {
            self.main
                .entry((day, ch, cat, *team))
                .or_default()
                .absorb(b)?;
        }
        for ((_, agent), b) in &o.agents {
            self.agents.entry((day, *agent)).or_default().absorb(b)?;
        }
        for ((_, ch, cat, team, metric, label), n) in &o.labels {
            *self
                .labels
                .entry((day, ch, cat, *team, metric, label.clone()))
                .or_default() += n;
        }
        Ok(())
    }
}

/// A byte string as a SQL literal of the backend.
fn blob(pg: bool, bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(hex, "{b:02x}");
    }
    if pg {
        format!("decode('{hex}', 'hex')")
    } else {
        format!("X'{hex}'")
    }
}

fn values(pg: bool, b: &Bucket) -> Result<String, kefu_store::StoreError> {
    let mut v: Vec<String> = b.counters.iter().map(i64::to_string).collect();
    for i in 0..Timing::ALL.len() {
        v.push(b.counts[i].to_string());
        v.push(b.sums[i].to_string());
        v.push(match &b.sketches[i] {
            Some(s) => blob(pg, &s.encode()?),
            None => "NULL".into(),
        });
    }
    Ok(v.join(", "))
}

fn columns() -> String {
    let mut cols: Vec<String> = Counter::ALL.iter().map(|c| c.column().to_owned()).collect();
    for t in Timing::ALL {
        let p = t.column();
        cols.extend([
            format!("{p}_count"),
            format!("{p}_sum_ms"),
            format!("{p}_sketch"),
        ]);
    }
    cols.join(", ")
}

const HOURLY: [&str; 3] = ["report_hourly", "report_agent_hourly", "report_labels"];
const DAILY: [&str; 3] = ["report_daily", "report_agent_daily", "report_labels_daily"];

/// Writes a period's sums into the tables `main`, `agents`, `labels`.
async fn write<C>(
    conn: &mut C,
    pg: bool,
    tables: [&str; 3],
    sums: &Sums,
) -> Result<(), Box<dyn std::error::Error>>
where
    for<'c> &'c mut C: Executor<'c>,
{
    let cols = columns();
    let [main, agents, labels] = tables;
    let mut rows = Vec::new();
    for ((hour, ch, cat, team), b) in &sums.main {
        rows.push(format!(
            "({hour}, '{ch}', '{cat}', {team}, {})",
            values(pg, b)?
        ));
    }
    for chunk in rows.chunks(100) {
        let sql = format!(
            "INSERT INTO {main} (hour, channel, category, team_id, {cols}) VALUES {}",
            chunk.join(",")
        );
        conn.execute(sql.as_str()).await?;
    }
    let mut rows = Vec::new();
    for ((hour, agent), b) in &sums.agents {
        rows.push(format!("({hour}, {agent}, {})", values(pg, b)?));
    }
    for chunk in rows.chunks(100) {
        let sql = format!(
            "INSERT INTO {agents} (hour, agent_id, {cols}) VALUES {}",
            chunk.join(",")
        );
        conn.execute(sql.as_str()).await?;
    }
    let rows: Vec<String> = sums
        .labels
        .iter()
        .map(|((hour, ch, cat, team, metric, label), n)| {
            format!("({hour}, '{ch}', '{cat}', {team}, '{metric}', '{label}', {n})")
        })
        .collect();
    for chunk in rows.chunks(1000) {
        let sql = format!(
            "INSERT INTO {labels} (hour, channel, category, team_id, metric, label, n) VALUES {}",
            chunk.join(",")
        );
        conn.execute(sql.as_str()).await?;
    }
    Ok(())
}

/// One ticket: its row and its figures added to `hour`'s sums.
fn ticket(i: i64, created: i64, rng: &mut Mix, sums: &mut Sums) -> String {
    let hour = created.div_euclid(HOUR_MS) * HOUR_MS;
    let channel = CHANNELS[rng.below(4)];
    let d = rng.below(7);
    let (category, team) = (DOMAINS[d], i64::try_from(d).unwrap_or(0) + 1);
    let agent = 1 + i64::try_from(rng.below(50)).unwrap_or(0);
    let customer = 1 + i64::try_from(rng.below(200_000)).unwrap_or(0);
    let mut b = Bucket::default();
    let mut a = Bucket::default();
    let mut label = |metric: &'static str, l: &str| {
        *sums
            .labels
            .entry((hour, channel, category, team, metric, l.to_owned()))
            .or_default() += 1;
    };
    b.count(Counter::Opened, 1);
    let by_bot = rng.percent(25);
    let resolved = rng.percent(80);
    let status = match (resolved, by_bot) {
        (true, _) => "closed",
        (false, true) => "pending_customer",
        (false, false) => "assigned",
    };
    if by_bot {
        if resolved {
            b.count(Counter::Resolved, 1);
            b.count(Counter::BotResolved, 1);
            b.sample(Timing::Resolution, rng.duration(30_000.0, 600_000.0));
        }
        if rng.percent(50) {
            b.count(
                if rng.percent(80) {
                    Counter::HelpfulYes
                } else {
                    Counter::HelpfulNo
                },
                1,
            );
        }
    } else {
        b.count(Counter::HandedOff, 1);
        label("handoff_reason", REASONS[rng.below(4)]);
        b.sample(Timing::QueueWait, rng.duration(5_000.0, 7_200_000.0));
        let frt = rng.duration(60_000.0, 30.0 * 3_600_000.0);
        for x in [&mut b, &mut a] {
            x.count(Counter::FirstResponses, 1);
            if frt < DAY_MS {
                x.count(Counter::Within24h, 1);
            }
            x.sample(Timing::FirstResponse, frt);
        }
        label("sla_done", "first_response/normal");
        if rng.percent(5) {
            b.count(Counter::SlaWarnings, 1);
            label("sla_warning", "first_response/normal");
            if rng.percent(40) {
                b.count(Counter::SlaBreaches, 1);
                label("sla_breach", "first_response/normal");
            }
        }
        if rng.percent(30) {
            let nrt = rng.duration(60_000.0, 7_200_000.0);
            b.sample(Timing::NextResponse, nrt);
            a.sample(Timing::NextResponse, nrt);
        }
        if rng.percent(3) {
            b.count(Counter::Escalated, 1);
            b.sample(
                Timing::Specialist,
                rng.duration(600_000.0, 2.0 * DAY_MS as f64),
            );
        }
        if resolved {
            let res = frt + rng.duration(60_000.0, 86_400_000.0);
            for x in [&mut b, &mut a] {
                x.count(Counter::Resolved, 1);
                x.count(Counter::SurveysSent, 1);
                x.sample(Timing::Resolution, res);
            }
            if rng.percent(30) {
                let score = 1 + i64::try_from(rng.below(5)).unwrap_or(0);
                for x in [&mut b, &mut a] {
                    x.count(Counter::CsatAnswers, 1);
                    x.count(Counter::CsatSum, score);
                    if score <= 2 {
                        x.count(Counter::CsatLow, 1);
                        x.count(Counter::ReviewsOpened, 1);
                    }
                }
            }
        }
    }
    let _ = sums
        .main
        .entry((hour, channel, category, team))
        .or_default()
        .absorb(&b);
    if !by_bot {
        let _ = sums.agents.entry((hour, agent)).or_default().absorb(&a);
    }
    let day = jiff::Timestamp::from_millisecond(created)
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .unwrap_or(jiff::civil::date(2026, 1, 1));
    let number = TicketNumber::new(day, u32::try_from(i).unwrap_or(0));
    let assignee = if by_bot {
        "NULL".into()
    } else {
        agent.to_string()
    };
    let priority = 1;
    format!(
        "('{number}', {customer}, '{channel}', '账号登录不了', '{category}', {priority}, '{status}', {assignee}, {team}, '{{}}', {created}, {created}, NULL)"
    )
}

async fn load<C>(
    conn: &mut C,
    pg: bool,
    tickets: i64,
    days: i64,
) -> Result<(), Box<dyn std::error::Error>>
where
    for<'c> &'c mut C: Executor<'c>,
    C: Connection,
{
    let start_ms = END_MS - days * DAY_MS;
    let mut tx = conn.begin().await?;
    for a in 6..=AGENTS {
        let sql = format!(
            "INSERT INTO agents (email, display_name, role, team_id, skills, chat_capacity, active, created_at) \
             VALUES ('bench{a}@kefu.local', 'bench {a}', 'agent', {t}, '[]', 5, 1, {start_ms}) ON CONFLICT (email) DO NOTHING",
            t = 1 + a % 7,
        );
        tx.execute(sql.as_str()).await?;
    }
    let mut c = 1;
    while c <= CUSTOMERS {
        let values: Vec<String> = (c..(c + 1000).min(CUSTOMERS + 1))
            .map(|i| format!("('in_app', 'report-{i}', 'zh-CN', {start_ms})"))
            .collect();
        let sql = format!(
            "INSERT INTO customers (channel, external_id, language, created_at) VALUES {} ON CONFLICT DO NOTHING",
            values.join(",")
        );
        tx.execute(sql.as_str()).await?;
        c += 1000;
    }
    tx.commit().await?;
    let mut rng = Mix(42);
    let clock = Instant::now();
    let span = i128::from(days * DAY_MS);
    let mut hour_sums = Sums::default();
    let mut day_sums = Sums::default();
    let (mut hour, mut day) = (start_ms, start_ms);
    let mut i = 0i64;
    let mut tx = conn.begin().await?;
    let mut pending = Vec::with_capacity(1000);
    while i < tickets {
        let offset = i128::from(i) * span / i128::from(tickets);
        let created = start_ms + i64::try_from(offset).unwrap_or(0);
        let this_hour = created.div_euclid(HOUR_MS) * HOUR_MS;
        if this_hour != hour {
            write(&mut *tx, pg, HOURLY, &hour_sums).await?;
            day_sums.absorb(&hour_sums, day)?;
            hour_sums = Sums::default();
            hour = this_hour;
            let this_day = created.div_euclid(DAY_MS) * DAY_MS;
            if this_day != day {
                write(&mut *tx, pg, DAILY, &day_sums).await?;
                day_sums = Sums::default();
                day = this_day;
                tx.commit().await?;
                tx = conn.begin().await?;
                #[expect(clippy::cast_precision_loss, reason = "a progress figure")]
                let rate = i as f64 / clock.elapsed().as_secs_f64();
                eprint!("\r{i} tickets ({rate:.0}/s)");
            }
        }
        pending.push(ticket(i, created, &mut rng, &mut hour_sums));
        if pending.len() == 1000 {
            flush(&mut *tx, &mut pending).await?;
        }
        i += 1;
    }
    flush(&mut *tx, &mut pending).await?;
    write(&mut *tx, pg, HOURLY, &hour_sums).await?;
    day_sums.absorb(&hour_sums, day)?;
    write(&mut *tx, pg, DAILY, &day_sums).await?;
    // The rollups are complete: the fold worker has nothing to replay.
    tx.execute(
        "UPDATE report_cursor SET last_event_id = (SELECT COALESCE(MAX(id), 0) FROM ticket_events) WHERE name = 'rollups'",
    )
    .await?;
    tx.commit().await?;
    eprintln!("\r{i} tickets in {:.0} s", clock.elapsed().as_secs_f64());
    Ok(())
}

async fn flush<C>(conn: &mut C, pending: &mut Vec<String>) -> Result<(), sqlx::Error>
where
    for<'c> &'c mut C: Executor<'c>,
{
    if pending.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO tickets (number, customer_id, channel, subject, category, priority, status, assignee_id, team_id, context, created_at, updated_at, first_response_due) VALUES {}",
        pending.join(",")
    );
    conn.execute(sql.as_str()).await?;
    pending.clear();
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: report_load DATABASE_URL TICKETS [DAYS]";
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or(usage)?;
    let tickets: i64 = args.next().ok_or(usage)?.parse()?;
    let days: i64 = args.next().map_or(Ok(365), |d| d.parse())?;
    if tickets < 1 || !(1..=3650).contains(&days) {
        return Err(usage.into());
    }
    drop(kefu_store::open(&url).await?);
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(&url).await?;
        load(&mut conn, true, tickets, days).await?;
        conn.execute("VACUUM ANALYZE").await?;
    } else {
        let file = kefu_store::database_file(&url);
        let mut conn =
            sqlx::SqliteConnection::connect(&format!("sqlite://{}", file.display())).await?;
        conn.execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
            .await?;
        load(&mut conn, false, tickets, days).await?;
        conn.execute("ANALYZE").await?;
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    Ok(())
}
