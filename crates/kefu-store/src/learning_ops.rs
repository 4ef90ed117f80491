//! The learning-loop steps, written once and expanded for each backend next to `ops.rs`:
//! bot answers per article version, tickets people resolved, and editors' dismissals.

macro_rules! learning_ops {
    () => {
        /// Records that the bot answered on `ticket` with the article `slug`, at the version
        /// published now (the one the bot's index was built from, up to the few seconds
        /// another node takes to rebuild after a publish).
        pub(crate) async fn record_bot_answer(
            c: &mut Conn,
            ticket: TicketId,
            slug: &str,
            at: jiff::Timestamp,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO bot_answers (ticket_id, article_slug, article_version, answered_at) \
                 SELECT $1, slug, published_version, $2 FROM kb_articles \
                 WHERE slug = $3 AND published_version IS NOT NULL",
            )
            .bind(ticket.0)
            .bind(ms(at))
            .bind(slug)
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn mark_bot_answer(
            c: &mut Conn,
            ticket: TicketId,
            mark: AnswerMark,
        ) -> StoreResult<bool> {
            let set = match mark {
                AnswerMark::Helpful(true) => "helpful = 1",
                AnswerMark::Helpful(false) => "helpful = 0",
                AnswerMark::Contained => "contained = 1",
            };
            let sql = format!(
                "UPDATE bot_answers SET {set} WHERE id = \
                 (SELECT MAX(id) FROM bot_answers WHERE ticket_id = $1)"
            );
            let done = sqlx::query(&sql).bind(ticket.0).execute(&mut *c).await?;
            Ok(done.rows_affected() > 0)
        }

        pub(crate) async fn answers_by_version(c: &mut Conn) -> StoreResult<Vec<VersionAnswers>> {
            let rows = sqlx::query(
                "SELECT article_slug, CAST(article_version AS BIGINT) AS version, \
                   COUNT(*) AS answers, \
                   CAST(COALESCE(SUM(CASE WHEN helpful = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS yes, \
                   CAST(COALESCE(SUM(CASE WHEN helpful = 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS no, \
                   CAST(COALESCE(SUM(contained), 0) AS BIGINT) AS contained \
                 FROM bot_answers GROUP BY article_slug, article_version \
                 ORDER BY article_slug, article_version",
            )
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(VersionAnswers {
                        slug: r.text("article_slug")?,
                        version: u32::try_from(r.i64("version")?)
                            .map_err(|e| StoreError::Backend(e.to_string()))?,
                        answers: r.i64("answers")?,
                        helpful_yes: r.i64("yes")?,
                        helpful_no: r.i64("no")?,
                        contained: r.i64("contained")?,
                    })
                })
                .collect()
        }

        /// Resolved or closed tickets with an agent reply and without a bot resolution,
        /// newest resolution first.
        pub(crate) async fn handled_tickets(c: &mut Conn, limit: u32) -> StoreResult<Vec<HandledTicket>> {
            let rows = sqlx::query(crate::learning::HANDLED_TICKETS_SQL)
            .bind(i64::from(limit))
            .fetch_all(&mut *c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let Some(question) = r.opt_text("question")? else { continue };
                let id = TicketId(r.i64("id")?);
                let replies = sqlx::query(
                    "SELECT body FROM messages WHERE ticket_id = $1 AND kind = 'agent' ORDER BY id",
                )
                .bind(id.0)
                .fetch_all(&mut *c)
                .await?
                .iter()
                .map(|m| m.text("body"))
                .collect::<StoreResult<Vec<String>>>()?;
                out.push(HandledTicket {
                    ticket_id: id,
                    number: r.text("number")?.parse::<TicketNumber>()
                        .map_err(|e| StoreError::Backend(e.to_string()))?,
                    question,
                    replies,
                    resolved_at: decode::ts(r.i64("resolved_at")?)?,
                });
            }
            Ok(out)
        }

        pub(crate) async fn dismiss(c: &mut Conn, d: Dismissal) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO learning_dismissals (kind, key, agent_id, dismissed_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (kind, key) DO NOTHING",
            )
            .bind(&d.kind)
            .bind(&d.key)
            .bind(d.by.map(|a| a.0))
            .bind(ms(d.at))
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn dismissed(c: &mut Conn, kind: &str) -> StoreResult<Vec<String>> {
            let rows = sqlx::query("SELECT key FROM learning_dismissals WHERE kind = $1 ORDER BY key")
                .bind(kind)
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(|r| r.text("key")).collect()
        }
    };
}

pub(crate) use learning_ops;
