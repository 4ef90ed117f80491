//! The in-memory sums of one fold step, before they are added to the stored rollups: one
//! bucket per (hour, channel, domain, team), one per (hour, agent), and labelled counts.

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
    fn upsert_adds_counters_and_keeps_sketches() {
        let sql = upsert_sql("report_hourly", &["hour", "channel"]);
        assert!(sql.contains("opened = report_hourly.opened + excluded.opened"));
        assert!(
            sql.contains("frt_sketch = COALESCE(excluded.frt_sketch, report_hourly.frt_sketch)")
        );
        assert!(sql.contains("ON CONFLICT (hour, channel)"));
    }
}
