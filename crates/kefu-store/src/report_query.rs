//! The SQL shape of a rollup query, for both backends: which table, which filter (with its
//! binds) and which grouping.

use crate::report_ops::ReportKey;
use crate::reports::{RollupGroup, RollupQuery};

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

/// The shape of `q` (see [`RollupQuery`] for which table answers).
pub(crate) fn shape(q: &RollupQuery) -> Shape {
    let per_agent = q.agent.is_some() || q.group == RollupGroup::Agent;
    let table = if per_agent {
        "report_agent_hourly"
    } else {
        "report_hourly"
    };
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
            sketches: false,
        }
    }

    #[test]
    fn filters_number_their_binds_in_order() {
        let s = shape(&query(RollupGroup::Channel));
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
        let s = shape(&q);
        assert_eq!(s.table, "report_agent_hourly");
        assert_eq!(s.filter, "hour >= $1 AND hour < $2 AND agent_id = $3");
        assert!(!s.select("x", true).contains("GROUP BY"));
    }
}
