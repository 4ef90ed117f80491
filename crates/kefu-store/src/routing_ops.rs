//! The routing, escalation and SLA-timer steps, written once and expanded for each backend
//! next to [`crate::ops::backend_ops`] (whose helpers they use): `lock` locks a row for the
//! rest of the transaction, `claim` also skips rows another node has locked. On SQLite both
//! are empty: the single writer already serializes every write.

/// Statuses in which an owned ticket counts against its agent's capacity.
pub(crate) const HELD_STATUSES: &str = "'assigned', 'pending_customer', 'escalated'";

/// `'in_app', …`: the channels whose tickets count against chat capacity.
pub(crate) fn chat_channels() -> String {
    kefu_domain::Channel::ALL
        .iter()
        .filter(|c| c.is_chat())
        .map(|c| format!("'{}'", c.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

macro_rules! routing_ops {
    (lock = $lock:literal, claim = $claim:literal) => {
        use crate::routing_ops::{HELD_STATUSES, chat_channels};

        fn t_columns() -> String {
            TICKET_COLUMNS.split(',').map(|c| format!("t.{}", c.trim())).collect::<Vec<_>>().join(", ")
        }

        fn presence_of(s: &str) -> StoreResult<AgentPresence> {
            s.parse().map_err(|e: PresenceParseError| StoreError::Backend(e.to_string()))
        }

        fn count(v: i64) -> StoreResult<u32> {
            u32::try_from(v).map_err(|e| StoreError::Backend(e.to_string()))
        }

        async fn load_of(c: &mut Conn, agent: AgentId, chat: bool) -> StoreResult<i64> {
            let sql = format!(
                "SELECT COUNT(*) AS n FROM tickets WHERE assignee_id = $1 AND status IN ({HELD_STATUSES}) \
                 AND channel {} IN ({})",
                if chat { "" } else { "NOT" },
                chat_channels()
            );
            let row = sqlx::query(&sql).bind(agent.0).fetch_one(&mut *c).await?;
            row.i64("n")
        }

        pub(crate) async fn set_presence(c: &mut Conn, p: PresenceChange) -> StoreResult<Vec<TicketId>> {
            let who = agent(c, p.agent_id).await?;
            sqlx::query(
                "INSERT INTO agent_routing (agent_id, presence, presence_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (agent_id) DO UPDATE SET presence = excluded.presence, presence_at = excluded.presence_at",
            )
            .bind(p.agent_id.0)
            .bind(p.presence.as_str())
            .bind(ms(p.at))
            .execute(&mut *c)
            .await?;
            let Some(note) = p.hand_back_note else {
                return Ok(Vec::new());
            };
            let handover = Handover { agent_id: who.id, note, actor: p.actor, at: p.at };
            requeue_chats(c, handover).await
        }

        pub(crate) async fn hand_over_chats(c: &mut Conn, h: Handover) -> StoreResult<Vec<TicketId>> {
            agent(c, h.agent_id).await?;
            requeue_chats(c, h).await
        }

        /// Returns the agent's assigned live chats to the queue; asynchronous tickets stay owned.
        async fn requeue_chats(c: &mut Conn, h: Handover) -> StoreResult<Vec<TicketId>> {
            let mut requeued = Vec::new();
            let sql = format!(
                "SELECT id FROM tickets WHERE assignee_id = $1 AND status = 'assigned' AND channel IN ({}) ORDER BY id",
                chat_channels()
            );
            let rows = sqlx::query(&sql).bind(h.agent_id.0).fetch_all(&mut *c).await?;
            for row in rows {
                let current = ticket_for_update(c, TicketId(row.i64("id")?)).await?;
                if current.status != TicketStatus::Assigned || current.assignee != Some(h.agent_id) {
                    continue;
                }
                set_status(c, &current, TicketStatus::Queued, &h.actor, Some(h.note.clone()), h.at).await?;
                requeued.push(current.id);
            }
            Ok(requeued)
        }

        fn decode_roster(r: &impl decode::Get, prefix: &str) -> StoreResult<Option<AgentRoster>> {
            let Some(time_zone) = r.opt_text(&format!("{prefix}time_zone"))? else {
                return Ok(None);
            };
            Ok(Some(AgentRoster {
                agent_id: AgentId(r.i64(&format!("{prefix}agent_id"))?),
                time_zone,
                shifts: r.text(&format!("{prefix}shifts"))?,
                updated_at: decode::ts(r.i64(&format!("{prefix}updated_at"))?)?,
            }))
        }

        pub(crate) async fn set_roster(c: &mut Conn, r: AgentRoster) -> StoreResult<AgentRoster> {
            agent(c, r.agent_id).await?;
            sqlx::query(
                "INSERT INTO agent_rosters (agent_id, time_zone, shifts, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (agent_id) DO UPDATE SET time_zone = excluded.time_zone, shifts = excluded.shifts, \
                   updated_at = excluded.updated_at",
            )
            .bind(r.agent_id.0)
            .bind(&r.time_zone)
            .bind(&r.shifts)
            .bind(ms(r.updated_at))
            .execute(&mut *c)
            .await?;
            Ok(r)
        }

        pub(crate) async fn roster(c: &mut Conn, id: AgentId) -> StoreResult<Option<AgentRoster>> {
            let row = sqlx::query("SELECT agent_id, time_zone, shifts, updated_at FROM agent_rosters WHERE agent_id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?;
            match row {
                Some(r) => decode_roster(&r, ""),
                None => Ok(None),
            }
        }

        pub(crate) async fn rosters(c: &mut Conn) -> StoreResult<Vec<AgentRoster>> {
            let rows = sqlx::query("SELECT agent_id, time_zone, shifts, updated_at FROM agent_rosters ORDER BY agent_id")
                .fetch_all(&mut *c)
                .await?;
            let mut all = Vec::with_capacity(rows.len());
            for r in &rows {
                all.extend(decode_roster(r, "")?);
            }
            Ok(all)
        }

        pub(crate) async fn routing_agents(c: &mut Conn, only: Option<AgentId>) -> StoreResult<Vec<RoutingAgent>> {
            let filter = if only.is_some() { "a.id = $1" } else { "r.presence = 'online' AND $1 = 0" };
            agents_with_load(c, filter, only.map_or(0, |a| a.0)).await
        }

        /// Every active agent with presence (offline when never set) and load.
        pub(crate) async fn staff_board(c: &mut Conn) -> StoreResult<Vec<RoutingAgent>> {
            agents_with_load(c, "$1 = 0", 0).await
        }

        async fn agents_with_load(c: &mut Conn, filter: &str, bind: i64) -> StoreResult<Vec<RoutingAgent>> {
            let chat = chat_channels();
            let sql = format!(
                "SELECT a.id, a.email, a.display_name, a.role, a.team_id, a.password_hash, a.skills, \
                   a.chat_capacity, a.active, a.created_at, COALESCE(r.presence, 'offline') AS presence, \
                   r.last_assigned_at, \
                   ro.agent_id AS roster_agent_id, ro.time_zone AS roster_time_zone, ro.shifts AS roster_shifts, \
                   ro.updated_at AS roster_updated_at, \
                   (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id AND t.status IN ({HELD_STATUSES}) \
                      AND t.channel IN ({chat})) AS load_chat, \
                   (SELECT COUNT(*) FROM tickets t WHERE t.assignee_id = a.id AND t.status IN ({HELD_STATUSES}) \
                      AND t.channel NOT IN ({chat})) AS load_async \
                 FROM agents a LEFT JOIN agent_routing r ON r.agent_id = a.id \
                 LEFT JOIN agent_rosters ro ON ro.agent_id = a.id \
                 WHERE a.active = 1 AND {filter} ORDER BY a.id"
            );
            let rows = sqlx::query(&sql).bind(bind).fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| {
                    Ok(RoutingAgent {
                        agent: decode::agent(r)?,
                        presence: presence_of(&r.text("presence")?)?,
                        last_assigned_at: r.opt_i64("last_assigned_at")?.map(decode::ts).transpose()?,
                        load_chat: count(r.i64("load_chat")?)?,
                        load_async: count(r.i64("load_async")?)?,
                        roster: decode_roster(r, "roster_")?,
                    })
                })
                .collect()
        }

        pub(crate) async fn agent_presence(c: &mut Conn, id: AgentId) -> StoreResult<AgentPresence> {
            let row = sqlx::query("SELECT presence FROM agent_routing WHERE agent_id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?;
            match row {
                Some(r) => presence_of(&r.text("presence")?),
                None => Ok(AgentPresence::Offline),
            }
        }

        pub(crate) async fn queued_tickets(c: &mut Conn, limit: u32) -> StoreResult<Vec<QueuedEntry>> {
            let sql = format!(
                "SELECT {}, cu.language AS customer_language FROM tickets t JOIN customers cu ON cu.id = t.customer_id \
                 WHERE t.status = 'queued' AND t.assignee_id IS NULL ORDER BY t.priority DESC, t.id LIMIT $1",
                t_columns()
            );
            let rows = sqlx::query(&sql).bind(i64::from(limit)).fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| Ok(QueuedEntry { ticket: decode::ticket(r)?, language: r.text("customer_language")? }))
                .collect()
        }

        pub(crate) async fn team_queue(c: &mut Conn, team: TeamId, limit: u32) -> StoreResult<Vec<QueuedEntry>> {
            let sql = format!(
                "SELECT {}, cu.language AS customer_language FROM tickets t JOIN customers cu ON cu.id = t.customer_id \
                 WHERE t.status = 'escalated' AND t.assignee_id IS NULL AND t.team_id = $1 \
                 ORDER BY t.priority DESC, t.id LIMIT $2",
                t_columns()
            );
            let rows = sqlx::query(&sql).bind(team.0).bind(i64::from(limit)).fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| Ok(QueuedEntry { ticket: decode::ticket(r)?, language: r.text("customer_language")? }))
                .collect()
        }

        pub(crate) async fn queue_position(c: &mut Conn, id: TicketId) -> StoreResult<Option<u64>> {
            let t = ticket(c, id).await?;
            if t.status != TicketStatus::Queued || t.assignee.is_some() {
                return Ok(None);
            }
            // The engine's queue order within the ticket's lane: priority, SLA deadline, age.
            let sql = format!(
                "SELECT COUNT(*) AS n FROM tickets WHERE status = 'queued' AND assignee_id IS NULL \
                 AND category = $1 AND channel {} IN ({}) AND (priority > $2 OR (priority = $2 AND \
                 (COALESCE(first_response_due, 0) < $3 OR (COALESCE(first_response_due, 0) = $3 AND id < $4))))",
                if t.channel.is_chat() { "" } else { "NOT" },
                chat_channels()
            );
            let row = sqlx::query(&sql)
                .bind(t.category.as_str())
                .bind(i32::from(t.priority.rank()))
                .bind(t.first_response_due.map_or(0, ms))
                .bind(t.id.0)
                .fetch_one(&mut *c)
                .await?;
            Ok(Some(u64::try_from(row.i64("n")?).map_err(|e| StoreError::Backend(e.to_string()))?))
        }

        pub(crate) async fn assign_if_room(c: &mut Conn, a: RoutedAssignment) -> StoreResult<Option<Ticket>> {
            // The agent's routing row is the lock that serializes capacity checks across nodes.
            let sql = format!("SELECT presence FROM agent_routing WHERE agent_id = $1 {}", $lock);
            let Some(row) = sqlx::query(&sql).bind(a.agent_id.0).fetch_optional(&mut *c).await? else {
                return Ok(None);
            };
            if presence_of(&row.text("presence")?)? != AgentPresence::Online {
                return Ok(None);
            }
            let who = agent(c, a.agent_id).await?;
            if !who.active || load_of(c, a.agent_id, a.chat).await? >= i64::from(a.capacity) {
                return Ok(None);
            }
            let current = ticket_for_update(c, a.ticket_id).await?;
            // A queued ticket goes to anyone eligible; an escalated one only to its team.
            let waiting = match current.status {
                TicketStatus::Queued => true,
                TicketStatus::Escalated => current.team.is_some() && current.team == who.team_id,
                _ => false,
            };
            if !waiting || current.assignee.is_some() {
                return Ok(None);
            }
            let actor = Actor::System;
            set_status(c, &current, TicketStatus::Assigned, &actor, None, a.at).await?;
            sqlx::query("UPDATE tickets SET assignee_id = $1, team_id = COALESCE($2, team_id), updated_at = $3 WHERE id = $4")
                .bind(a.agent_id.0)
                .bind(who.team_id.map(|t| t.0))
                .bind(ms(a.at))
                .bind(a.ticket_id.0)
                .execute(&mut *c)
                .await?;
            sqlx::query("UPDATE agent_routing SET last_assigned_at = $1 WHERE agent_id = $2")
                .bind(ms(a.at))
                .bind(a.agent_id.0)
                .execute(&mut *c)
                .await?;
            let kind = EventKind::Assigned { agent_id: a.agent_id, reason: a.reason };
            insert_event(c, a.ticket_id, &actor, &kind, a.at).await?;
            ticket(c, a.ticket_id).await.map(Some)
        }

        async fn team_by_id(c: &mut Conn, id: TeamId) -> StoreResult<Team> {
            let row = sqlx::query("SELECT id, code, name, specialist FROM teams WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?;
            decode::team(&row.ok_or(StoreError::NotFound)?)
        }

        pub(crate) async fn escalate_ticket(c: &mut Conn, e: Escalation) -> StoreResult<Ticket> {
            let current = ticket_for_update(c, e.ticket_id).await?;
            let team = team_by_id(c, e.team_id).await?;
            set_status(c, &current, TicketStatus::Escalated, &e.actor, Some(e.reason.clone()), e.at).await?;
            sqlx::query("UPDATE tickets SET team_id = $1, assignee_id = NULL, updated_at = $2 WHERE id = $3")
                .bind(team.id.0)
                .bind(ms(e.at))
                .bind(current.id.0)
                .execute(&mut *c)
                .await?;
            let kind = EventKind::Escalated { team: team.code, from_agent: current.assignee, reason: e.reason };
            insert_event(c, current.id, &e.actor, &kind, e.at).await?;
            ticket(c, current.id).await
        }

        pub(crate) async fn send_back(c: &mut Conn, s: SendBack) -> StoreResult<Ticket> {
            let current = ticket_for_update(c, s.ticket_id).await?;
            let row = sqlx::query(
                "SELECT id, ticket_id, seq, actor, kind, payload, at FROM ticket_events \
                 WHERE ticket_id = $1 AND kind IN ('escalated', 'sent_back') ORDER BY seq DESC LIMIT 1",
            )
            .bind(current.id.0)
            .fetch_optional(&mut *c)
            .await?;
            let last = row.map(|r| decode::event(&r)).transpose()?;
            let from_agent = match last.map(|e| e.kind) {
                Some(EventKind::Escalated { from_agent, .. }) if current.status.is_open() => from_agent,
                _ => return Err(Conflict::NotEscalated.into()),
            };
            let owner = match from_agent {
                Some(id) => Some(agent(c, id).await?).filter(|a| a.active),
                None => None,
            };
            let note = insert_message(c, current.id, MessageKind::InternalNote, Some(s.author), &s.findings, &[], s.at).await?;
            let added = EventKind::MessageAdded { message_id: note.id.0, message_kind: "internal_note".into() };
            insert_event(c, current.id, &s.actor, &added, s.at).await?;
            let reason = Some(s.reason.clone());
            match &owner {
                Some(owner) => {
                    if current.status != TicketStatus::Assigned {
                        set_status(c, &current, TicketStatus::Assigned, &s.actor, reason, s.at).await?;
                    }
                    sqlx::query("UPDATE tickets SET assignee_id = $1, team_id = $2, updated_at = $3 WHERE id = $4")
                        .bind(owner.id.0)
                        .bind(owner.team_id.map(|t| t.0))
                        .bind(ms(s.at))
                        .bind(current.id.0)
                        .execute(&mut *c)
                        .await?;
                }
                None => {
                    if current.status != TicketStatus::Queued {
                        set_status(c, &current, TicketStatus::Queued, &s.actor, reason, s.at).await?;
                    }
                    sqlx::query("UPDATE tickets SET team_id = NULL, assignee_id = NULL, updated_at = $1 WHERE id = $2")
                        .bind(ms(s.at))
                        .bind(current.id.0)
                        .execute(&mut *c)
                        .await?;
                }
            }
            let kind = EventKind::SentBack { to_agent: owner.map(|o| o.id), findings: s.findings };
            insert_event(c, current.id, &s.actor, &kind, s.at).await?;
            ticket(c, current.id).await
        }

        pub(crate) async fn transfer_ticket(c: &mut Conn, t: Transfer) -> StoreResult<Ticket> {
            let current = ticket_for_update(c, t.ticket_id).await?;
            let reason = Some(t.reason.clone());
            let (to_agent, team) = match t.to {
                TransferTarget::Agent(id) => {
                    let to = agent(c, id).await?;
                    if !to.active {
                        return Err(Conflict::AgentDeactivated.into());
                    }
                    if current.status != TicketStatus::Assigned {
                        set_status(c, &current, TicketStatus::Assigned, &t.actor, reason, t.at).await?;
                    }
                    sqlx::query("UPDATE tickets SET assignee_id = $1, team_id = COALESCE($2, team_id), updated_at = $3 WHERE id = $4")
                        .bind(id.0)
                        .bind(to.team_id.map(|x| x.0))
                        .bind(ms(t.at))
                        .bind(current.id.0)
                        .execute(&mut *c)
                        .await?;
                    (Some(id), None)
                }
                TransferTarget::Team(id) => {
                    let team = team_by_id(c, id).await?;
                    if current.status != TicketStatus::Queued {
                        set_status(c, &current, TicketStatus::Queued, &t.actor, reason, t.at).await?;
                    }
                    sqlx::query("UPDATE tickets SET team_id = $1, assignee_id = NULL, updated_at = $2 WHERE id = $3")
                        .bind(id.0)
                        .bind(ms(t.at))
                        .bind(current.id.0)
                        .execute(&mut *c)
                        .await?;
                    (None, Some(team.code))
                }
            };
            let kind = EventKind::Transferred { from_agent: current.assignee, to_agent, team, reason: t.reason };
            insert_event(c, current.id, &t.actor, &kind, t.at).await?;
            ticket(c, current.id).await
        }

        pub(crate) async fn update_sla(c: &mut Conn, id: TicketId, at: jiff::Timestamp, f: SlaUpdate) -> StoreResult<bool> {
            // The SLA row (never the ticket row) is the lock: timer claims lock timers, then
            // tickets, so taking the ticket here could deadlock with them.
            sqlx::query("INSERT INTO ticket_sla (ticket_id, state, updated_at) VALUES ($1, '', $2) ON CONFLICT (ticket_id) DO NOTHING")
                .bind(id.0)
                .bind(ms(at))
                .execute(&mut *c)
                .await?;
            let sql = format!("SELECT state FROM ticket_sla WHERE ticket_id = $1 {}", $lock);
            let state = sqlx::query(&sql).bind(id.0).fetch_one(&mut *c).await?.text("state")?;
            let Some(schedule) = f(Some(state).filter(|s| !s.is_empty())) else {
                return Ok(false);
            };
            sqlx::query("UPDATE ticket_sla SET state = $1, updated_at = $2 WHERE ticket_id = $3")
                .bind(&schedule.state)
                .bind(ms(at))
                .bind(id.0)
                .execute(&mut *c)
                .await?;
            for (target, timer) in schedule.timers {
                // A timer being fired right now is locked: the delete waits, then skips it.
                sqlx::query("DELETE FROM timers WHERE ticket_id = $1 AND target = $2 AND fired_at IS NULL")
                    .bind(id.0)
                    .bind(&target)
                    .execute(&mut *c)
                    .await?;
                if let Some(t) = timer {
                    sqlx::query("INSERT INTO timers (ticket_id, kind, target, due_at) VALUES ($1, $2, $3, $4)")
                        .bind(id.0)
                        .bind(t.kind.as_str())
                        .bind(&target)
                        .bind(ms(t.due_at))
                        .execute(&mut *c)
                        .await?;
                }
            }
            Ok(true)
        }

        fn timer_kind(s: &str) -> StoreResult<SlaTimerKind> {
            match s {
                "warning" => Ok(SlaTimerKind::Warning),
                "breach" => Ok(SlaTimerKind::Breach),
                other => Err(StoreError::Backend(format!("stored timer kind is not valid: {other}"))),
            }
        }

        pub(crate) async fn pending_timers(c: &mut Conn, id: TicketId) -> StoreResult<Vec<PendingTimer>> {
            let rows = sqlx::query(
                "SELECT id, kind, target, due_at FROM timers WHERE ticket_id = $1 AND fired_at IS NULL ORDER BY due_at, id",
            )
            .bind(id.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(PendingTimer {
                        id: r.i64("id")?,
                        kind: timer_kind(&r.text("kind")?)?,
                        target: r.text("target")?,
                        due_at: decode::ts(r.i64("due_at")?)?,
                    })
                })
                .collect()
        }

        pub(crate) async fn claim_due_timers(
            c: &mut Conn,
            now: jiff::Timestamp,
            node: String,
            limit: u32,
            mut policy: BreachPolicy,
        ) -> StoreResult<Vec<FiredTimer>> {
            let sql = format!(
                "SELECT id, ticket_id, kind, target, due_at FROM timers WHERE fired_at IS NULL AND due_at <= $1 \
                 ORDER BY due_at, id LIMIT $2 {}",
                $claim
            );
            let rows = sqlx::query(&sql).bind(ms(now)).bind(i64::from(limit)).fetch_all(&mut *c).await?;
            let mut fired = Vec::with_capacity(rows.len());
            // Tickets are locked in id order, so two claimers never wait on each other in a
            // cycle.
            let mut rows = rows;
            let mut keys = Vec::with_capacity(rows.len());
            for r in &rows {
                keys.push((r.i64("ticket_id")?, r.i64("id")?));
            }
            let mut order: Vec<usize> = (0..rows.len()).collect();
            order.sort_by_key(|&i| keys[i]);
            let mut sorted = Vec::with_capacity(rows.len());
            let mut slots: Vec<Option<_>> = rows.drain(..).map(Some).collect();
            for i in order {
                if let Some(r) = slots[i].take() {
                    sorted.push(r);
                }
            }
            for r in sorted {
                let id = r.i64("id")?;
                let ticket_id = TicketId(r.i64("ticket_id")?);
                let kind = timer_kind(&r.text("kind")?)?;
                let target = r.text("target")?;
                let due_at = decode::ts(r.i64("due_at")?)?;
                let marked = sqlx::query(
                    "UPDATE timers SET fired_at = $1, claimed_by = $2, claimed_until = $3 WHERE id = $4 AND fired_at IS NULL",
                )
                .bind(ms(now))
                .bind(&node)
                .bind(ms(now).saturating_add(60_000))
                .bind(id)
                .execute(&mut *c)
                .await?;
                if marked.rows_affected() == 0 {
                    continue;
                }
                let outcome = fire(c, ticket_id, kind, &target, due_at, now, &mut policy).await?;
                fired.push(FiredTimer { id, ticket_id, kind, target, due_at, outcome });
            }
            Ok(fired)
        }

        /// Applies a fired timer to its ticket: a warning is logged; a breach is logged and
        /// then handled as `policy` decides (priority, a note for the lead, requeue).
        async fn fire(
            c: &mut Conn,
            id: TicketId,
            kind: SlaTimerKind,
            target: &str,
            due_at: jiff::Timestamp,
            now: jiff::Timestamp,
            policy: &mut BreachPolicy,
        ) -> StoreResult<TimerOutcome> {
            let current = ticket_for_update(c, id).await?;
            let answered = target == "first_response" && current.first_response_at.is_some();
            if !current.status.is_open() || answered {
                return Ok(TimerOutcome::Skipped);
            }
            let actor = Actor::System;
            if kind == SlaTimerKind::Warning {
                let ev = EventKind::SlaWarning { target: target.to_owned(), due_at };
                insert_event(c, id, &actor, &ev, now).await?;
                return Ok(TimerOutcome::Warned);
            }
            let ev = EventKind::SlaBreached { target: target.to_owned(), due_at };
            insert_event(c, id, &actor, &ev, now).await?;
            let owner_presence = match (current.status, current.assignee) {
                (TicketStatus::Assigned, Some(owner)) => Some(agent_presence(c, owner).await?),
                _ => None,
            };
            let decided = policy(&Breach { ticket: &current, target, due_at, owner_presence });
            let priority = decided.raise_to.unwrap_or(current.priority);
            if priority != current.priority {
                sqlx::query("UPDATE tickets SET priority = $1, updated_at = $2 WHERE id = $3")
                    .bind(i32::from(priority.rank()))
                    .bind(ms(now))
                    .bind(id.0)
                    .execute(&mut *c)
                    .await?;
                let ev = EventKind::PriorityChanged { from: current.priority.to_string(), to: priority.to_string() };
                insert_event(c, id, &actor, &ev, now).await?;
            }
            if let Some(note) = &decided.lead_note {
                let m = insert_message(c, id, MessageKind::InternalNote, None, note, &[], now).await?;
                let ev = EventKind::MessageAdded { message_id: m.id.0, message_kind: "internal_note".into() };
                insert_event(c, id, &actor, &ev, now).await?;
            }
            let requeued = match decided.requeue_reason {
                Some(reason) if current.status == TicketStatus::Assigned => {
                    set_status(c, &current, TicketStatus::Queued, &actor, Some(reason), now).await?;
                    true
                }
                _ => false,
            };
            Ok(TimerOutcome::Breached { priority, requeued })
        }
    };
}

pub(crate) use routing_ops;
