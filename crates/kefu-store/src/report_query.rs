//! The SQL shape of a rollup query, for both backends: which table, which filter (with its
//! binds) and which grouping. A range is read as whole UTC days from the daily tables and
//! its ends as hours from the hourly ones ([`parts`]); grouping by hour reads hours only.

use crate::report_acc::{DAILY, DAY_MS, Grain, HOURLY};
use crate::report_ops::ReportKey;
use crate::reports::{HourWindow, RollupGroup, RollupQuery};

/// A query's table, `WHERE` condition, group key expression (`None`: one row) and binds.
pub(crate) struct Shape {
    pub(crate) table: &'static str,
    pub(crate) filter: String,
    pub(crate) key: Option<&'static str>,
    pub(crate) binds: Vec<ReportKey>,
}

impl Shape {
    /// `SELECT <key> AS k, <columns> FROM … WHERE … [GROUP BY …]`.
    pub(crate) fn select(&self, columns: &str, grouped: bool) -> String {
        let (table, filter) = (self.table, &self.filter);
        match self.key {
            Some(key) if grouped => format!(
                "SELECT CAST({key} AS TEXT) AS k, {columns} FROM {table} WHERE {filter} \
                 GROUP BY {key} ORDER BY {key}"
            ),
            Some(key) => {
                format!("SELECT CAST({key} AS TEXT) AS k, {columns} FROM {table} WHERE {filter}")
            }
            None => format!("SELECT '' AS k, {columns} FROM {table} WHERE {filter}"),
        }
    }
}

/// The order of group keys: numerically when both are integers (hours, ids), else as text
/// (the order SQL's `ORDER BY` gave when one table answered).
pub(crate) fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        _ => a.cmp(b),
    }
}

/// The pieces `q`'s range is read in: the hours before the first whole UTC day, the whole
/// days, the hours after the last; each as a query of its own range and its grain.
pub(crate) fn parts(q: &RollupQuery) -> Vec<(Grain, RollupQuery)> {
    let piece = |grain: Grain, from_ms: i64, to_ms: i64| {
        let mut p = q.clone();
        p.from_ms = from_ms;
        p.to_ms = to_ms;
        (grain, p)
    };
    let first_day = -((-q.from_ms).div_euclid(DAY_MS) * DAY_MS);
    let end_day = q.to_ms.div_euclid(DAY_MS) * DAY_MS;
    if q.group == RollupGroup::Hour || q.hours.is_some() || first_day >= end_day {
        return vec![piece(HOURLY, q.from_ms, q.to_ms)];
    }
    let mut out = Vec::with_capacity(3);
    if q.from_ms < first_day {
        out.push(piece(HOURLY, q.from_ms, first_day));
    }
    out.push(piece(DAILY, first_day, end_day));
    if end_day < q.to_ms {
        out.push(piece(HOURLY, end_day, q.to_ms));
    }
    out
}

/// The shape of `q` on the tables of `grain` (see [`RollupQuery`] for which table answers).
pub(crate) fn shape(q: &RollupQuery, grain: Grain) -> Shape {
    let per_agent = q.agent.is_some() || q.group == RollupGroup::Agent;
    let table = if per_agent { grain.agents } else { grain.main };
    let mut binds = vec![ReportKey::Int(q.from_ms), ReportKey::Int(q.to_ms)];
    let mut filter = String::from("hour >= $1 AND hour < $2");
    let mut cond = |col: &str, v: ReportKey, binds: &mut Vec<ReportKey>| {
        binds.push(v);
        filter.push_str(&format!(" AND {col} = ${}", binds.len()));
    };
    if per_agent {
        if let Some(a) = q.agent {
            cond("agent_id", ReportKey::Int(a), &mut binds);
        }
    } else {
        if let Some(ch) = &q.channel {
            cond("channel", ReportKey::Text(ch.clone()), &mut binds);
        }
        if let Some(cat) = &q.category {
            cond("category", ReportKey::Text(cat.clone()), &mut binds);
        }
        if let Some(t) = q.team {
            cond("team_id", ReportKey::Int(t), &mut binds);
        }
    }
    if let Some(windows) = &q.hours {
        filter.push_str(&format!(" AND ({})", hours_filter(windows)));
    }
    let key = match q.group {
        RollupGroup::All => None,
        RollupGroup::Hour => Some("hour"),
        RollupGroup::Channel => Some("channel"),
        RollupGroup::Category => Some("category"),
        RollupGroup::Team => Some("team_id"),
        RollupGroup::Agent => Some("agent_id"),
    };
    Shape {
        table,
        filter,
        key,
        binds,
    }
}

