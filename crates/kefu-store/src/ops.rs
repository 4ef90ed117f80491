//! The store's steps, written once and expanded for each backend.
//!
//! Both backends take the same SQL (`$N` placeholders work in SQLite too); only the
//! connection type and row-locking clause differ. `backend_ops!` expands these functions in
//! `sqlite::ops` and `postgres::ops` against that module's `Conn` type, so a rule about
//! tickets lives in exactly one place.

/// Columns of `tickets` every ticket query selects.
pub(crate) const TICKET_COLUMNS: &str = "id, number, customer_id, channel, subject, category, \
    priority, status, assignee_id, team_id, context, created_at, updated_at, \
    first_response_at, first_response_due, resolved_at";

macro_rules! backend_ops {
    (lock = $lock:literal, open_rows = $open_rows:path) => {
        use crate::decode::{self, Get as _};
        use sqlx::Row as _;
        use crate::ops::TICKET_COLUMNS;
        use crate::*;
        use kefu_domain::*;

        fn ms(t: jiff::Timestamp) -> i64 {
            t.as_millisecond()
        }

        fn to_json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
            serde_json::to_string(v).map_err(|e| StoreError::Backend(e.to_string()))
        }


        pub(crate) async fn ticket(c: &mut Conn, id: TicketId) -> StoreResult<Ticket> {
            let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1");
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(&mut *c).await?;
            decode::ticket(&row.ok_or(StoreError::NotFound)?)
        }

        /// The ticket, locked for the rest of the transaction where the backend can.
        async fn ticket_for_update(c: &mut Conn, id: TicketId) -> StoreResult<Ticket> {
            let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE id = $1 {}", $lock);
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(&mut *c).await?;
            decode::ticket(&row.ok_or(StoreError::NotFound)?)
        }

        pub(crate) async fn ticket_by_number(
            c: &mut Conn,
            number: &TicketNumber,
        ) -> StoreResult<Option<Ticket>> {
            let sql = format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE number = $1");
            let row = sqlx::query(&sql).bind(number.as_string()).fetch_optional(&mut *c).await?;
            row.map(|r| decode::ticket(&r)).transpose()
        }

        pub(crate) async fn open_ticket(c: &mut Conn, mut new: NewTicket) -> StoreResult<OpenedTicket> {
            let at = ms(new.at);
            // The idempotency row goes in first: on PostgreSQL a concurrent request with the
            // same key waits on it and then finds the winner's ticket.
            if let Some(idem) = &new.idempotency {
                let claimed = sqlx::query(
                    "INSERT INTO idempotency_keys (scope, key, fingerprint, ticket_id, created_at) \
                     VALUES ($1, $2, $3, NULL, $4) ON CONFLICT (scope, key) DO NOTHING RETURNING scope",
                )
                .bind(&idem.scope)
                .bind(&idem.key)
                .bind(&idem.fingerprint)
                .bind(at)
                .fetch_optional(&mut *c)
                .await?;
                if claimed.is_none() {
                    let row = sqlx::query(
                        "SELECT fingerprint, ticket_id FROM idempotency_keys WHERE scope = $1 AND key = $2",
                    )
                    .bind(&idem.scope)
                    .bind(&idem.key)
                    .fetch_one(&mut *c)
                    .await?;
                    if row.text("fingerprint")? != idem.fingerprint {
                        return Err(Conflict::IdempotencyKeyReused.into());
                    }
                    let id = row.opt_i64("ticket_id")?.ok_or(StoreError::Conflict(Conflict::IdempotencyKeyInProgress))?;
                    let ticket = ticket(c, TicketId(id)).await?;
                    return Ok(OpenedTicket { ticket, first_message: None, replayed: true });
                }
            }
            let date = new.at.to_zoned(jiff::tz::TimeZone::UTC).date();
            let (id, number, customer_id, message) = $open_rows(c, &new, date).await?;
            if let Some(idem) = &new.idempotency {
                sqlx::query("UPDATE idempotency_keys SET ticket_id = $1 WHERE scope = $2 AND key = $3")
                    .bind(id.0)
                    .bind(&idem.scope)
                    .bind(&idem.key)
                    .execute(&mut *c)
                    .await?;
            }
            let bot = new.bot.take();
            let jobs: Vec<NewJob> =
                std::mem::take(&mut new.jobs).into_iter().map(|j| j.for_ticket(id)).collect();
            insert_jobs(c, &jobs, new.at).await?;
            let mut opened = crate::opening::opened_ticket(new, number, customer_id, message);
            if let Some(mut exchange) = bot {
                exchange.ticket_id = id;
                record_bot_exchange(c, exchange).await?;
                opened.ticket = self::ticket(c, id).await?;
            }
            Ok(opened)
        }

        pub(crate) async fn list_tickets(c: &mut Conn, f: &TicketFilter) -> StoreResult<Vec<Ticket>> {
            let mut q = sqlx::QueryBuilder::new(format!("SELECT {TICKET_COLUMNS} FROM tickets WHERE 1 = 1"));
            if !f.statuses.is_empty() {
                q.push(" AND status IN (");
                let mut sep = q.separated(", ");
                for s in &f.statuses {
                    sep.push_bind(s.as_str());
                }
                q.push(")");
            }
            if let Some(a) = f.assignee {
                q.push(" AND assignee_id = ").push_bind(a.0);
            }
            if let Some(t) = f.team {
                q.push(" AND team_id = ").push_bind(t.0);
            }
            if let Some(cat) = &f.category {
                q.push(" AND category = ").push_bind(cat.as_str().to_owned());
            }
            if let Some(p) = f.priority {
                q.push(" AND priority = ").push_bind(i32::from(p.rank()));
            }
            if let Some(cu) = f.customer {
                q.push(" AND customer_id = ").push_bind(cu.0);
            }
            match (f.sort, f.after) {
                (TicketSort::Newest, Some(after)) => {
                    q.push(" AND id < ").push_bind(after.id.0);
                }
                (TicketSort::Urgent, Some(after)) => {
                    q.push(" AND (priority < ").push_bind(i32::from(after.priority));
                    q.push(" OR (priority = ").push_bind(i32::from(after.priority));
                    q.push(" AND id > ").push_bind(after.id.0);
                    q.push("))");
                }
                (_, None) => {}
            }
            q.push(match f.sort {
                TicketSort::Newest => " ORDER BY id DESC",
                TicketSort::Urgent => " ORDER BY priority DESC, id ASC",
            });
            q.push(" LIMIT ").push_bind(i64::from(f.limit));
            let rows = q.build().fetch_all(&mut *c).await?;
            rows.iter().map(|r| decode::ticket(r)).collect()
        }

        pub(crate) async fn add_message(c: &mut Conn, new: NewMessage) -> StoreResult<Message> {
            let current = ticket_for_update(c, new.ticket_id).await?;
            if current.status == TicketStatus::Closed {
                return Err(Conflict::TicketClosed.into());
            }
            let message = insert_message(
                c, new.ticket_id, new.kind, new.author_agent, &new.body, &new.attachments, new.at,
            )
            .await?;
            insert_event(
                c,
                new.ticket_id,
                &new.actor,
                &EventKind::MessageAdded { message_id: message.id.0, message_kind: new.kind.as_str().into() },
                new.at,
            )
            .await?;
            let first_response = new.kind == MessageKind::Agent && current.first_response_at.is_none();
            // An internal note changes nothing the customer sees, its update time included.
            if new.kind.is_public() {
                sqlx::query(
                    "UPDATE tickets SET updated_at = $1, \
                       first_response_at = CASE WHEN $2 = 1 THEN $1 ELSE first_response_at END \
                     WHERE id = $3",
                )
                .bind(ms(new.at))
                .bind(i32::from(first_response))
                .bind(new.ticket_id.0)
                .execute(&mut *c)
                .await?;
            }
            if let Some(to) = new.then_status.filter(|to| *to != current.status) {
                set_status(c, &current, to, &new.actor, None, new.at).await?;
            }
            Ok(message)
        }

        async fn set_status(
            c: &mut Conn,
            current: &Ticket,
            to: TicketStatus,
            actor: &Actor,
            reason: Option<String>,
            at: jiff::Timestamp,
        ) -> StoreResult<()> {
            current.status.transition(to)?;
            // Back to the queue means no owner; resolving stamps the time, reopening clears it.
            let clear_assignee = to == TicketStatus::Queued;
            let resolved_at = match to {
                TicketStatus::Resolved => Some(ms(at)),
                TicketStatus::Closed => current.resolved_at.map(ms).or(Some(ms(at))),
                _ => None,
            };
            sqlx::query(
                "UPDATE tickets SET status = $1, updated_at = $2, resolved_at = $3, \
                   assignee_id = CASE WHEN $4 = 1 THEN NULL ELSE assignee_id END \
                 WHERE id = $5",
            )
            .bind(to.as_str())
            .bind(ms(at))
            .bind(resolved_at)
            .bind(i32::from(clear_assignee))
            .bind(current.id.0)
            .execute(&mut *c)
            .await?;
            let kind = EventKind::StatusChanged { from: current.status.as_str().into(), to: to.as_str().into(), reason };
            insert_event(c, current.id, actor, &kind, at).await
        }

        pub(crate) async fn change_status(c: &mut Conn, ch: StatusChange) -> StoreResult<Ticket> {
            let current = ticket_for_update(c, ch.ticket_id).await?;
            set_status(c, &current, ch.to, &ch.actor, ch.reason, ch.at).await?;
            ticket(c, ch.ticket_id).await
        }

        pub(crate) async fn assign_ticket(c: &mut Conn, a: Assignment) -> StoreResult<Ticket> {
            let current = ticket_for_update(c, a.ticket_id).await?;
            let agent = agent(c, a.agent_id).await?;
            if !agent.active {
                return Err(Conflict::AgentDeactivated.into());
            }
            if current.status != TicketStatus::Assigned {
                set_status(c, &current, TicketStatus::Assigned, &a.actor, None, a.at).await?;
            } else if current.assignee == Some(a.agent_id) {
                return Ok(current);
            }
            sqlx::query("UPDATE tickets SET assignee_id = $1, team_id = COALESCE($2, team_id), updated_at = $3 WHERE id = $4")
                .bind(a.agent_id.0)
                .bind(agent.team_id.map(|t| t.0))
                .bind(ms(a.at))
                .bind(a.ticket_id.0)
                .execute(&mut *c)
                .await?;
            insert_event(c, a.ticket_id, &a.actor, &EventKind::Assigned { agent_id: a.agent_id, reason: a.reason }, a.at).await?;
            ticket(c, a.ticket_id).await
        }

        pub(crate) async fn update_ticket(c: &mut Conn, p: TicketPatch) -> StoreResult<Ticket> {
            let current = ticket_for_update(c, p.ticket_id).await?;
            if let Some(cat) = p.category.filter(|cat| *cat != current.category) {
                sqlx::query("UPDATE tickets SET category = $1, updated_at = $2 WHERE id = $3")
                    .bind(cat.as_str())
                    .bind(ms(p.at))
                    .bind(p.ticket_id.0)
                    .execute(&mut *c)
                    .await?;
                let kind = EventKind::CategoryChanged { from: current.category.to_string(), to: cat.to_string() };
                insert_event(c, p.ticket_id, &p.actor, &kind, p.at).await?;
            }
            if let Some(pr) = p.priority.filter(|pr| *pr != current.priority) {
                sqlx::query("UPDATE tickets SET priority = $1, updated_at = $2 WHERE id = $3")
                    .bind(i32::from(pr.rank()))
                    .bind(ms(p.at))
                    .bind(p.ticket_id.0)
                    .execute(&mut *c)
                    .await?;
                let kind = EventKind::PriorityChanged { from: current.priority.to_string(), to: pr.to_string() };
                insert_event(c, p.ticket_id, &p.actor, &kind, p.at).await?;
            }
            if let Some(due) = p.first_response_due.filter(|_| current.first_response_at.is_none()) {
                sqlx::query("UPDATE tickets SET first_response_due = $1 WHERE id = $2")
                    .bind(ms(due))
                    .bind(p.ticket_id.0)
                    .execute(&mut *c)
                    .await?;
            }
            ticket(c, p.ticket_id).await
        }

        pub(crate) async fn messages_page(
            c: &mut Conn,
            t: TicketId,
            internal: bool,
            after: Option<i64>,
            limit: u32,
        ) -> StoreResult<Vec<Message>> {
            let cols = format!(
                "SELECT {} FROM messages WHERE ticket_id = $1 AND ($2 = 1 OR kind <> 'internal_note')",
                crate::message_ops::MESSAGE_COLUMNS
            );
            let rows = match after {
                Some(after) => {
                    sqlx::query(&format!("{cols} AND id > $3 ORDER BY id LIMIT $4"))
                        .bind(t.0)
                        .bind(i32::from(internal))
                        .bind(after)
                        .bind(i64::from(limit))
                        .fetch_all(&mut *c)
                        .await?
                }
                None => {
                    let mut newest = sqlx::query(&format!("{cols} ORDER BY id DESC LIMIT $3"))
                        .bind(t.0)
                        .bind(i32::from(internal))
                        .bind(i64::from(limit))
                        .fetch_all(&mut *c)
                        .await?;
                    newest.reverse();
                    newest
                }
            };
            rows.iter().map(|r| decode::message(r)).collect()
        }

        pub(crate) async fn messages(c: &mut Conn, t: TicketId, internal: bool) -> StoreResult<Vec<Message>> {
            let rows = sqlx::query(&format!(
                "SELECT {} FROM messages WHERE ticket_id = $1 AND ($2 = 1 OR kind <> 'internal_note') ORDER BY id",
                crate::message_ops::MESSAGE_COLUMNS
            ))
            .bind(t.0)
            .bind(i32::from(internal))
            .fetch_all(&mut *c)
            .await?;
            rows.iter().map(|r| decode::message(r)).collect()
        }

        pub(crate) async fn count_by_status(c: &mut Conn) -> StoreResult<Vec<(TicketStatus, i64)>> {
            let rows = sqlx::query("SELECT status, COUNT(*) AS n FROM tickets GROUP BY status")
                .fetch_all(&mut *c)
                .await?;
            rows.iter()
                .map(|r| {
                    let status = r.text("status")?.parse::<TicketStatus>().map_err(|e| StoreError::Backend(e.to_string()))?;
                    Ok((status, r.i64("n")?))
                })
                .collect()
        }

        const CUSTOMER_COLUMNS: &str = "id, channel, external_id, display_name, email, phone, language, created_at";

        pub(crate) async fn customer(c: &mut Conn, id: CustomerId) -> StoreResult<Customer> {
            let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE id = $1");
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(&mut *c).await?;
            decode::customer(&row.ok_or(StoreError::NotFound)?)
        }

        pub(crate) async fn find_customer(c: &mut Conn, key: &CustomerLookup) -> StoreResult<Option<Customer>> {
            let row = match key {
                CustomerLookup::Identity(r) => {
                    let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE channel = $1 AND external_id = $2");
                    sqlx::query(&sql).bind(r.channel.as_str()).bind(&r.external_id).fetch_optional(&mut *c).await?
                }
                CustomerLookup::Email(e) => {
                    let sql = format!("SELECT {CUSTOMER_COLUMNS} FROM customers WHERE email = $1 ORDER BY id LIMIT 1");
                    sqlx::query(&sql).bind(e).fetch_optional(&mut *c).await?
                }
            };
            row.map(|r| decode::customer(&r)).transpose()
        }

        const AGENT_COLUMNS: &str = "id, email, display_name, role, team_id, password_hash, skills, chat_capacity, active, created_at";

        pub(crate) async fn create_agent(c: &mut Conn, a: NewAgent) -> StoreResult<Agent> {
            let row = sqlx::query(
                "INSERT INTO agents (email, display_name, role, team_id, password_hash, skills, chat_capacity, active, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) ON CONFLICT (email) DO NOTHING RETURNING id",
            )
            .bind(a.email.to_lowercase())
            .bind(&a.display_name)
            .bind(a.role.as_str())
            .bind(a.team_id.map(|t| t.0))
            .bind(&a.password_hash)
            .bind(to_json(&a.skills)?)
            .bind(i32::from(a.chat_capacity))
            .bind(ms(a.at))
            .fetch_optional(&mut *c)
            .await?;
            let row = row.ok_or(Conflict::Duplicate("email"))?;
            agent(c, AgentId(row.i64("id")?)).await
        }

        pub(crate) async fn agent(c: &mut Conn, id: AgentId) -> StoreResult<Agent> {
            let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE id = $1");
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(&mut *c).await?;
            decode::agent(&row.ok_or(StoreError::NotFound)?)
        }

        pub(crate) async fn agent_login(c: &mut Conn, email: &str) -> StoreResult<Option<(Agent, Option<String>)>> {
            let sql = format!("SELECT {AGENT_COLUMNS} FROM agents WHERE email = $1");
            let row = sqlx::query(&sql).bind(email.to_lowercase()).fetch_optional(&mut *c).await?;
            row.map(|r| Ok((decode::agent(&r)?, r.opt_text("password_hash")?))).transpose()
        }

        pub(crate) async fn list_agents(c: &mut Conn) -> StoreResult<Vec<Agent>> {
            let sql = format!("SELECT {AGENT_COLUMNS} FROM agents ORDER BY id");
            let rows = sqlx::query(&sql).fetch_all(&mut *c).await?;
            rows.iter().map(|r| decode::agent(r)).collect()
        }

        pub(crate) async fn update_agent(c: &mut Conn, p: AgentPatch) -> StoreResult<Agent> {
            let current = agent(c, p.id).await?;
            let team = match p.team_id {
                Some(t) => t,
                None => current.team_id,
            };
            sqlx::query(
                "UPDATE agents SET display_name = $1, role = $2, team_id = $3, \
                   password_hash = COALESCE($4, password_hash), skills = $5, chat_capacity = $6, active = $7 \
                 WHERE id = $8",
            )
            .bind(p.display_name.unwrap_or(current.display_name))
            .bind(p.role.unwrap_or(current.role).as_str())
            .bind(team.map(|t| t.0))
            .bind(p.password_hash)
            .bind(to_json(&p.skills.unwrap_or(current.skills))?)
            .bind(i32::from(p.chat_capacity.unwrap_or(current.chat_capacity)))
            .bind(i32::from(p.active.unwrap_or(current.active)))
            .bind(p.id.0)
            .execute(&mut *c)
            .await?;
            agent(c, p.id).await
        }

        pub(crate) async fn create_team(c: &mut Conn, t: NewTeam) -> StoreResult<Team> {
            let row = sqlx::query(
                "INSERT INTO teams (code, name, specialist) VALUES ($1, $2, $3) \
                 ON CONFLICT (code) DO NOTHING RETURNING id, code, name, specialist",
            )
            .bind(&t.code)
            .bind(&t.name)
            .bind(i32::from(t.specialist))
            .fetch_optional(&mut *c)
            .await?;
            decode::team(&row.ok_or(Conflict::Duplicate("team code"))?)
        }

        pub(crate) async fn list_teams(c: &mut Conn) -> StoreResult<Vec<Team>> {
            let rows = sqlx::query("SELECT id, code, name, specialist FROM teams ORDER BY id").fetch_all(&mut *c).await?;
            rows.iter().map(|r| decode::team(r)).collect()
        }

        pub(crate) async fn upsert_category(c: &mut Conn, cat: Category) -> StoreResult<Category> {
            sqlx::query(
                "INSERT INTO categories (code, name_zh, name_en, specialist_team, always_human, requires_certification) \
                 VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en, \
                   specialist_team = excluded.specialist_team, always_human = excluded.always_human, \
                   requires_certification = excluded.requires_certification",
            )
            .bind(cat.code.as_str())
            .bind(&cat.name_zh)
            .bind(&cat.name_en)
            .bind(&cat.specialist_team)
            .bind(i32::from(cat.always_human))
            .bind(i32::from(cat.requires_certification))
            .execute(&mut *c)
            .await?;
            Ok(cat)
        }

        pub(crate) async fn list_categories(c: &mut Conn) -> StoreResult<Vec<Category>> {
            let rows = sqlx::query("SELECT code, name_zh, name_en, specialist_team, always_human, requires_certification FROM categories ORDER BY code")
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(|r| decode::category(r)).collect()
        }

        pub(crate) async fn upsert_sla_policy(c: &mut Conn, p: SlaPolicy) -> StoreResult<()> {
            // NULL categories never collide in a unique index, so replace by hand.
            sqlx::query("DELETE FROM sla_policies WHERE COALESCE(category, '') = COALESCE($1, '') AND priority = $2")
                .bind(&p.category)
                .bind(i32::from(p.priority.rank()))
                .execute(&mut *c)
                .await?;
            sqlx::query(
                "INSERT INTO sla_policies (category, priority, first_response_minutes, next_response_minutes, resolution_minutes) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&p.category)
            .bind(i32::from(p.priority.rank()))
            .bind(i64::from(p.targets.first_response_minutes))
            .bind(i64::from(p.targets.next_response_minutes))
            .bind(i64::from(p.targets.resolution_minutes))
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn list_sla_policies(c: &mut Conn) -> StoreResult<Vec<SlaPolicy>> {
            let rows = sqlx::query(
                "SELECT category, CAST(priority AS INTEGER) AS priority, CAST(first_response_minutes AS BIGINT) AS f, \
                   CAST(next_response_minutes AS BIGINT) AS n, CAST(resolution_minutes AS BIGINT) AS r \
                 FROM sla_policies ORDER BY category, priority",
            )
            .fetch_all(&mut *c)
            .await?;
            let minutes = |v: i64| u32::try_from(v).map_err(|e| StoreError::Backend(e.to_string()));
            rows.iter()
                .map(|r| {
                    Ok(SlaPolicy {
                        category: r.opt_text("category")?,
                        priority: decode::priority_from_rank(r.i32("priority")?)?,
                        targets: SlaTargets {
                            first_response_minutes: minutes(r.i64("f")?)?,
                            next_response_minutes: minutes(r.i64("n")?)?,
                            resolution_minutes: minutes(r.i64("r")?)?,
                        },
                    })
                })
                .collect()
        }

        const CREDENTIAL_COLUMNS: &str = "id, kind, agent_id, channel, name, created_at, expires_at, revoked_at";

        pub(crate) async fn create_credential(c: &mut Conn, n: NewCredential) -> StoreResult<Credential> {
            let sql = format!(
                "INSERT INTO credentials (kind, token_hash, agent_id, channel, name, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {CREDENTIAL_COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(n.kind.as_str())
                .bind(&n.token_hash)
                .bind(n.agent_id.map(|a| a.0))
                .bind(n.channel.map(|ch| ch.as_str()))
                .bind(&n.name)
                .bind(ms(n.at))
                .bind(n.expires_at.map(ms))
                .fetch_one(&mut *c)
                .await?;
            decode::credential(&row)
        }

        pub(crate) async fn credential_by_token(c: &mut Conn, hash: &str, now: i64) -> StoreResult<Option<Credential>> {
            let sql = format!(
                "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE token_hash = $1 \
                 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)"
            );
            let row = sqlx::query(&sql).bind(hash).bind(now).fetch_optional(&mut *c).await?;
            row.map(|r| decode::credential(&r)).transpose()
        }

        pub(crate) async fn list_credentials(c: &mut Conn, kind: CredentialKind) -> StoreResult<Vec<Credential>> {
            let sql = format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE kind = $1 ORDER BY id");
            let rows = sqlx::query(&sql).bind(kind.as_str()).fetch_all(&mut *c).await?;
            rows.iter().map(|r| decode::credential(r)).collect()
        }

        pub(crate) async fn revoke_credential(c: &mut Conn, id: ApiKeyId, now: i64) -> StoreResult<()> {
            let done = sqlx::query("UPDATE credentials SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2")
                .bind(now)
                .bind(id.0)
                .execute(&mut *c)
                .await?;
            if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        }

        pub(crate) async fn revoke_sessions(c: &mut Conn, agent: AgentId, now: i64) -> StoreResult<u64> {
            let done = sqlx::query(
                "UPDATE credentials SET revoked_at = $1 \
                 WHERE agent_id = $2 AND kind = $3 AND revoked_at IS NULL",
            )
            .bind(now)
            .bind(agent.0)
            .bind(CredentialKind::Session.as_str())
            .execute(&mut *c)
            .await?;
            Ok(done.rows_affected())
        }

        pub(crate) async fn meta(c: &mut Conn, key: &str) -> StoreResult<Option<String>> {
            let row = sqlx::query("SELECT value FROM meta WHERE key = $1").bind(key).fetch_optional(&mut *c).await?;
            row.map(|r| r.text("value")).transpose()
        }

        pub(crate) async fn set_meta(c: &mut Conn, key: &str, value: &str) -> StoreResult<()> {
            sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .bind(key)
                .bind(value)
                .execute(&mut *c)
                .await?;
            Ok(())
        }
    };
}

pub(crate) use backend_ops;
