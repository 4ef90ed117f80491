//! The knowledge-base and bot steps (articles and versions, the bot's conversation state,
//! bot exchanges and unanswered questions), written once and expanded for each backend next
//! to [`crate::ops::backend_ops`], whose helpers they use.

macro_rules! kb_ops {
    () => {
        // --- knowledge base and bot -------------------------------------------------------

        /// A version's content; `phrasings_en` is NULL on versions without English phrasings.
        fn content_from(r: &impl crate::decode::Get) -> StoreResult<ArticleContent> {
            let list = |json: &str| serde_json::from_str::<Vec<String>>(json).map_err(|e| StoreError::Backend(e.to_string()));
            Ok(ArticleContent {
                question: r.text("question")?,
                answer: r.text("answer")?,
                similar: list(&r.text("phrasings")?)?,
                keywords: list(&r.text("keywords")?)?,
                question_en: r.opt_text("question_en")?,
                answer_en: r.opt_text("answer_en")?,
                similar_en: r.opt_text("phrasings_en")?.map(|j| list(&j)).transpose()?.unwrap_or_default(),
            })
        }

        /// The stored form of the English phrasings: NULL when there are none.
        fn phrasings_en_json(content: &ArticleContent) -> StoreResult<Option<String>> {
            if content.similar_en.is_empty() { Ok(None) } else { to_json(&content.similar_en).map(Some) }
        }

        fn article_from(r: &impl crate::decode::Get) -> StoreResult<KbArticle> {
            let u32_of = |v: i64| u32::try_from(v).map_err(|e| StoreError::Backend(e.to_string()));
            Ok(KbArticle {
                slug: r.text("slug")?,
                category: r.opt_text("category")?,
                published_version: r.opt_i64("published_version")?.map(u32_of).transpose()?,
                latest_version: u32_of(r.i64("latest_version")?)?,
                version: u32_of(r.i64("version")?)?,
                content: content_from(r)?,
                updated_at: decode::ts(r.i64("updated_at")?)?,
            })
        }

        const ARTICLE_SELECT: &str = "SELECT a.slug, a.category, CAST(a.published_version AS BIGINT) AS published_version, \
            CAST(a.latest_version AS BIGINT) AS latest_version, CAST(v.version AS BIGINT) AS version, v.question, v.answer, \
            v.phrasings, v.keywords, v.question_en, v.answer_en, v.phrasings_en, a.updated_at FROM kb_articles a JOIN kb_article_versions v ON v.article_id = a.id";

        pub(crate) async fn save_articles(c: &mut Conn, save: SaveArticles) -> StoreResult<SaveReport> {
            let mut report = SaveReport::default();
            let at = ms(save.at);
            for d in save.drafts {
                let similar = to_json(&d.content.similar)?;
                let keywords = to_json(&d.content.keywords)?;
                let similar_en = phrasings_en_json(&d.content)?;
                let existing = sqlx::query(
                    "SELECT a.id, CAST(a.latest_version AS BIGINT) AS latest, CAST(a.published_version AS BIGINT) AS published, \
                       a.category, v.question, v.answer, v.phrasings, v.keywords, v.question_en, v.answer_en, v.phrasings_en \
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
                            && row.opt_text("question_en")? == d.content.question_en
                            && row.opt_text("answer_en")? == d.content.answer_en
                            && row.opt_text("phrasings_en")? == similar_en
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
                        "INSERT INTO kb_article_versions (article_id, version, question, answer, phrasings, keywords, author_agent_id, created_at, \
                           question_en, answer_en, phrasings_en) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .bind(article_id)
                    .bind(i32::try_from(version).map_err(|e| StoreError::Backend(e.to_string()))?)
                    .bind(&d.content.question)
                    .bind(&d.content.answer)
                    .bind(&similar)
                    .bind(&keywords)
                    .bind(save.author.map(|a| a.0))
                    .bind(at)
                    .bind(&d.content.question_en)
                    .bind(&d.content.answer_en)
                    .bind(&similar_en)
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
                report.saved.push(SavedArticle {
                    slug: d.slug,
                    version: u32::try_from(version).map_err(|e| StoreError::Backend(e.to_string()))?,
                    new_version: changed,
                    published: save.publish,
                });
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
                return Err(Conflict::VersionNotFound.into());
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
                "SELECT CAST(v.version AS BIGINT) AS version, v.question, v.answer, v.phrasings, v.keywords, v.question_en, v.answer_en, \
                   v.phrasings_en, v.author_agent_id, v.created_at \
                 FROM kb_article_versions v JOIN kb_articles a ON a.id = v.article_id WHERE a.slug = $1 ORDER BY v.version",
            )
            .bind(slug)
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(ArticleVersion {
                        version: u32::try_from(r.i64("version")?).map_err(|e| StoreError::Backend(e.to_string()))?,
                        content: content_from(r)?,
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

        pub(crate) async fn recent_bot_states(c: &mut Conn, since: jiff::Timestamp, limit: u32) -> StoreResult<Vec<String>> {
            let rows = sqlx::query("SELECT state FROM bot_sessions WHERE updated_at >= $1 ORDER BY updated_at DESC LIMIT $2")
                .bind(ms(since))
                .bind(i64::from(limit))
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(|r| r.text("state")).collect()
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
            let reply = Message {
                id: MessageId(0),
                ticket_id: x.ticket_id,
                kind: MessageKind::Bot,
                author_agent: None,
                body: x.bot_reply.clone(),
                attachments: Vec::new(),
                suggestions: x.suggestions.clone(),
                survey: None,
                created_at: x.at,
            };
            let bot = write_message(c, reply).await?;
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
            if let Some(slug) = &x.answered {
                record_bot_answer(c, x.ticket_id, slug, x.at).await?;
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

    };
}

pub(crate) use kb_ops;