/// The condition selecting the buckets of `windows`: every bucket start (UTC milliseconds)
/// in a window's range whose UTC hour of the day is one of the window's, as a list, so the
/// read seeks those buckets through the `hour` key instead of walking every row of the
/// range (a year's 9-17 is 2,920 hours). The numbers are ours (computed, not given),
/// written into the SQL as literals; no hours select nothing.
fn hours_filter(windows: &[HourWindow]) -> String {
    let h = kefu_domain::report::HOUR_MS;
    let mut list = String::new();
    for w in windows {
        let first = w.from_ms.div_euclid(h);
        let end = (w.to_ms + h - 1).div_euclid(h);
        for n in first..end {
            if w.utc_hours & (1 << n.rem_euclid(24)) != 0 {
                if !list.is_empty() {
                    list.push_str(", ");
                }
                list.push_str(&(n * h).to_string());
            }
        }
    }
    if list.is_empty() {
        "1 = 0".to_owned()
    } else {
        format!("hour IN ({list})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(group: RollupGroup) -> RollupQuery {
        RollupQuery {
            from_ms: 0,
            to_ms: 10,
            channel: Some("app".into()),
            category: None,
            team: Some(2),
            agent: None,
            group,
            hours: None,
            sketches: false,
        }
    }

    #[test]
    fn an_hour_filter_reads_hours_only_and_names_the_utc_hours_of_each_window() {
        let h = kefu_domain::report::HOUR_MS;
        let mut q = query(RollupGroup::All);
        q.from_ms = 0;
        q.to_ms = 10 * DAY_MS;
        q.hours = Some(vec![
            HourWindow {
                from_ms: 0,
                to_ms: 4 * DAY_MS,
                utc_hours: (1 << 1) | (1 << 23),
            },
            HourWindow {
                from_ms: 4 * DAY_MS,
                to_ms: 10 * DAY_MS,
                utc_hours: 1 << 0,
            },
        ]);
        let p = parts(&q);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, HOURLY);
        let s = shape(&q, HOURLY);
        // Hours 1 and 23 of days 0-3, then hour 0 of days 4-9.
        let mut hours: Vec<i64> = (0..4).flat_map(|d| [d * 24 + 1, d * 24 + 23]).collect();
        hours.extend((4..10).map(|d| d * 24));
        let list: Vec<String> = hours.iter().map(|n| (n * h).to_string()).collect();
        assert_eq!(
            s.filter,
            format!(
                "hour >= $1 AND hour < $2 AND channel = $3 AND team_id = $4 AND (hour IN ({}))",
                list.join(", ")
            )
        );
        q.hours = Some(vec![]);
        assert!(shape(&q, HOURLY).filter.ends_with(" AND (1 = 0)"));
    }

    #[test]
    fn filters_number_their_binds_in_order() {
        let s = shape(&query(RollupGroup::Channel), HOURLY);
        assert_eq!(s.table, "report_hourly");
        assert_eq!(
            s.filter,
            "hour >= $1 AND hour < $2 AND channel = $3 AND team_id = $4"
        );
        assert_eq!(s.binds.len(), 4);
        assert!(
            s.select("x", true)
                .ends_with("GROUP BY channel ORDER BY channel")
        );
    }

    #[test]
    fn agent_queries_read_the_per_agent_rollup() {
        let mut q = query(RollupGroup::All);
        q.agent = Some(9);
        let s = shape(&q, HOURLY);
        assert_eq!(s.table, "report_agent_hourly");
        assert_eq!(shape(&q, DAILY).table, "report_agent_daily");
        assert_eq!(s.filter, "hour >= $1 AND hour < $2 AND agent_id = $3");
        assert!(!s.select("x", true).contains("GROUP BY"));
    }

    #[test]
    fn ranges_read_whole_days_daily_and_their_ends_hourly() {
        let h = kefu_domain::report::HOUR_MS;
        let mut q = query(RollupGroup::All);
        // 16:00 on day 0 to 16:00 on day 3 (a Shanghai range of three local days).
        q.from_ms = 16 * h;
        q.to_ms = 3 * DAY_MS + 16 * h;
        let p: Vec<(&str, i64, i64)> = parts(&q)
            .iter()
            .map(|(g, r)| (g.main, r.from_ms, r.to_ms))
            .collect();
        assert_eq!(
            p,
            [
                ("report_hourly", 16 * h, DAY_MS),
                ("report_daily", DAY_MS, 3 * DAY_MS),
                ("report_hourly", 3 * DAY_MS, 3 * DAY_MS + 16 * h),
            ]
        );
        // Exactly whole days: only the daily table.
        q.from_ms = DAY_MS;
        q.to_ms = 2 * DAY_MS;
        assert_eq!(parts(&q).len(), 1);
        assert_eq!(parts(&q)[0].0, DAILY);
        // Less than a whole day, or grouped by hour: hours only.
        q.from_ms = 16 * h;
        q.to_ms = DAY_MS + 15 * h;
        assert_eq!(parts(&q)[0].0, HOURLY);
        q.to_ms = 3 * DAY_MS;
        q.group = RollupGroup::Hour;
        assert_eq!(parts(&q).len(), 1);
        assert_eq!(parts(&q)[0].0, HOURLY);
    }
}
