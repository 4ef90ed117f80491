//! The survey and review steps, written once and expanded for each backend next to
//! `ops.rs` (whose ticket lock, message and event helpers they use).
//!
//! Every step that changes a survey or a review first locks its ticket row
//! (`ticket_for_update`): the ticket's events get their `seq` in turn, and two answers to
//! one survey are serialized (the second finds `answered_at` set and is a conflict).

macro_rules! survey_ops {
    () => {
        const SURVEY_COLUMNS: &str = "id, ticket_id, resolved_at, form, agent_id, team_id, \
             category, channel, message_id, sent_at, expires_at, reminded_at, score, helpful, \
             comment, answered_at";
        const REVIEW_COLUMNS: &str = "id, survey_id, ticket_id, team_id, score, status, \
             assignee_id, outcome, created_at, updated_at, closed_at";

        fn small(r: &impl decode::Get, col: &str) -> StoreResult<Option<u8>> {
            r.opt_i64(col)?
                .map(|v| {
                    u8::try_from(v)
                        .map_err(|_| StoreError::Backend(format!("stored {col} {v} is not valid")))
                })
                .transpose()
        }

        fn survey_row(r: &impl decode::Get) -> StoreResult<SurveyRecord> {
            let bad = |what: &str, v: &str| StoreError::Backend(format!("stored {what} {v:?} is not valid"));
            let form = r.text("form")?;
            let category = r.text("category")?;
            let channel = r.text("channel")?;
            Ok(SurveyRecord {
                id: r.text("id")?,
                ticket: TicketId(r.i64("ticket_id")?),
                resolved_at: decode::ts(r.i64("resolved_at")?)?,
                form: form.parse().map_err(|_| bad("survey form", &form))?,
                agent: r.opt_i64("agent_id")?.map(AgentId),
                team: r.opt_i64("team_id")?.map(TeamId),
                category: CategoryCode::parse(&category).map_err(|_| bad("category", &category))?,
                channel: channel.parse().map_err(|_| bad("channel", &channel))?,
                message: r.opt_i64("message_id")?.map(MessageId),
                sent_at: decode::ts(r.i64("sent_at")?)?,
                expires_at: decode::ts(r.i64("expires_at")?)?,
                reminded_at: r.opt_i64("reminded_at")?.map(decode::ts).transpose()?,
                score: small(r, "score")?,
                helpful: r.opt_i64("helpful")?.map(|h| h != 0),
                comment: r.opt_text("comment")?,
                answered_at: r.opt_i64("answered_at")?.map(decode::ts).transpose()?,
            })
        }

        fn review_row(r: &impl decode::Get) -> StoreResult<Review> {
            let status = r.text("status")?;
            Ok(Review {
                id: r.i64("id")?,
                survey: r.text("survey_id")?,
                ticket: TicketId(r.i64("ticket_id")?),
                team: r.opt_i64("team_id")?.map(TeamId),
                score: small(r, "score")?.unwrap_or(0),
                status: ReviewStatus::parse(&status).ok_or_else(|| {
                    StoreError::Backend(format!("stored review status {status:?} is not valid"))
                })?,
                assignee: r.opt_i64("assignee_id")?.map(AgentId),
                outcome: r.opt_text("outcome")?,
                created_at: decode::ts(r.i64("created_at")?)?,
                updated_at: decode::ts(r.i64("updated_at")?)?,
                closed_at: r.opt_i64("closed_at")?.map(decode::ts).transpose()?,
            })
        }

        pub(crate) async fn survey(c: &mut Conn, id: &str) -> StoreResult<Option<SurveyRecord>> {
            let sql = format!("SELECT {SURVEY_COLUMNS} FROM surveys WHERE id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            row.as_ref().map(survey_row).transpose()
        }

        pub(crate) async fn latest_survey(
            c: &mut Conn,
            ticket: TicketId,
        ) -> StoreResult<Option<SurveyRecord>> {
            let sql = format!(
                "SELECT {SURVEY_COLUMNS} FROM surveys WHERE ticket_id = $1 \
                 ORDER BY sent_at DESC, resolved_at DESC LIMIT 1"
            );
            let row = sqlx::query(&sql).bind(ticket.0).fetch_optional(&mut *c).await?;
            row.as_ref().map(survey_row).transpose()
        }

        async fn survey_of_resolution(
            c: &mut Conn,
            ticket: TicketId,
            resolved_at: jiff::Timestamp,
        ) -> StoreResult<Option<SurveyRecord>> {
            let sql = format!(
                "SELECT {SURVEY_COLUMNS} FROM surveys WHERE ticket_id = $1 AND resolved_at = $2"
            );
            let row = sqlx::query(&sql)
                .bind(ticket.0)
                .bind(ms(resolved_at))
                .fetch_optional(&mut *c)
                .await?;
            row.as_ref().map(survey_row).transpose()
        }

        /// The survey message: a customer-visible message of kind `survey` with its invite.
        async fn write_survey_message(
            c: &mut Conn,
            s: &SurveyRecord,
            body: &str,
            at: jiff::Timestamp,
        ) -> StoreResult<Message> {
            let m = Message {
                id: MessageId(0),
                ticket_id: s.ticket,
                kind: MessageKind::Survey,
                author_agent: None,
                body: body.to_owned(),
                attachments: Vec::new(),
                suggestions: Vec::new(),
                survey: Some(SurveyInvite {
                    id: s.id.clone(),
                    form: s.form,
                    expires_at: s.expires_at,
                    token: None,
                }),
                created_at: at,
            };
            let m = write_message(c, m).await?;
            let kind = EventKind::MessageAdded {
                message_id: m.id.0,
                message_kind: MessageKind::Survey.as_str().into(),
            };
            insert_event(c, s.ticket, &Actor::System, &kind, at).await?;
            Ok(m)
        }

        pub(crate) async fn send_survey(
            c: &mut Conn,
            n: NewSurvey,
            jobs: Vec<NewJob>,
        ) -> StoreResult<SurveySent> {
            let ticket = match ticket_for_update(c, n.ticket).await {
                Ok(t) => t,
                Err(StoreError::NotFound) => return Ok(SurveySent::NotResolved),
                Err(e) => return Err(e),
            };
            if let Some(sent) = survey_of_resolution(c, n.ticket, n.resolved_at).await? {
                return Ok(SurveySent::AlreadySent(sent));
            }
            let same = ticket.resolved_at.map(ms) == Some(ms(n.resolved_at));
            if ticket.status != TicketStatus::Resolved || !same {
                return Ok(SurveySent::NotResolved);
            }
            let mut s = SurveyRecord {
                id: n.id,
                ticket: n.ticket,
                resolved_at: n.resolved_at,
                form: n.form,
                agent: n.agent,
                team: n.team,
                category: n.category,
                channel: n.channel,
                message: None,
                sent_at: n.at,
                expires_at: n.expires_at,
                reminded_at: None,
                score: None,
                helpful: None,
                comment: None,
                answered_at: None,
            };
            let m = write_survey_message(c, &s, &n.body, n.at).await?;
            s.message = Some(m.id);
            sqlx::query(
                "INSERT INTO surveys (id, ticket_id, resolved_at, form, agent_id, team_id, \
                 category, channel, message_id, sent_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&s.id)
            .bind(s.ticket.0)
            .bind(ms(s.resolved_at))
            .bind(s.form.as_str())
            .bind(s.agent.map(|a| a.0))
            .bind(s.team.map(|t| t.0))
            .bind(s.category.as_str())
            .bind(s.channel.as_str())
            .bind(m.id.0)
            .bind(ms(s.sent_at))
            .bind(ms(s.expires_at))
            .execute(&mut *c)
            .await?;
            insert_jobs(c, &jobs, n.at).await?;
            Ok(SurveySent::Sent(s))
        }

        pub(crate) async fn answer_survey(
            c: &mut Conn,
            a: SurveyAnswer,
            audit: AuditOf<AnsweredSurvey>,
        ) -> StoreResult<AnsweredSurvey> {
            let found = survey(c, &a.survey).await?.ok_or(StoreError::NotFound)?;
            ticket_for_update(c, found.ticket).await?;
            let done = sqlx::query(
                "UPDATE surveys SET score = $1, helpful = $2, comment = $3, answered_at = $4 \
                 WHERE id = $5 AND answered_at IS NULL",
            )
            .bind(a.score.map(i64::from))
            .bind(a.helpful.map(i64::from))
            .bind(&a.comment)
            .bind(ms(a.at))
            .bind(&a.survey)
            .execute(&mut *c)
            .await?;
            if done.rows_affected() != 1 {
                return Err(Conflict::SurveyAnswered.into());
            }
            let kind = EventKind::SurveyAnswered {
                survey_id: a.survey.clone(),
                score: a.score,
                helpful: a.helpful,
            };
            insert_event(c, found.ticket, &a.actor, &kind, a.at).await?;
            let review = match (a.open_review, a.score) {
                (true, Some(score)) => {
                    let row = sqlx::query(
                        "INSERT INTO reviews (survey_id, ticket_id, team_id, score, status, \
                         created_at, updated_at) VALUES ($1, $2, $3, $4, 'open', $5, $5) RETURNING id",
                    )
                    .bind(&a.survey)
                    .bind(found.ticket.0)
                    .bind(found.team.map(|t| t.0))
                    .bind(i64::from(score))
                    .bind(ms(a.at))
                    .fetch_one(&mut *c)
                    .await?;
                    let id = row.i64("id")?;
                    let kind = EventKind::ReviewOpened { review_id: id, score };
                    insert_event(c, found.ticket, &Actor::System, &kind, a.at).await?;
                    review(c, id).await?
                }
                _ => None,
            };
            let answered = AnsweredSurvey {
                survey: survey(c, &a.survey).await?.ok_or(StoreError::NotFound)?,
                review,
            };
            insert_audit(c, &audit(&answered)).await?;
            Ok(answered)
        }

        pub(crate) async fn remind_survey(c: &mut Conn, r: SurveyReminder) -> StoreResult<bool> {
            let Some(found) = survey(c, &r.survey).await? else {
                return Ok(false);
            };
            let ticket = ticket_for_update(c, found.ticket).await?;
            let Some(s) = survey(c, &r.survey).await? else {
                return Ok(false);
            };
            // Only an unanswered, unreminded survey of the resolution the ticket still has.
            let same = ticket.resolved_at.map(ms) == Some(ms(s.resolved_at));
            if s.answered_at.is_some() || s.reminded_at.is_some() || ticket.status != TicketStatus::Resolved || !same {
                return Ok(false);
            }
            write_survey_message(c, &s, &r.body, r.at).await?;
            sqlx::query("UPDATE surveys SET reminded_at = $1 WHERE id = $2")
                .bind(ms(r.at))
                .bind(&s.id)
                .execute(&mut *c)
                .await?;
            Ok(true)
        }

        pub(crate) async fn satisfaction_scores(
            c: &mut Conn,
            f: ScoreFilter,
        ) -> StoreResult<Vec<SatisfactionScore>> {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {SURVEY_COLUMNS} FROM surveys WHERE answered_at IS NOT NULL"
            ));
            if let Some(a) = f.agent {
                q.push(" AND agent_id = ").push_bind(a.0);
            }
            if let Some(t) = f.team {
                q.push(" AND team_id = ").push_bind(t.0);
            }
            if let Some(cat) = &f.category {
                q.push(" AND category = ").push_bind(cat.as_str().to_owned());
            }
            if let Some(ch) = f.channel {
                q.push(" AND channel = ").push_bind(ch.as_str());
            }
            if let Some(from) = f.from {
                q.push(" AND answered_at >= ").push_bind(ms(from));
            }
            if let Some(until) = f.until {
                q.push(" AND answered_at < ").push_bind(ms(until));
            }
            q.push(" ORDER BY answered_at, id LIMIT ").push_bind(i64::from(f.limit));
            let rows = q.build().fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| {
                    let s = survey_row(r)?;
                    Ok(SatisfactionScore {
                        survey: s.id,
                        ticket: s.ticket,
                        form: s.form,
                        score: s.score,
                        helpful: s.helpful,
                        agent: s.agent,
                        team: s.team,
                        category: s.category,
                        channel: s.channel,
                        resolved_at: s.resolved_at,
                        answered_at: s.answered_at.unwrap_or(s.sent_at),
                    })
                })
                .collect()
        }

        pub(crate) async fn review(c: &mut Conn, id: i64) -> StoreResult<Option<Review>> {
            let sql = format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            row.as_ref().map(review_row).transpose()
        }

        pub(crate) async fn reviews(c: &mut Conn, f: ReviewFilter) -> StoreResult<Vec<Review>> {
            let mut q = sqlx::QueryBuilder::new(format!(
                "SELECT {REVIEW_COLUMNS} FROM reviews WHERE 1 = 1"
            ));
            if let Some(s) = f.status {
                q.push(" AND status = ").push_bind(s.as_str());
            }
            if let Some(t) = f.team {
                q.push(" AND team_id = ").push_bind(t.0);
            }
            if let Some(after) = f.after {
                q.push(" AND id > ").push_bind(after);
            }
            q.push(" ORDER BY id LIMIT ").push_bind(i64::from(f.limit));
            let rows = q.build().fetch_all(&mut *c).await?;
            rows.iter().map(review_row).collect()
        }

        pub(crate) async fn change_review(
            c: &mut Conn,
            ch: ReviewChange,
            audit: AuditOf<Review>,
        ) -> StoreResult<Review> {
            let found = review(c, ch.review).await?.ok_or(StoreError::NotFound)?;
            ticket_for_update(c, found.ticket).await?;
            let current = review(c, ch.review).await?.ok_or(StoreError::NotFound)?;
            if current.status == ReviewStatus::Closed {
                return Err(Conflict::ReviewClosed.into());
            }
            let kind = match ch.step {
                ReviewStep::Assign(agent_id) => {
                    agent(c, agent_id).await?;
                    sqlx::query("UPDATE reviews SET assignee_id = $1, updated_at = $2 WHERE id = $3")
                        .bind(agent_id.0)
                        .bind(ms(ch.at))
                        .bind(current.id)
                        .execute(&mut *c)
                        .await?;
                    EventKind::ReviewAssigned { review_id: current.id, agent_id }
                }
                ReviewStep::Close(outcome) => {
                    sqlx::query(
                        "UPDATE reviews SET status = 'closed', outcome = $1, updated_at = $2, \
                         closed_at = $2 WHERE id = $3",
                    )
                    .bind(&outcome)
                    .bind(ms(ch.at))
                    .bind(current.id)
                    .execute(&mut *c)
                    .await?;
                    EventKind::ReviewClosed { review_id: current.id, outcome }
                }
            };
            insert_event(c, current.ticket, &ch.actor, &kind, ch.at).await?;
            let changed = review(c, current.id).await?.ok_or(StoreError::NotFound)?;
            insert_audit(c, &audit(&changed)).await?;
            Ok(changed)
        }
    };
}

pub(crate) use survey_ops;
