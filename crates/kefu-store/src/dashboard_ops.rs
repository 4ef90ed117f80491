//! The supervisor dashboard's read, written once and expanded for each backend next to
//! `ops.rs`: a few grouped counts. A ticket's breach time is its earliest pending breach
//! timer or, before the first response, its first-response deadline (a breach timer is
//! only written once the warning before it has fired).

macro_rules! dashboard_ops {
    () => {
        fn count_of(r: &impl decode::Get, col: &str) -> StoreResult<u64> {
            let n = r.i64(col)?;
            u64::try_from(n).map_err(|_| StoreError::Backend(format!("negative count {n}")))
        }

        /// Unowned queued and escalated tickets by lane.
        async fn waiting_lanes(c: &mut Conn) -> StoreResult<Vec<WaitingCount>> {
            let mut waiting = Vec::new();
            let rows = sqlx::query(
                "SELECT category, priority, status, COUNT(*) AS n FROM tickets \
                 WHERE assignee_id IS NULL AND status IN ('queued', 'escalated') \
                 GROUP BY category, priority, status ORDER BY category, priority DESC, status",
            )
            .fetch_all(&mut *c)
            .await?;
            for r in &rows {
                let category = r.text("category")?;
                waiting.push(WaitingCount {
                    category: CategoryCode::parse(&category)
                        .map_err(|e| StoreError::Backend(format!("stored category {category:?}: {e}")))?,
                    priority: decode::priority_from_rank(r.i32("priority")?)?,
                    escalated: r.text("status")? == "escalated",
                    count: count_of(r, "n")?,
                });
            }
            Ok(waiting)
        }

        pub(crate) async fn live_counts(c: &mut Conn) -> StoreResult<LiveCounts> {
            let waiting = waiting_lanes(c).await?;
            let oldest = sqlx::query(
                "SELECT MIN(created_at) AS t FROM tickets \
                 WHERE assignee_id IS NULL AND status IN ('queued', 'escalated')",
            )
            .fetch_one(&mut *c)
            .await?;
            let rows = sqlx::query(
                "SELECT presence, COUNT(*) AS n FROM agent_routing GROUP BY presence ORDER BY presence",
            )
            .fetch_all(&mut *c)
            .await?;
            let presence = rows
                .iter()
                .map(|r| Ok((presence_of(&r.text("presence")?)?, count_of(r, "n")?)))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(LiveCounts {
                waiting,
                oldest_waiting_since: oldest.opt_i64("t")?.map(decode::ts).transpose()?,
                presence,
            })
        }

        pub(crate) async fn dashboard_counts(
            c: &mut Conn,
            from: jiff::Timestamp,
            to: jiff::Timestamp,
            nearest: u32,
        ) -> StoreResult<DashboardCounts> {
            let waiting = waiting_lanes(c).await?;
            let rows = sqlx::query(
                "SELECT (created_at - $1) / 3600000 AS h, COUNT(*) AS n FROM tickets \
                 WHERE created_at >= $1 AND created_at < $2 GROUP BY 1 ORDER BY 1",
            )
            .bind(ms(from))
            .bind(ms(to))
            .fetch_all(&mut *c)
            .await?;
            let mut arrivals = Vec::with_capacity(rows.len());
            for r in &rows {
                let h = r.i64("h")?;
                let h = u32::try_from(h).map_err(|_| StoreError::Backend(format!("hour {h}")))?;
                arrivals.push((h, count_of(r, "n")?));
            }
            let bot = sqlx::query(
                "SELECT COUNT(*) AS n FROM tickets t JOIN bot_sessions b ON b.ticket_id = t.id \
                 WHERE t.created_at >= $1 AND t.created_at < $2",
            )
            .bind(ms(from))
            .bind(ms(to))
            .fetch_one(&mut *c)
            .await?;
            // The bot's own resolution is a status change with reason `bot_contained`.
            let contained = sqlx::query(
                "SELECT COUNT(DISTINCT e.ticket_id) AS n FROM ticket_events e \
                 JOIN tickets t ON t.id = e.ticket_id \
                 WHERE t.created_at >= $1 AND t.created_at < $2 AND e.kind = 'status_changed' \
                 AND e.payload LIKE '%\"bot_contained\"%'",
            )
            .bind(ms(from))
            .bind(ms(to))
            .fetch_one(&mut *c)
            .await?;
            let sql = format!(
                "SELECT {}, d.due FROM (SELECT ticket_id, MIN(due) AS due FROM ( \
                   SELECT ticket_id, due_at AS due FROM timers WHERE fired_at IS NULL AND kind = 'breach' \
                   UNION ALL SELECT id AS ticket_id, first_response_due AS due FROM tickets \
                   WHERE first_response_at IS NULL AND first_response_due IS NOT NULL \
                 ) u GROUP BY ticket_id) d \
                 JOIN tickets t ON t.id = d.ticket_id \
                 WHERE t.status NOT IN ('resolved', 'closed') ORDER BY d.due, t.id LIMIT $1",
                t_columns()
            );
            let rows = sqlx::query(&sql).bind(i64::from(nearest)).fetch_all(&mut *c).await?;
            let nearest_breach = rows
                .iter()
                .map(|r| Ok(SlaDue { ticket: decode::ticket(r)?, due_at: decode::ts(r.i64("due")?)? }))
                .collect::<StoreResult<Vec<_>>>()?;
            Ok(DashboardCounts {
                waiting,
                arrivals,
                bot_conversations: count_of(&bot, "n")?,
                bot_contained: count_of(&contained, "n")?,
                nearest_breach,
            })
        }
    };
}

pub(crate) use dashboard_ops;
