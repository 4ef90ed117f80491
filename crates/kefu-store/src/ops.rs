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

        pub(crate) async fn insert_event(
            c: &mut Conn,
            ticket: TicketId,
            actor: &Actor,
            kind: &EventKind,
            at: jiff::Timestamp,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO ticket_events (ticket_id, actor, kind, payload, at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(ticket.0)
            .bind(to_json(actor)?)
            .bind(kind.name())
            .bind(to_json(kind)?)
            .bind(ms(at))
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        async fn insert_message(
            c: &mut Conn,
            ticket: TicketId,
            kind: MessageKind,
            author: Option<AgentId>,
            body: &str,
            attachments: &[Attachment],
            at: jiff::Timestamp,
        ) -> StoreResult<Message> {
            let row = sqlx::query(
                "INSERT INTO messages (ticket_id, kind, author_agent_id, body, attachments, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            )
            .bind(ticket.0)
            .bind(kind.as_str())
            .bind(author.map(|a| a.0))
            .bind(body)
            .bind(to_json(&attachments)?)
            .bind(ms(at))
            .fetch_one(&mut *c)
            .await?;
            Ok(Message {
                id: MessageId(row.i64("id")?),
                ticket_id: ticket,
                kind,
                author_agent: author,
                body: body.to_owned(),
                attachments: attachments.to_vec(),
                created_at: at,
            })
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

        pub(crate) async fn open_ticket(c: &mut Conn, new: NewTicket) -> StoreResult<OpenedTicket> {
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
                    let id = row.opt_i64("ticket_id")?.ok_or(StoreError::Unavailable(
                        "the first request with this idempotency key is still running".into(),
                    ))?;
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
            let ticket = Ticket {
                id,
                number,
                customer_id,
                channel: new.channel,
                subject: new.subject,
                category: new.category,
                priority: new.priority,
                status: new.status,
                assignee: None,
                team: None,
                context: new.context,
                created_at: new.at,
                updated_at: new.at,
                first_response_at: None,
                first_response_due: new.first_response_due,
                resolved_at: None,
            };
            let ticket = match new.bot {
                Some(mut exchange) => {
                    exchange.ticket_id = id;
                    record_bot_exchange(c, exchange).await?;
                    self::ticket(c, id).await?
                }
                None => ticket,
            };
            Ok(OpenedTicket { ticket, first_message: Some(message), replayed: false })
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
                return Err(Conflict::Rule("the ticket is closed; open a new one").into());
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
                return Err(Conflict::Rule("the agent is deactivated").into());
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
            ticket(c, p.ticket_id).await
        }

        pub(crate) async fn messages(c: &mut Conn, t: TicketId, internal: bool) -> StoreResult<Vec<Message>> {
            let rows = sqlx::query(
                "SELECT id, ticket_id, kind, author_agent_id, body, attachments, created_at FROM messages \
                 WHERE ticket_id = $1 AND ($2 = 1 OR kind <> 'internal_note') ORDER BY id",
            )
            .bind(t.0)
            .bind(i32::from(internal))
            .fetch_all(&mut *c)
            .await?;
            rows.iter().map(|r| decode::message(r)).collect()
        }

        pub(crate) async fn events(c: &mut Conn, t: TicketId) -> StoreResult<Vec<TicketEvent>> {
            let rows = sqlx::query(
                "SELECT id, ticket_id, actor, kind, payload, at FROM ticket_events WHERE ticket_id = $1 ORDER BY id",
            )
            .bind(t.0)
            .fetch_all(&mut *c)
            .await?;
            rows.iter().map(|r| decode::event(r)).collect()
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

        // --- knowledge base and bot -------------------------------------------------------

        fn article_from(r: &impl crate::decode::Get) -> StoreResult<KbArticle> {
            let u32_of = |v: i64| u32::try_from(v).map_err(|e| StoreError::Backend(e.to_string()));
            Ok(KbArticle {
                slug: r.text("slug")?,
                category: r.opt_text("category")?,
                published_version: r.opt_i64("published_version")?.map(u32_of).transpose()?,
                latest_version: u32_of(r.i64("latest_version")?)?,
                version: u32_of(r.i64("version")?)?,
                content: ArticleContent {
                    question: r.text("question")?,
                    answer: r.text("answer")?,
                    similar: serde_json::from_str(&r.text("phrasings")?).map_err(|e| StoreError::Backend(e.to_string()))?,
                    keywords: serde_json::from_str(&r.text("keywords")?).map_err(|e| StoreError::Backend(e.to_string()))?,
                },
                updated_at: decode::ts(r.i64("updated_at")?)?,
            })
        }

        const ARTICLE_SELECT: &str = "SELECT a.slug, a.category, CAST(a.published_version AS BIGINT) AS published_version, \
            CAST(a.latest_version AS BIGINT) AS latest_version, CAST(v.version AS BIGINT) AS version, v.question, v.answer, \
            v.phrasings, v.keywords, a.updated_at FROM kb_articles a JOIN kb_article_versions v ON v.article_id = a.id";

        pub(crate) async fn save_articles(c: &mut Conn, save: SaveArticles) -> StoreResult<SaveReport> {
            let mut report = SaveReport::default();
            let at = ms(save.at);
            for d in save.drafts {
                let similar = to_json(&d.content.similar)?;
                let keywords = to_json(&d.content.keywords)?;
                let existing = sqlx::query(
                    "SELECT a.id, CAST(a.latest_version AS BIGINT) AS latest, CAST(a.published_version AS BIGINT) AS published, \
                       a.category, v.question, v.answer, v.phrasings, v.keywords \
                     FROM kb_articles a JOIN kb_article_versions v ON v.article_id = a.id AND v.version = a.latest_version \
                     WHERE a.slug = $1",
                )
                .bind(&d.slug)
                .fetch_optional(&mut *c)
                .await?;
                let (article_id, version, changed) = match existing {
                    None => {
                        let row = sqlx::query(
                            "INSERT INTO kb_articles (slug, category, published_version, latest_version, created_at, updated_at) \
                             VALUES ($1, $2, NULL, 1, $3, $3) RETURNING id",
                        )
                        .bind(&d.slug)
                        .bind(&d.category)
                        .bind(at)
                        .fetch_one(&mut *c)
                        .await?;
                        report.created += 1;
                        (row.i64("id")?, 1i64, true)
                    }
                    Some(row) => {
                        let same = row.text("question")? == d.content.question
                            && row.text("answer")? == d.content.answer
                            && row.text("phrasings")? == similar
                            && row.text("keywords")? == keywords
                            && row.opt_text("category")? == d.category;
                        let latest = row.i64("latest")?;
                        let id = row.i64("id")?;
                        if same {
                            let published = row.opt_i64("published")?;
                            if save.publish && published != Some(latest) {
                                (id, latest, false)
                            } else {
                                report.unchanged += 1;
                                continue;
                            }
                        } else {
                            report.new_versions += 1;
                            (id, latest + 1, true)
                        }
                    }
                };
                if changed {
                    sqlx::query(
                        "INSERT INTO kb_article_versions (article_id, version, question, answer, phrasings, keywords, author_agent_id, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    )
                    .bind(article_id)
                    .bind(i32::try_from(version).map_err(|e| StoreError::Backend(e.to_string()))?)
                    .bind(&d.content.question)
                    .bind(&d.content.answer)
                    .bind(&similar)
                    .bind(&keywords)
                    .bind(save.author.map(|a| a.0))
                    .bind(at)
                    .execute(&mut *c)
                    .await?;
                }
                let version32 = i32::try_from(version).map_err(|e| StoreError::Backend(e.to_string()))?;
                sqlx::query(
                    "UPDATE kb_articles SET category = $1, latest_version = $2, updated_at = $3, \
                       published_version = CASE WHEN $4 = 1 THEN $2 ELSE published_version END WHERE id = $5",
                )
                .bind(&d.category)
                .bind(version32)
                .bind(at)
                .bind(i32::from(save.publish))
                .bind(article_id)
                .execute(&mut *c)
                .await?;
                if save.publish {
                    report.published += 1;
                }
            }
            if report.published > 0 {
                set_meta(c, "kb_revision", &at.to_string()).await?;
            }
            Ok(report)
        }

        pub(crate) async fn publish_article(c: &mut Conn, slug: &str, version: Option<u32>, at: jiff::Timestamp) -> StoreResult<KbArticle> {
            let row = sqlx::query("SELECT id, CAST(latest_version AS BIGINT) AS latest FROM kb_articles WHERE slug = $1")
                .bind(slug)
                .fetch_optional(&mut *c)
                .await?
                .ok_or(StoreError::NotFound)?;
            let latest = row.i64("latest")?;
            let version = version.map_or(latest, i64::from);
            if version < 1 || version > latest {
                return Err(Conflict::Rule("no such version").into());
            }
            let v32 = i32::try_from(version).map_err(|e| StoreError::Backend(e.to_string()))?;
            sqlx::query("UPDATE kb_articles SET published_version = $1, updated_at = $2 WHERE id = $3")
                .bind(v32)
                .bind(ms(at))
                .bind(row.i64("id")?)
                .execute(&mut *c)
                .await?;
            set_meta(c, "kb_revision", &ms(at).to_string()).await?;
            article(c, slug, false).await?.ok_or(StoreError::NotFound)
        }

        /// One article with its published content (or latest, when `latest` or unpublished).
        pub(crate) async fn article(c: &mut Conn, slug: &str, latest: bool) -> StoreResult<Option<KbArticle>> {
            let pick = if latest { "a.latest_version" } else { "COALESCE(a.published_version, a.latest_version)" };
            let sql = format!("{ARTICLE_SELECT} AND v.version = {pick} WHERE a.slug = $1");
            let row = sqlx::query(&sql).bind(slug).fetch_optional(&mut *c).await?;
            row.map(|r| article_from(&r)).transpose()
        }

        /// Every article: published content only (`published_only`), or the latest of each.
        pub(crate) async fn articles(c: &mut Conn, published_only: bool) -> StoreResult<Vec<KbArticle>> {
            let sql = if published_only {
                format!("{ARTICLE_SELECT} AND v.version = a.published_version ORDER BY a.slug")
            } else {
                format!("{ARTICLE_SELECT} AND v.version = a.latest_version ORDER BY a.slug")
            };
            let rows = sqlx::query(&sql).fetch_all(&mut *c).await?;
            rows.iter().map(|r| article_from(r)).collect()
        }

        pub(crate) async fn article_versions(c: &mut Conn, slug: &str) -> StoreResult<Vec<ArticleVersion>> {
            let rows = sqlx::query(
                "SELECT CAST(v.version AS BIGINT) AS version, v.question, v.answer, v.phrasings, v.keywords, v.author_agent_id, v.created_at \
                 FROM kb_article_versions v JOIN kb_articles a ON a.id = v.article_id WHERE a.slug = $1 ORDER BY v.version",
            )
            .bind(slug)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(ArticleVersion {
                        version: u32::try_from(r.i64("version")?).map_err(|e| StoreError::Backend(e.to_string()))?,
                        content: ArticleContent {
                            question: r.text("question")?,
                            answer: r.text("answer")?,
                            similar: serde_json::from_str(&r.text("phrasings")?).map_err(|e| StoreError::Backend(e.to_string()))?,
                            keywords: serde_json::from_str(&r.text("keywords")?).map_err(|e| StoreError::Backend(e.to_string()))?,
                        },
                        author: r.opt_i64("author_agent_id")?.map(AgentId),
                        created_at: decode::ts(r.i64("created_at")?)?,
                    })
                })
                .collect()
        }

        pub(crate) async fn bot_state(c: &mut Conn, t: TicketId) -> StoreResult<Option<String>> {
            let row = sqlx::query("SELECT state FROM bot_sessions WHERE ticket_id = $1").bind(t.0).fetch_optional(&mut *c).await?;
            row.map(|r| r.text("state")).transpose()
        }

        pub(crate) async fn record_bot_exchange(c: &mut Conn, x: BotExchange) -> StoreResult<Vec<Message>> {
            let current = ticket_for_update(c, x.ticket_id).await?;
            let mut out = Vec::with_capacity(2);
            if let Some((body, files)) = &x.customer_message {
                let m = insert_message(c, x.ticket_id, MessageKind::Customer, None, body, files, x.at).await?;
                let kind = EventKind::MessageAdded { message_id: m.id.0, message_kind: "customer".into() };
                insert_event(c, x.ticket_id, &Actor::Customer, &kind, x.at).await?;
                out.push(m);
            }
            let bot = insert_message(c, x.ticket_id, MessageKind::Bot, None, &x.bot_reply, &[], x.at).await?;
            let kind = EventKind::MessageAdded { message_id: bot.id.0, message_kind: "bot".into() };
            insert_event(c, x.ticket_id, &Actor::Bot, &kind, x.at).await?;
            out.push(bot);
            sqlx::query(
                "INSERT INTO bot_sessions (ticket_id, state, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (ticket_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            )
            .bind(x.ticket_id.0)
            .bind(&x.state)
            .bind(ms(x.at))
            .execute(&mut *c)
            .await?;
            sqlx::query("UPDATE tickets SET updated_at = $1 WHERE id = $2").bind(ms(x.at)).bind(x.ticket_id.0).execute(&mut *c).await?;
            if let Some(u) = &x.unanswered {
                sqlx::query(
                    "INSERT INTO unanswered_questions (ticket_id, query, reason, top_article, top_score, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(x.ticket_id.0)
                .bind(&u.query)
                .bind(&u.reason)
                .bind(&u.top_article)
                .bind(u.top_score)
                .bind(ms(x.at))
                .execute(&mut *c)
                .await?;
            }
            if let Some(h) = x.handoff {
                if let Some(cat) = h.category.filter(|_| current.category.as_str() == "general") {
                    sqlx::query("UPDATE tickets SET category = $1 WHERE id = $2").bind(cat.as_str()).bind(x.ticket_id.0).execute(&mut *c).await?;
                    let kind = EventKind::CategoryChanged { from: current.category.to_string(), to: cat.to_string() };
                    insert_event(c, x.ticket_id, &Actor::Bot, &kind, x.at).await?;
                }
                let note = insert_message(c, x.ticket_id, MessageKind::InternalNote, None, &h.summary, &[], x.at).await?;
                let kind = EventKind::MessageAdded { message_id: note.id.0, message_kind: "internal_note".into() };
                insert_event(c, x.ticket_id, &Actor::Bot, &kind, x.at).await?;
                insert_event(c, x.ticket_id, &Actor::Bot, &EventKind::HandedOff { reason: h.reason.clone(), summary: h.summary }, x.at).await?;
                if current.status == TicketStatus::New {
                    set_status(c, &current, TicketStatus::Queued, &Actor::Bot, Some(h.reason), x.at).await?;
                }
            }
            Ok(out)
        }

        pub(crate) async fn unanswered(c: &mut Conn, limit: u32) -> StoreResult<Vec<UnansweredRecord>> {
            let rows = sqlx::query(
                "SELECT id, ticket_id, query, reason, top_article, top_score, created_at FROM unanswered_questions ORDER BY id DESC LIMIT $1",
            )
            .bind(i64::from(limit))
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(UnansweredRecord {
                        id: r.i64("id")?,
                        ticket_id: TicketId(r.i64("ticket_id")?),
                        question: UnansweredQuestion {
                            query: r.text("query")?,
                            reason: r.text("reason")?,
                            top_article: r.opt_text("top_article")?,
                            top_score: r.try_get::<Option<f64>, _>("top_score")?,
                        },
                        at: decode::ts(r.i64("created_at")?)?,
                    })
                })
                .collect()
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

/// Implements [`crate::Store`] for a backend type that has
/// `async fn read<T>(&self, f) -> StoreResult<T>` and `async fn write<T>(&self, f)`, each
/// running `f` on a connection (`write` inside one transaction).
macro_rules! impl_store {
    ($ty:ty, $name:literal) => {
        #[async_trait::async_trait]
        impl crate::Store for $ty {
            fn backend(&self) -> &'static str {
                $name
            }
            async fn ping(&self) -> StoreResult<()> {
                self.read(|c| {
                    Box::pin(async move {
                        sqlx::query("SELECT 1")
                            .execute(&mut *c)
                            .await
                            .map(|_| ())
                            .map_err(Into::into)
                    })
                })
                .await
            }
            async fn open_ticket(&self, new: NewTicket) -> StoreResult<OpenedTicket> {
                self.write(move |c| Box::pin(ops::open_ticket(c, new)))
                    .await
            }
            async fn ticket_by_number(&self, number: &TicketNumber) -> StoreResult<Option<Ticket>> {
                let number = *number;
                self.read(move |c| Box::pin(async move { ops::ticket_by_number(c, &number).await }))
                    .await
            }
            async fn ticket(&self, id: TicketId) -> StoreResult<Ticket> {
                self.read(move |c| Box::pin(ops::ticket(c, id))).await
            }
            async fn list_tickets(&self, filter: &TicketFilter) -> StoreResult<Vec<Ticket>> {
                let filter = filter.clone();
                self.read(move |c| Box::pin(async move { ops::list_tickets(c, &filter).await }))
                    .await
            }
            async fn add_message(&self, new: NewMessage) -> StoreResult<Message> {
                self.write(move |c| Box::pin(ops::add_message(c, new)))
                    .await
            }
            async fn messages(
                &self,
                ticket: TicketId,
                include_internal: bool,
            ) -> StoreResult<Vec<Message>> {
                self.read(move |c| Box::pin(ops::messages(c, ticket, include_internal)))
                    .await
            }
            async fn events(&self, ticket: TicketId) -> StoreResult<Vec<TicketEvent>> {
                self.read(move |c| Box::pin(ops::events(c, ticket))).await
            }
            async fn change_status(&self, change: StatusChange) -> StoreResult<Ticket> {
                self.write(move |c| Box::pin(ops::change_status(c, change)))
                    .await
            }
            async fn assign_ticket(&self, a: Assignment) -> StoreResult<Ticket> {
                self.write(move |c| Box::pin(ops::assign_ticket(c, a)))
                    .await
            }
            async fn update_ticket(&self, p: TicketPatch) -> StoreResult<Ticket> {
                self.write(move |c| Box::pin(ops::update_ticket(c, p)))
                    .await
            }
            async fn count_by_status(&self) -> StoreResult<Vec<(TicketStatus, i64)>> {
                self.read(|c| Box::pin(ops::count_by_status(c))).await
            }
            async fn set_presence(&self, p: PresenceChange) -> StoreResult<Vec<TicketId>> {
                self.write(move |c| Box::pin(ops::set_presence(c, p))).await
            }
            async fn hand_over_chats(&self, h: Handover) -> StoreResult<Vec<TicketId>> {
                self.write(move |c| Box::pin(ops::hand_over_chats(c, h)))
                    .await
            }
            async fn set_roster(&self, r: AgentRoster) -> StoreResult<AgentRoster> {
                self.write(move |c| Box::pin(ops::set_roster(c, r))).await
            }
            async fn roster(&self, id: AgentId) -> StoreResult<Option<AgentRoster>> {
                self.read(move |c| Box::pin(ops::roster(c, id))).await
            }
            async fn rosters(&self) -> StoreResult<Vec<AgentRoster>> {
                self.read(|c| Box::pin(ops::rosters(c))).await
            }
            async fn agent_presence(&self, id: AgentId) -> StoreResult<AgentPresence> {
                self.read(move |c| Box::pin(ops::agent_presence(c, id)))
                    .await
            }
            async fn routing_agents(
                &self,
                only: Option<AgentId>,
            ) -> StoreResult<Vec<RoutingAgent>> {
                self.read(move |c| Box::pin(ops::routing_agents(c, only)))
                    .await
            }
            async fn queued_tickets(&self, limit: u32) -> StoreResult<Vec<QueuedEntry>> {
                self.read(move |c| Box::pin(ops::queued_tickets(c, limit)))
                    .await
            }
            async fn queue_position(&self, id: TicketId) -> StoreResult<Option<u64>> {
                self.read(move |c| Box::pin(ops::queue_position(c, id)))
                    .await
            }
            async fn assign_if_room(&self, a: RoutedAssignment) -> StoreResult<Option<Ticket>> {
                self.write(move |c| Box::pin(ops::assign_if_room(c, a)))
                    .await
            }
            async fn escalate_ticket(&self, e: Escalation) -> StoreResult<Ticket> {
                self.write(move |c| Box::pin(ops::escalate_ticket(c, e)))
                    .await
            }
            async fn send_back(&self, s: SendBack) -> StoreResult<Ticket> {
                self.write(move |c| Box::pin(ops::send_back(c, s))).await
            }
            async fn transfer_ticket(&self, t: Transfer) -> StoreResult<Ticket> {
                self.write(move |c| Box::pin(ops::transfer_ticket(c, t)))
                    .await
            }
            async fn update_sla(
                &self,
                id: TicketId,
                at: jiff::Timestamp,
                f: SlaUpdate,
            ) -> StoreResult<bool> {
                self.write(move |c| Box::pin(ops::update_sla(c, id, at, f)))
                    .await
            }
            async fn pending_timers(&self, id: TicketId) -> StoreResult<Vec<PendingTimer>> {
                self.read(move |c| Box::pin(ops::pending_timers(c, id)))
                    .await
            }
            async fn claim_due_timers(
                &self,
                now: jiff::Timestamp,
                node_id: &str,
                limit: u32,
            ) -> StoreResult<Vec<FiredTimer>> {
                let node = node_id.to_owned();
                self.write(move |c| Box::pin(ops::claim_due_timers(c, now, node, limit)))
                    .await
            }
            async fn customer(&self, id: CustomerId) -> StoreResult<Customer> {
                self.read(move |c| Box::pin(ops::customer(c, id))).await
            }
            async fn find_customer(&self, key: &CustomerLookup) -> StoreResult<Option<Customer>> {
                let key = key.clone();
                self.read(move |c| Box::pin(async move { ops::find_customer(c, &key).await }))
                    .await
            }
            async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent> {
                self.write(move |c| Box::pin(ops::create_agent(c, new)))
                    .await
            }
            async fn agent(&self, id: AgentId) -> StoreResult<Agent> {
                self.read(move |c| Box::pin(ops::agent(c, id))).await
            }
            async fn agent_login(
                &self,
                email: &str,
            ) -> StoreResult<Option<(Agent, Option<String>)>> {
                let email = email.to_owned();
                self.read(move |c| Box::pin(async move { ops::agent_login(c, &email).await }))
                    .await
            }
            async fn list_agents(&self) -> StoreResult<Vec<Agent>> {
                self.read(|c| Box::pin(ops::list_agents(c))).await
            }
            async fn update_agent(&self, patch: AgentPatch) -> StoreResult<Agent> {
                self.write(move |c| Box::pin(ops::update_agent(c, patch)))
                    .await
            }
            async fn create_team(&self, new: NewTeam) -> StoreResult<Team> {
                self.write(move |c| Box::pin(ops::create_team(c, new)))
                    .await
            }
            async fn list_teams(&self) -> StoreResult<Vec<Team>> {
                self.read(|c| Box::pin(ops::list_teams(c))).await
            }
            async fn upsert_category(&self, category: Category) -> StoreResult<Category> {
                self.write(move |c| Box::pin(ops::upsert_category(c, category)))
                    .await
            }
            async fn list_categories(&self) -> StoreResult<Vec<Category>> {
                self.read(|c| Box::pin(ops::list_categories(c))).await
            }
            async fn upsert_sla_policy(&self, policy: SlaPolicy) -> StoreResult<()> {
                self.write(move |c| Box::pin(ops::upsert_sla_policy(c, policy)))
                    .await
            }
            async fn list_sla_policies(&self) -> StoreResult<Vec<SlaPolicy>> {
                self.read(|c| Box::pin(ops::list_sla_policies(c))).await
            }
            async fn create_credential(&self, new: NewCredential) -> StoreResult<Credential> {
                self.write(move |c| Box::pin(ops::create_credential(c, new)))
                    .await
            }
            async fn credential_by_token(
                &self,
                token_hash: &str,
                now_ms: i64,
            ) -> StoreResult<Option<Credential>> {
                let hash = token_hash.to_owned();
                self.read(move |c| {
                    Box::pin(async move { ops::credential_by_token(c, &hash, now_ms).await })
                })
                .await
            }
            async fn list_credentials(&self, kind: CredentialKind) -> StoreResult<Vec<Credential>> {
                self.read(move |c| Box::pin(ops::list_credentials(c, kind)))
                    .await
            }
            async fn revoke_credential(&self, id: ApiKeyId, now_ms: i64) -> StoreResult<()> {
                self.write(move |c| Box::pin(ops::revoke_credential(c, id, now_ms)))
                    .await
            }
            async fn save_articles(&self, save: SaveArticles) -> StoreResult<SaveReport> {
                self.write(move |c| Box::pin(ops::save_articles(c, save)))
                    .await
            }
            async fn publish_article(
                &self,
                slug: &str,
                version: Option<u32>,
                at: jiff::Timestamp,
            ) -> StoreResult<KbArticle> {
                let slug = slug.to_owned();
                self.write(move |c| {
                    Box::pin(async move { ops::publish_article(c, &slug, version, at).await })
                })
                .await
            }
            async fn article(&self, slug: &str, latest: bool) -> StoreResult<Option<KbArticle>> {
                let slug = slug.to_owned();
                self.read(move |c| Box::pin(async move { ops::article(c, &slug, latest).await }))
                    .await
            }
            async fn articles(&self, published_only: bool) -> StoreResult<Vec<KbArticle>> {
                self.read(move |c| Box::pin(ops::articles(c, published_only)))
                    .await
            }
            async fn article_versions(&self, slug: &str) -> StoreResult<Vec<ArticleVersion>> {
                let slug = slug.to_owned();
                self.read(move |c| Box::pin(async move { ops::article_versions(c, &slug).await }))
                    .await
            }
            async fn bot_state(&self, ticket: TicketId) -> StoreResult<Option<String>> {
                self.read(move |c| Box::pin(ops::bot_state(c, ticket)))
                    .await
            }
            async fn record_bot_exchange(
                &self,
                exchange: BotExchange,
            ) -> StoreResult<Vec<Message>> {
                self.write(move |c| Box::pin(ops::record_bot_exchange(c, exchange)))
                    .await
            }
            async fn unanswered(&self, limit: u32) -> StoreResult<Vec<UnansweredRecord>> {
                self.read(move |c| Box::pin(ops::unanswered(c, limit)))
                    .await
            }
            async fn meta(&self, key: &str) -> StoreResult<Option<String>> {
                let key = key.to_owned();
                self.read(move |c| Box::pin(async move { ops::meta(c, &key).await }))
                    .await
            }
            async fn set_meta(&self, key: &str, value: &str) -> StoreResult<()> {
                let (key, value) = (key.to_owned(), value.to_owned());
                self.write(move |c| Box::pin(async move { ops::set_meta(c, &key, &value).await }))
                    .await
            }
        }
    };
}

pub(crate) use impl_store;
