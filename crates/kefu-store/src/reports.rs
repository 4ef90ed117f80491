//! Report rollups: the types of the fold step and of rollup queries (steps in
//! `report_ops.rs`, rules in `kefu_domain::report`). See docs/REPORTS.md.

use crate::{StoreError, StoreResult};
use kefu_domain::report::{Counter, Timing};
use sketches_ddsketch::{Config, DDSketch};

/// A mergeable percentile sketch of durations in milliseconds (DDSketch, 1 % relative
/// error), as stored per rollup bucket.
#[derive(Clone)]
pub struct Sketch(DDSketch);

impl std::fmt::Debug for Sketch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sketch")
            .field("count", &self.0.count())
            .finish()
    }
}

impl Default for Sketch {
    fn default() -> Self {
        Self(DDSketch::new(Config::new(0.01, 4096, 1.0)))
    }
}

impl Sketch {
    /// Adds a duration (negative values count as zero).
    pub fn add(&mut self, ms: i64) {
        #[expect(
            clippy::cast_precision_loss,
            reason = "durations are far below 2^52 ms"
        )]
        self.0.add(ms.max(0) as f64);
    }

    /// Adds every value of `other`.
    pub fn merge(&mut self, other: &Sketch) -> StoreResult<()> {
        self.0
            .merge(&other.0)
            .map_err(|e| StoreError::Backend(format!("sketches do not merge: {e:?}")))
    }

    /// Adds `other` to the sketch in `slot`, or puts a copy of it there when empty.
    pub fn merge_into(slot: &mut Option<Sketch>, other: &Sketch) -> StoreResult<()> {
        match slot {
            Some(m) => m.merge(other),
            None => {
                *slot = Some(other.clone());
                Ok(())
            }
        }
    }

    /// How many values it holds.
    pub fn count(&self) -> usize {
        self.0.count()
    }

    /// The `q` quantile (0–1) in milliseconds; `None` when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        self.0.quantile(q).ok().flatten()
    }

    /// The stored form: a version byte, then the sketch in postcard (varints). Sketches
    /// written as JSON by earlier versions stay readable ([`Sketch::decode`]).
    pub fn encode(&self) -> StoreResult<Vec<u8>> {
        postcard::to_extend(&self.0, vec![SKETCH_POSTCARD])
            .map_err(|e| StoreError::Backend(format!("sketch: {e}")))
    }

    /// Reads the stored form (postcard, or the JSON of earlier versions).
    pub fn decode(bytes: &[u8]) -> StoreResult<Self> {
        let invalid = |e: &dyn std::fmt::Display| {
            StoreError::Backend(format!("stored sketch is not valid: {e}"))
        };
        match bytes.split_first() {
            Some((&SKETCH_POSTCARD, rest)) => postcard::from_bytes(rest)
                .map(Self)
                .map_err(|e| invalid(&e)),
            Some((b'{', _)) => serde_json::from_slice(bytes)
                .map(Self)
                .map_err(|e| invalid(&e)),
            _ => Err(invalid(&"unknown format")),
        }
    }
}

/// The first byte of a sketch stored in postcard (JSON ones start with `{`).
const SKETCH_POSTCARD: u8 = 1;

/// One fold step: up to `limit` events after the cursor, stopping before the first event
/// later than `settled_before` (PostgreSQL makes event ids visible in commit order, not id
/// order: a short settle time keeps the cursor from passing an id still being committed).
#[derive(Debug, Clone, Copy)]
pub struct RollupStep {
    pub limit: u32,
    pub settled_before: jiff::Timestamp,
}

/// What a fold step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RollupProgress {
    /// Events folded now.
    pub events: u64,
    /// The cursor after the step: the last event id folded.
    pub cursor: i64,
}

/// How rollup rows are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RollupGroup {
    /// One row for everything selected.
    All,
    /// One row per UTC hour bucket (key: the hour's start, milliseconds); only the
    /// `opened` counter is summed (the hour-of-day tables need nothing else, and it is read
    /// from a covering index).
    Hour,
    Channel,
    Category,
    Team,
    Agent,
}

/// A stretch of hours `[from_ms, to_ms)` (whole UTC hours) and which UTC hours of the day
/// are read in it: bit `h` of `utc_hours` set reads the buckets starting at `h`:00 UTC. A
/// local hour-of-day filter is one window per stretch of constant UTC offset (DST splits a
/// year in three).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourWindow {
    pub from_ms: i64,
    pub to_ms: i64,
    pub utc_hours: u32,
}

