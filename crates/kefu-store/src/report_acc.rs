//! The in-memory sums of one fold step, before they are added to the stored rollups: one
//! bucket per (hour, channel, domain, team), one per (hour, agent), and labelled counts;
//! the same sums per UTC day ([`Accumulator::by_day`]) for the daily tables.

use crate::StoreResult;
use crate::reports::Sketch;
use kefu_domain::report::{Amount, Contribution, Counter, Timing};
use std::collections::HashMap;

/// The sums of one bucket.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bucket {
    pub(crate) counters: [i64; Counter::ALL.len()],
    pub(crate) counts: [i64; Timing::ALL.len()],
    pub(crate) sums: [i64; Timing::ALL.len()],
    pub(crate) sketches: [Option<Sketch>; Timing::ALL.len()],
}

impl Bucket {
    fn add(&mut self, amount: &Amount) {
        match amount {
            Amount::Count(c, n) => self.counters[c.index()] += n,
            Amount::Sample(t, ms) => {
                let i = t.index();
                self.counts[i] += 1;
                self.sums[i] += ms;
                self.sketches[i]
                    .get_or_insert_with(Sketch::default)
                    .add(*ms);
            }
            Amount::Label(..) => {}
        }
    }

    /// Whether any timing has samples (then the stored sketches must be merged in).
    pub(crate) fn has_samples(&self) -> bool {
        self.counts.iter().any(|n| *n > 0)
    }

    /// Adds another bucket's sums and samples.
    fn absorb(&mut self, other: &Bucket) -> StoreResult<()> {
        for (a, b) in self.counters.iter_mut().zip(other.counters) {
            *a += b;
        }
        for i in 0..Timing::ALL.len() {
            self.counts[i] += other.counts[i];
            self.sums[i] += other.sums[i];
            if let Some(o) = &other.sketches[i] {
                Sketch::merge_into(&mut self.sketches[i], o)?;
            }
        }
        Ok(())
    }

    /// Merges stored sketches (by timing) into this bucket's.
    pub(crate) fn merge_stored(&mut self, stored: Vec<Option<Sketch>>) -> StoreResult<()> {
        for (mine, old) in self.sketches.iter_mut().zip(stored) {
            if let (Some(m), Some(o)) = (mine.as_mut(), old.as_ref()) {
                m.merge(o)?;
            }
        }
        Ok(())
    }
}

/// The three tables of one bucket width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Grain {
    pub(crate) main: &'static str,
    pub(crate) agents: &'static str,
    pub(crate) labels: &'static str,
}

/// Buckets of one UTC hour.
pub(crate) const HOURLY: Grain = Grain {
    main: "report_hourly",
    agents: "report_agent_hourly",
    labels: "report_labels",
};

/// Buckets of one UTC day (the key column is still named `hour`: the day's start).
pub(crate) const DAILY: Grain = Grain {
    main: "report_daily",
    agents: "report_agent_daily",
    labels: "report_labels_daily",
};

/// Milliseconds in a day: the width of a daily bucket.
pub(crate) const DAY_MS: i64 = 24 * kefu_domain::report::HOUR_MS;

/// The UTC day (its start) an hour bucket falls in.
pub(crate) fn day_of(hour_ms: i64) -> i64 {
    hour_ms.div_euclid(DAY_MS) * DAY_MS
}

