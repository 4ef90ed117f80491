//! The report rollup steps, written once and expanded for each backend (next to `ops.rs`
//! and `event_ops.rs`, whose `events_since` they read).
//!
//! A fold step locks the cursor row (`FOR UPDATE` on PostgreSQL, so two nodes folding at
//! once take turns; SQLite has one writer), reads the events after it, folds them over the
//! stored per-ticket facts (`kefu_domain::report::fold`), adds the sums to the buckets —
//! counters added in SQL, sketches read, merged and written back — and moves the cursor, all
//! in the caller's one transaction. Either everything of the step is stored or nothing is:
//! a crash or a second runner never counts an event twice.

macro_rules! report_ops {
    (lock = $lock:literal) => {
        use crate::report_ops::ReportKey;

        /// Ids as a SQL list (they are integers read from our own tables).
        fn id_list(ids: &[i64]) -> String {
            ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
        }

        /// The stored facts of these tickets.
        async fn report_facts(
            c: &mut Conn,
            ids: &[i64],
        ) -> StoreResult<std::collections::HashMap<i64, kefu_domain::report::TicketFacts>> {
            let mut out = std::collections::HashMap::new();
            for chunk in ids.chunks(500) {
                let sql = format!(
                    "SELECT ticket_id, facts FROM report_ticket_facts WHERE ticket_id IN ({})",
                    id_list(chunk)
                );
                for r in sqlx::query(&sql).fetch_all(&mut *c).await? {
                    let facts = serde_json::from_str(&r.text("facts")?).map_err(|e| {
                        StoreError::Backend(format!("stored report facts are not valid: {e}"))
                    })?;
                    out.insert(r.i64("ticket_id")?, facts);
                }
            }
            Ok(out)
        }

        /// Facts of tickets the fold has not seen: channel, and the domain and priority the
        /// ticket was opened with (the `from` of its first change, else the current value).
        async fn report_seeds(
            c: &mut Conn,
            ids: &[i64],
        ) -> StoreResult<std::collections::HashMap<i64, kefu_domain::report::TicketFacts>> {
            let mut out = std::collections::HashMap::new();
            for chunk in ids.chunks(500) {
                let list = id_list(chunk);
                let sql = format!(
                    "SELECT id, channel, category, priority, created_at FROM tickets \
                     WHERE id IN ({list})"
                );
                for r in sqlx::query(&sql).fetch_all(&mut *c).await? {
                    let priority = decode::priority_from_rank(r.i32("priority")?)?;
                    let facts = kefu_domain::report::TicketFacts::opened(
                        &r.text("channel")?,
                        &r.text("category")?,
                        priority,
                        r.i64("created_at")?,
                    );
                    out.insert(r.i64("id")?, facts);
                }
                let sql = format!(
                    "SELECT ticket_id, kind, payload FROM ticket_events WHERE ticket_id IN \
                     ({list}) AND kind IN ('category_changed', 'priority_changed') \
                     ORDER BY ticket_id, seq DESC"
                );
                // Newest first, so the last write for each ticket and kind is its first change.
                for r in sqlx::query(&sql).fetch_all(&mut *c).await? {
                    let payload: serde_json::Value = serde_json::from_str(&r.text("payload")?)
                        .map_err(|e| StoreError::Backend(format!("stored event payload: {e}")))?;
                    let from = payload
                        .get("from")
                        .and_then(|v| v.as_str())
                        .map(str::to_owned);
                    if let (Some(f), Some(from)) = (out.get_mut(&r.i64("ticket_id")?), from) {
                        if r.text("kind")? == "category_changed" {
                            f.category = from;
                        } else {
                            f.priority = from;
                        }
                    }
                }
            }
            Ok(out)
        }

        /// Teams of agents and team ids by code.
        async fn report_directory(c: &mut Conn) -> StoreResult<kefu_domain::report::Directory> {
            let mut dir = kefu_domain::report::Directory::default();
            for r in sqlx::query("SELECT id, team_id FROM agents")
                .fetch_all(&mut *c)
                .await?
            {
                if let Some(team) = r.opt_i64("team_id")? {
                    dir.agent_team.insert(r.i64("id")?, team);
                }
            }
            for r in sqlx::query("SELECT id, code FROM teams")
                .fetch_all(&mut *c)
                .await?
            {
                dir.team_by_code.insert(r.text("code")?, r.i64("id")?);
            }
            Ok(dir)
        }

        /// A bucket's stored sketches (none when the bucket is new).
        async fn stored_sketches(
            c: &mut Conn,
            sql: &str,
            keys: Vec<ReportKey>,
        ) -> StoreResult<Vec<Option<crate::reports::Sketch>>> {
            let mut q = sqlx::query(sql);
            for k in keys {
                q = match k {
                    ReportKey::Int(v) => q.bind(v),
                    ReportKey::Text(v) => q.bind(v),
                };
            }
            let Some(row) = q.fetch_optional(&mut *c).await? else {
                return Ok(Vec::new());
            };
            kefu_domain::report::Timing::ALL
                .iter()
                .map(|t| {
                    let col = format!("{}_sketch", t.column());
                    let bytes: Option<Vec<u8>> = sqlx::Row::try_get(&row, col.as_str())?;
                    bytes
                        .map(|b| crate::reports::Sketch::decode(&b))
                        .transpose()
                })
                .collect()
        }

        /// Adds one bucket to a rollup table (keys bound first).
        async fn add_bucket(
            c: &mut Conn,
            table: &str,
            key_cols: &[&str],
            keys: Vec<ReportKey>,
            mut bucket: crate::report_acc::Bucket,
        ) -> StoreResult<()> {
            if bucket.has_samples() {
                let sql = crate::report_acc::sketches_sql(table, key_cols);
                let stored = stored_sketches(c, &sql, keys.clone()).await?;
                bucket.merge_stored(stored)?;
            }
            let sql = crate::report_acc::upsert_sql(table, key_cols);
            let mut q = sqlx::query(&sql);
            for k in keys {
                q = match k {
                    ReportKey::Int(v) => q.bind(v),
                    ReportKey::Text(v) => q.bind(v),
                };
            }
            for v in bucket.counters {
                q = q.bind(v);
            }
            for i in 0..kefu_domain::report::Timing::ALL.len() {
                let sketch = match &bucket.sketches[i] {
                    Some(s) => Some(s.encode()?),
                    None => None,
                };
                q = q.bind(bucket.counts[i]).bind(bucket.sums[i]).bind(sketch);
            }
            q.execute(&mut *c).await?;
            Ok(())
        }

        /// Adds a step's sums to the tables of one bucket width.
        async fn add_sums(
            c: &mut Conn,
            grain: crate::report_acc::Grain,
            acc: crate::report_acc::Accumulator,
        ) -> StoreResult<()> {
            for ((hour, channel, category, team), bucket) in acc.main {
                let keys = vec![
                    ReportKey::Int(hour),
                    ReportKey::Text(channel),
                    ReportKey::Text(category),
                    ReportKey::Int(team),
                ];
                let cols = ["hour", "channel", "category", "team_id"];
                add_bucket(c, grain.main, &cols, keys, bucket).await?;
            }
            for ((hour, agent), bucket) in acc.agents {
                let keys = vec![ReportKey::Int(agent), ReportKey::Int(hour)];
                let cols = ["agent_id", "hour"];
                add_bucket(c, grain.agents, &cols, keys, bucket).await?;
            }
            let labels = grain.labels;
            let sql = format!(
                "INSERT INTO {labels} (hour, channel, category, team_id, metric, label, n) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (hour, channel, category, team_id, metric, label) \
                 DO UPDATE SET n = {labels}.n + excluded.n"
            );
            for ((hour, channel, category, team, metric, label), n) in acc.labels {
                sqlx::query(&sql)
                    .bind(hour)
                    .bind(channel)
                    .bind(category)
                    .bind(team)
                    .bind(metric)
                    .bind(label)
                    .bind(n)
                    .execute(&mut *c)
                    .await?;
            }
            Ok(())
        }

        /// One fold step (see the module header).
        pub(crate) async fn fold_report_events(
            c: &mut Conn,
            step: crate::reports::RollupStep,
        ) -> StoreResult<crate::reports::RollupProgress> {
            let sql = format!(
                "SELECT last_event_id FROM report_cursor WHERE name = 'rollups' {}",
                $lock
            );
            let cursor = sqlx::query(&sql)
                .fetch_one(&mut *c)
                .await?
                .i64("last_event_id")?;
            let mut events = events_since(c, cursor, step.limit).await?;
            let settled = step.settled_before.as_millisecond();
            if let Some(p) = events.iter().position(|e| e.at.as_millisecond() > settled) {
                events.truncate(p);
            }
            let Some(last) = events.last().map(|e| e.id.0) else {
                return Ok(crate::reports::RollupProgress { events: 0, cursor });
            };
            let mut ids: Vec<i64> = events.iter().map(|e| e.ticket_id.0).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut facts = report_facts(c, &ids).await?;
            let missing: Vec<i64> = ids
                .iter()
                .copied()
                .filter(|i| !facts.contains_key(i))
                .collect();
            facts.extend(report_seeds(c, &missing).await?);
            let dir = report_directory(c).await?;
            let mut acc = crate::report_acc::Accumulator::default();
            for e in &events {
                let Some(f) = facts.get_mut(&e.ticket_id.0) else {
                    return Err(StoreError::Backend(format!(
                        "event {} names ticket {} which does not exist",
                        e.id.0, e.ticket_id.0
                    )));
                };
                for contribution in kefu_domain::report::fold(f, e, &dir) {
                    acc.add(contribution);
                }
            }
            let daily = acc.by_day()?;
            add_sums(c, crate::report_acc::HOURLY, acc).await?;
            add_sums(c, crate::report_acc::DAILY, daily).await?;
            for (id, f) in facts {
                sqlx::query(
                    "INSERT INTO report_ticket_facts (ticket_id, facts) VALUES ($1, $2) \
                     ON CONFLICT (ticket_id) DO UPDATE SET facts = excluded.facts",
                )
                .bind(id)
                .bind(to_json(&f)?)
                .execute(&mut *c)
                .await?;
            }
            sqlx::query("UPDATE report_cursor SET last_event_id = $1 WHERE name = 'rollups'")
                .bind(last)
                .execute(&mut *c)
                .await?;
            Ok(crate::reports::RollupProgress {
                events: u64::try_from(events.len()).unwrap_or(u64::MAX),
                cursor: last,
            })
        }

        /// Pending SLA breach timers, soonest first, with their tickets' numbers.
        pub(crate) async fn nearest_deadlines(
            c: &mut Conn,
            limit: u32,
        ) -> StoreResult<Vec<crate::reports::Deadline>> {
            let rows = sqlx::query(
                "SELECT t.number, tm.target, tm.due_at FROM timers tm \
                 JOIN tickets t ON t.id = tm.ticket_id \
                 WHERE tm.fired_at IS NULL AND tm.kind = 'breach' \
                 ORDER BY tm.due_at, tm.id LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(crate::reports::Deadline {
                        number: r.text("number")?,
                        target: r.text("target")?,
                        due_at: decode::ts(r.i64("due_at")?)?,
                    })
                })
                .collect()
        }

        /// Forgets every rollup and moves the cursor to the start (a rebuild follows).
        pub(crate) async fn reset_report_rollups(c: &mut Conn) -> StoreResult<()> {
            for sql in [
                "DELETE FROM report_hourly",
                "DELETE FROM report_agent_hourly",
                "DELETE FROM report_labels",
                "DELETE FROM report_daily",
                "DELETE FROM report_agent_daily",
                "DELETE FROM report_labels_daily",
                "DELETE FROM report_ticket_facts",
                "UPDATE report_cursor SET last_event_id = 0 WHERE name = 'rollups'",
            ] {
                sqlx::query(sql).execute(&mut *c).await?;
            }
            Ok(())
        }

        pub(crate) async fn report_cursor(c: &mut Conn) -> StoreResult<i64> {
            sqlx::query("SELECT last_event_id FROM report_cursor WHERE name = 'rollups'")
                .fetch_one(&mut *c)
                .await?
                .i64("last_event_id")
        }

        /// Binds a shape's values in order.
        fn bind_report<'q>(
            mut q: sqlx::query::Query<
                'q,
                <Conn as sqlx::Connection>::Database,
                <<Conn as sqlx::Connection>::Database as sqlx::Database>::Arguments<'q>,
            >,
            binds: &[ReportKey],
        ) -> sqlx::query::Query<
            'q,
            <Conn as sqlx::Connection>::Database,
            <<Conn as sqlx::Connection>::Database as sqlx::Database>::Arguments<'q>,
        > {
            for b in binds {
                q = match b.clone() {
                    ReportKey::Int(v) => q.bind(v),
                    ReportKey::Text(v) => q.bind(v),
                };
            }
            q
        }

        /// Totals of the buckets a query selects, grouped as it asks (whole UTC days from
        /// the daily tables, the range's ends from the hourly ones).
        pub(crate) async fn report_totals(
            c: &mut Conn,
            q: &crate::reports::RollupQuery,
        ) -> StoreResult<Vec<crate::reports::RollupRow>> {
            use kefu_domain::report::{Counter, Timing};
            // Per hour only `opened` is summed: it comes from a covering index, where the
            // other columns would read every wide row (each holds five sketches).
            let sums: Vec<String> = crate::report_acc::value_columns()
                .iter()
                .filter(|c| !c.ends_with("_sketch"))
                .filter(|c| q.group != crate::reports::RollupGroup::Hour || *c == "opened")
                .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
                .collect();
            let cols: Vec<String> = Timing::ALL
                .iter()
                .map(|t| format!("{}_sketch", t.column()))
                .collect();
            let mut rows: Vec<crate::reports::RollupRow> = Vec::new();
            let mut index: std::collections::HashMap<String, usize> =
                std::collections::HashMap::new();
            for (grain, part) in crate::report_query::parts(q) {
                let shape = crate::report_query::shape(&part, grain);
                let sql = shape.select(&sums.join(", "), true);
                for r in bind_report(sqlx::query(&sql), &shape.binds)
                    .fetch_all(&mut *c)
                    .await?
                {
                    let k = r.opt_text("k")?.unwrap_or_default();
                    let i = *index.entry(k.clone()).or_insert_with(|| {
                        rows.push(crate::reports::RollupRow::empty(k));
                        rows.len() - 1
                    });
                    let Some(row) = rows.get_mut(i) else { continue };
                    if q.group == crate::reports::RollupGroup::Hour {
                        row.counters[Counter::Opened.index()] += r.opt_i64("opened")?.unwrap_or(0);
                        continue;
                    }
                    for (i, counter) in Counter::ALL.iter().enumerate() {
                        row.counters[i] += r.opt_i64(counter.column())?.unwrap_or(0);
                    }
                    for (i, t) in Timing::ALL.iter().enumerate() {
                        let p = t.column();
                        row.timings[i].count += r.opt_i64(&format!("{p}_count"))?.unwrap_or(0);
                        row.timings[i].sum_ms += r.opt_i64(&format!("{p}_sum_ms"))?.unwrap_or(0);
                    }
                }
                if !q.sketches {
                    continue;
                }
                let sql = shape.select(&cols.join(", "), false);
                let mut found = bind_report(sqlx::query(&sql), &shape.binds).fetch(&mut *c);
                while let Some(r) = futures_util::TryStreamExt::try_next(&mut found).await? {
                    let k = r.opt_text("k")?.unwrap_or_default();
                    let Some(row) = index.get(&k).and_then(|i| rows.get_mut(*i)) else {
                        continue;
                    };
                    for (i, col) in cols.iter().enumerate() {
                        let bytes: Option<Vec<u8>> = sqlx::Row::try_get(&r, col.as_str())?;
                        if let Some(b) = bytes {
                            let s = crate::reports::Sketch::decode(&b)?;
                            crate::reports::Sketch::merge_into(&mut row.timings[i].sketch, &s)?;
                        }
                    }
                }
            }
            rows.sort_by(|a, b| crate::report_query::key_order(&a.key, &b.key));
            Ok(rows)
        }

        /// Labelled counts of the buckets a query selects (the agent filter does not apply:
        /// labels are kept by channel, domain and team).
        pub(crate) async fn report_labels(
            c: &mut Conn,
            q: &crate::reports::RollupQuery,
        ) -> StoreResult<Vec<crate::reports::LabelCount>> {
            let mut q = q.clone();
            q.agent = None;
            q.group = crate::reports::RollupGroup::All;
            let mut sums: std::collections::BTreeMap<(String, String), i64> = Default::default();
            for (grain, part) in crate::report_query::parts(&q) {
                let shape = crate::report_query::shape(&part, grain);
                let (filter, table) = (&shape.filter, grain.labels);
                let sql = format!(
                    "SELECT metric, label, CAST(SUM(n) AS BIGINT) AS n FROM {table} \
                     WHERE {filter} GROUP BY metric, label"
                );
                for r in bind_report(sqlx::query(&sql), &shape.binds)
                    .fetch_all(&mut *c)
                    .await?
                {
                    *sums
                        .entry((r.text("metric")?, r.text("label")?))
                        .or_default() += r.i64("n")?;
                }
            }
            let mut out: Vec<crate::reports::LabelCount> = sums
                .into_iter()
                .map(|((metric, label), n)| crate::reports::LabelCount { metric, label, n })
                .collect();
            // By metric, then most counted first, then label.
            out.sort_by(|a, b| {
                a.metric
                    .cmp(&b.metric)
                    .then(b.n.cmp(&a.n))
                    .then_with(|| a.label.cmp(&b.label))
            });
            Ok(out)
        }
    };
}

pub(crate) use report_ops;

/// A key value of a rollup bucket, for binding.
#[derive(Debug, Clone)]
pub(crate) enum ReportKey {
    Int(i64),
    Text(String),
}