/// Which buckets a rollup query reads: hours in `[from_ms, to_ms)` and the filters.
/// `agent` (or grouping by agent) reads the per-agent rollup, which has no channel or
/// domain dimension. `hours` (some hours of the day only) reads hourly buckets only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RollupQuery {
    pub from_ms: i64,
    pub to_ms: i64,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub team: Option<i64>,
    pub agent: Option<i64>,
    pub group: RollupGroup,
    /// Only the buckets inside these windows (`None`: every hour of the range).
    pub hours: Option<Vec<HourWindow>>,
    /// Whether to merge the percentile sketches (costs a read of each bucket's sketches).
    pub sketches: bool,
}

/// One timing's totals: count, exact sum and the merged sketch.
#[derive(Debug, Clone, Default)]
pub struct TimingTotals {
    pub count: i64,
    pub sum_ms: i64,
    pub sketch: Option<Sketch>,
}

/// The totals of one group.
#[derive(Debug, Clone)]
pub struct RollupRow {
    /// The group's value (`""` for [`RollupGroup::All`]; ids and hours as decimal text).
    pub key: String,
    /// Indexed like [`Counter::ALL`].
    pub counters: Vec<i64>,
    /// Indexed like [`Timing::ALL`].
    pub timings: Vec<TimingTotals>,
}

impl RollupRow {
    /// A row with every total zero.
    pub fn empty(key: String) -> Self {
        Self {
            key,
            counters: vec![0; Counter::ALL.len()],
            timings: vec![TimingTotals::default(); Timing::ALL.len()],
        }
    }

    /// A counter's total.
    pub fn get(&self, c: Counter) -> i64 {
        self.counters.get(c.index()).copied().unwrap_or(0)
    }

    /// Adds another row's totals: counters and sums added, sketches merged (a group's rows
    /// absorbed one by one give the row of the groups together, as one query would).
    pub fn absorb(&mut self, other: &RollupRow) -> StoreResult<()> {
        for (a, b) in self.counters.iter_mut().zip(&other.counters) {
            *a += b;
        }
        for (a, b) in self.timings.iter_mut().zip(&other.timings) {
            a.count += b.count;
            a.sum_ms += b.sum_ms;
            if let Some(s) = &b.sketch {
                Sketch::merge_into(&mut a.sketch, s)?;
            }
        }
        Ok(())
    }

    /// A timing's totals.
    pub fn timing(&self, t: Timing) -> &TimingTotals {
        static EMPTY: TimingTotals = TimingTotals {
            count: 0,
            sum_ms: 0,
            sketch: None,
        };
        self.timings.get(t.index()).unwrap_or(&EMPTY)
    }
}

/// A labelled count (see `kefu_domain::report::label`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelCount {
    pub metric: String,
    pub label: String,
    pub n: i64,
}

/// A pending SLA target: the ticket, which target, and when it breaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deadline {
    pub number: String,
    pub target: String,
    pub due_at: jiff::Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sketch_survives_its_stored_form_and_merges() {
        let mut a = Sketch::default();
        let mut b = Sketch::default();
        for v in 1..=100 {
            a.add(v * 1000);
            b.add(v * 1000 + 100_000);
        }
        let mut a = Sketch::decode(&a.encode().unwrap()).unwrap();
        a.merge(&b).unwrap();
        assert_eq!(a.count(), 200);
        let median = a.quantile(0.5).unwrap();
        assert!((median - 100_000.0).abs() < 2_000.0, "{median}");
    }

    #[test]
    fn sketches_stored_as_json_by_earlier_versions_still_read() {
        let mut a = Sketch::default();
        for v in [5, 50, 500, 5_000, 50_000] {
            a.add(v);
        }
        let json = serde_json::to_vec(&a.0).unwrap();
        let compact = a.encode().unwrap();
        assert_eq!(compact.first(), Some(&SKETCH_POSTCARD));
        assert!(
            compact.len() * 2 < json.len(),
            "{} vs {}",
            compact.len(),
            json.len()
        );
        for stored in [json, compact] {
            let b = Sketch::decode(&stored).unwrap();
            assert_eq!(b.count(), 5);
            assert_eq!(b.quantile(0.5), a.quantile(0.5));
            assert_eq!(b.quantile(0.9), a.quantile(0.9));
        }
    }

    #[test]
    fn a_stored_sketch_of_unknown_form_is_an_error_not_a_panic() {
        for bytes in [&b""[..], b"\x02abc", b"\x01\xff\xff", b"{\"bins\":"] {
            assert!(Sketch::decode(bytes).is_err(), "{bytes:?}");
        }
    }
}