/// Key of a bucket of `report_hourly`.
pub(crate) type MainKey = (i64, String, String, i64);
/// Key of a labelled count: the main key plus metric and label.
pub(crate) type LabelKey = (i64, String, String, i64, &'static str, String);

/// Everything one fold step adds.
#[derive(Debug, Default)]
pub(crate) struct Accumulator {
    pub(crate) main: HashMap<MainKey, Bucket>,
    pub(crate) agents: HashMap<(i64, i64), Bucket>,
    pub(crate) labels: HashMap<LabelKey, i64>,
}

impl Accumulator {
    pub(crate) fn add(&mut self, c: Contribution) {
        if let Amount::Label(metric, label) = c.amount {
            let key = (c.hour_ms, c.channel, c.category, c.team, metric, label);
            *self.labels.entry(key).or_default() += 1;
            return;
        }
        if c.agent != 0 {
            self.agents
                .entry((c.hour_ms, c.agent))
                .or_default()
                .add(&c.amount);
        }
        self.main
            .entry((c.hour_ms, c.channel, c.category, c.team))
            .or_default()
            .add(&c.amount);
    }
}

impl Accumulator {
    /// The same sums with every bucket widened to its UTC day.
    pub(crate) fn by_day(&self) -> StoreResult<Accumulator> {
        let mut out = Accumulator::default();
        for ((hour, channel, category, team), b) in &self.main {
            let key = (day_of(*hour), channel.clone(), category.clone(), *team);
            out.main.entry(key).or_default().absorb(b)?;
        }
        for ((hour, agent), b) in &self.agents {
            out.agents
                .entry((day_of(*hour), *agent))
                .or_default()
                .absorb(b)?;
        }
        for ((hour, channel, category, team, metric, label), n) in &self.labels {
            let key = (
                day_of(*hour),
                channel.clone(),
                category.clone(),
                *team,
                *metric,
                label.clone(),
            );
            *out.labels.entry(key).or_default() += n;
        }
        Ok(out)
    }
}

/// The counter and timing columns of both rollup tables, in bind order.
pub(crate) fn value_columns() -> Vec<String> {
    let mut cols: Vec<String> = Counter::ALL.iter().map(|c| c.column().to_owned()).collect();
    for t in Timing::ALL {
        let p = t.column();
        cols.extend([
            format!("{p}_count"),
            format!("{p}_sum_ms"),
            format!("{p}_sketch"),
        ]);
    }
    cols
}

/// `INSERT … ON CONFLICT … DO UPDATE` adding a bucket to `table` (keyed by `keys`, which
/// are bound first), keeping the stored sketch when none is given.
pub(crate) fn upsert_sql(table: &str, keys: &[&str]) -> String {
    let cols = value_columns();
    let all: Vec<&str> = keys
        .iter()
        .copied()
        .chain(cols.iter().map(String::as_str))
        .collect();
    let marks: Vec<String> = (1..=all.len()).map(|i| format!("${i}")).collect();
    let sets: Vec<String> = cols
        .iter()
        .map(|c| {
            if c.ends_with("_sketch") {
                format!("{c} = COALESCE(excluded.{c}, {table}.{c})")
            } else {
                format!("{c} = {table}.{c} + excluded.{c}")
            }
        })
        .collect();
    format!(
        "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}",
        all.join(", "),
        marks.join(", "),
        keys.join(", "),
        sets.join(", ")
    )
}

/// `SELECT` of a bucket's stored sketches (keyed like [`upsert_sql`]).
pub(crate) fn sketches_sql(table: &str, keys: &[&str]) -> String {
    let cols: Vec<String> = Timing::ALL
        .iter()
        .map(|t| format!("{}_sketch", t.column()))
        .collect();
    let conds: Vec<String> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{k} = ${}", i + 1))
        .collect();
    format!(
        "SELECT {} FROM {table} WHERE {}",
        cols.join(", "),
        conds.join(" AND ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_sum_their_hours_and_merge_their_samples() {
        let mut acc = Accumulator::default();
        let key = |h: i64| (h, "in_app".to_owned(), "account".to_owned(), 1);
        for (h, ms) in [(0, 1_000), (23, 3_000), (24, 5_000), (-1, 7_000)] {
            let hour = h * kefu_domain::report::HOUR_MS;
            let b = acc.main.entry(key(hour)).or_default();
            b.add(&Amount::Count(Counter::Opened, 1));
            b.add(&Amount::Sample(Timing::FirstResponse, ms));
        }
        let days = acc.by_day().unwrap();
        assert_eq!(days.main.len(), 3);
        let first = &days.main[&key(0)];
        assert_eq!(first.counters[Counter::Opened.index()], 2);
        let i = Timing::FirstResponse.index();
        assert_eq!((first.counts[i], first.sums[i]), (2, 4_000));
        assert_eq!(first.sketches[i].as_ref().unwrap().count(), 2);
        assert_eq!(days.main[&key(-DAY_MS)].sums[i], 7_000);
        assert_eq!(days.main[&key(DAY_MS)].sums[i], 5_000);
    }

    #[test]
    fn upsert_adds_counters_and_keeps_sketches() {
        let sql = upsert_sql("report_hourly", &["hour", "channel"]);
        assert!(sql.contains("opened = report_hourly.opened + excluded.opened"));
        assert!(
            sql.contains("frt_sketch = COALESCE(excluded.frt_sketch, report_hourly.frt_sketch)")
        );
        assert!(sql.contains("ON CONFLICT (hour, channel)"));
    }
}
