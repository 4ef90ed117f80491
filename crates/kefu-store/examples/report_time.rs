//! Times the store reads of every report over a year (not a product path):
//! `cargo run --release -p kefu-store --example report_time -- DATABASE_URL [RUNS]`
//!
//! For each report, the rollup reads `kefu_service::reports` makes for it (same queries,
//! same order) over the local year 2024-11-01 – 2025-10-31 in Asia/Shanghai (UTC+8, so the
//! range starts and ends mid-UTC-day and reads hours at both ends), plus filtered variants.
//! Prints the first (cold) run and the median and maximum of RUNS (default 5).
//! The staffing report's forecast simulation and the tables' assembly are not in this
//! figure (they run in memory); bench/reports.sh times the whole reports through the API.

use kefu_store::{RollupGroup, RollupQuery, Store};
use std::time::Instant;

/// 2024-10-31T16:00:00Z and 2025-10-31T16:00:00Z: the local year 2024-11-01 – 2025-10-31
/// in Asia/Shanghai, the year `report_load` fills.
const FROM_MS: i64 = 1_730_390_400_000;
const TO_MS: i64 = 1_761_926_400_000;

fn query(group: RollupGroup, sketches: bool, f: &Filter) -> RollupQuery {
    RollupQuery {
        from_ms: FROM_MS,
        to_ms: TO_MS,
        channel: f.channel.map(str::to_owned),
        category: f.domain.map(str::to_owned),
        team: f.team,
        agent: f.agent,
        group,
        // Shanghai has no DST: one window, local hour h is UTC hour h - 8.
        hours: f.utc_hours.map(|utc_hours| {
            vec![kefu_store::HourWindow {
                from_ms: FROM_MS,
                to_ms: TO_MS,
                utc_hours,
            }]
        }),
        sketches,
    }
}

#[derive(Default, Clone, Copy)]
struct Filter {
    channel: Option<&'static str>,
    domain: Option<&'static str>,
    team: Option<i64>,
    agent: Option<i64>,
    /// An hour filter: the UTC hours of the day read (bit h for h:00 UTC).
    utc_hours: Option<u32>,
}

type Res = Result<(), kefu_store::StoreError>;

/// One report's reads.
async fn report(store: &dyn Store, name: &str, f: &Filter) -> Res {
    use RollupGroup::*;
    let per_group = f.agent.is_none();
    match name {
        "volume" => {
            if per_group {
                store.report_totals(&query(Channel, false, f)).await?;
                store.report_totals(&query(Category, false, f)).await?;
            }
            store.report_totals(&query(Hour, false, f)).await?;
        }
        "bot" => {
            store.report_totals(&query(All, false, f)).await?;
            if per_group {
                store.report_labels(&query(All, false, f)).await?;
            }
            store.unanswered(5_000).await?;
        }
        "speed" => {
            // By domain once; the overall row is their merge (`reports::merged`).
            if per_group {
                let rows = store.report_totals(&query(Category, true, f)).await?;
                let mut all = kefu_store::RollupRow::empty(String::new());
                for r in &rows {
                    all.absorb(r)?;
                }
            } else {
                store.report_totals(&query(All, true, f)).await?;
            }
        }
        "promise" => {
            store.report_totals(&query(All, false, f)).await?;
            if per_group {
                store.report_labels(&query(All, false, f)).await?;
            }
            store.nearest_deadlines(20).await?;
        }
        "satisfaction" => {
            store.list_agents().await?;
            store.list_teams().await?;
            store.report_totals(&query(Agent, false, f)).await?;
            if per_group {
                store.report_totals(&query(Team, false, f)).await?;
                store.report_totals(&query(Category, false, f)).await?;
                store.report_labels(&query(All, false, f)).await?;
            } else {
                store.report_totals(&query(All, false, f)).await?;
            }
        }
        _ => {
            // staffing: arrivals per hour, the roster, then the forecast's demand split.
            store.report_totals(&query(Hour, false, f)).await?;
            store.rosters().await?;
            store.list_agents().await?;
            if per_group {
                store.report_totals(&query(Category, false, f)).await?;
            }
            store.report_totals(&query(All, false, f)).await?;
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: report_time DATABASE_URL [RUNS]";
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or(usage)?;
    let runs: usize = args.next().map_or(Ok(5), |r| r.parse())?;
    if runs == 0 {
        return Err(usage.into());
    }
    let store = kefu_store::open(&url).await?;
    let none = Filter::default();
    // Local 9-17 in Shanghai is UTC 1-9; local 22-6 is UTC 14-22.
    let (day, night) = (0b1_1111_1110, 0xFF << 14);
    let cases: [(&str, &str, Filter); 14] = [
        ("volume", "-", none),
        ("bot", "-", none),
        ("speed", "-", none),
        ("promise", "-", none),
        ("satisfaction", "-", none),
        ("staffing", "-", none),
        (
            "volume",
            "channel=email",
            Filter {
                channel: Some("email"),
                ..none
            },
        ),
        (
            "speed",
            "domain=account",
            Filter {
                domain: Some("account"),
                ..none
            },
        ),
        (
            "speed",
            "team=3",
            Filter {
                team: Some(3),
                ..none
            },
        ),
        (
            "speed",
            "agent=7",
            Filter {
                agent: Some(7),
                ..none
            },
        ),
        (
            "speed",
            "hour=9-17",
            Filter {
                utc_hours: Some(day),
                ..none
            },
        ),
        (
            "volume",
            "hour=22-6",
            Filter {
                utc_hours: Some(night),
                ..none
            },
        ),
        (
            "satisfaction",
            "hour=9-17",
            Filter {
                utc_hours: Some(day),
                ..none
            },
        ),
        (
            "speed",
            "hour=9",
            Filter {
                utc_hours: Some(1 << 1),
                ..none
            },
        ),
    ];
    println!("| report | filter | first run | median of {runs} | max |");
    println!("|---|---|---|---|---|");
    for (name, label, f) in cases {
        let mut times = Vec::with_capacity(runs + 1);
        for _ in 0..=runs {
            let t = Instant::now();
            report(store.as_ref(), name, &f).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let first = times[0];
        let mut rest = times[1..].to_vec();
        rest.sort_by(f64::total_cmp);
        let median = rest[rest.len() / 2];
        let max = rest.last().copied().unwrap_or(first);
        println!("| {name} | {label} | {first:.0} ms | {median:.0} ms | {max:.0} ms |");
    }
    Ok(())
}
