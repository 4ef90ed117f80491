//! The channels' steps (see `channels.rs`), written once and expanded for each backend
//! next to `ops.rs` (whose ticket lock, event and job helpers they use).

macro_rules! channel_ops {
    () => {
        const INBOUND_COLUMNS: &str =
            "adapter, external_id, thread, visibility, ticket_id, message_id, received_at";
        const DELIVERY_COLUMNS: &str = "id, ticket_id, source, adapter, kind, visibility, body, \
             topics, status, attempts, last_error, remote_id, created_at, finished_at";

        fn inbound_row(r: &impl decode::Get) -> StoreResult<InboundRecord> {
            Ok(InboundRecord {
                adapter: r.text("adapter")?,
                external_id: r.text("external_id")?,
                thread: r.opt_text("thread")?,
                visibility: r.text("visibility")?,
                ticket: TicketId(r.opt_i64("ticket_id")?.ok_or(StoreError::NotFound)?),
                message: r.opt_i64("message_id")?,
                received_at: decode::ts(r.opt_i64("received_at")?.unwrap_or(0))?,
            })
        }

        fn delivery_row(r: &impl decode::Get) -> StoreResult<DeliveryRecord> {
            let topics = r
                .opt_text("topics")?
                .map(|t| serde_json::from_str(&t))
                .transpose()
                .map_err(|e| StoreError::Backend(format!("stored topics are not JSON: {e}")))?;
            Ok(DeliveryRecord {
                id: r.i64("id")?,
                ticket: TicketId(r.i64("ticket_id")?),
                source: r.text("source")?,
                adapter: r.opt_text("adapter")?,
                kind: r.text("kind")?,
                visibility: r.text("visibility")?,
                body: r.text("body")?,
                topics,
                status: r.text("status")?,
                attempts: u32::try_from(r.i64("attempts")?).unwrap_or(0),
                last_error: r.opt_text("last_error")?,
                remote_id: r.opt_text("remote_id")?,
                created_at: decode::ts(r.i64("created_at")?)?,
                finished_at: r.opt_i64("finished_at")?.map(decode::ts).transpose()?,
            })
        }

        pub(crate) async fn claim_inbound(
            c: &mut Conn,
            claim: InboundClaim,
        ) -> StoreResult<InboundClaimed> {
            let at = ms(claim.at);
            let inserted = sqlx::query(
                "INSERT INTO channel_inbound (adapter, external_id, thread, visibility, claimed_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (adapter, external_id) DO NOTHING \
                 RETURNING claimed_at",
            )
            .bind(&claim.adapter)
            .bind(&claim.external_id)
            .bind(&claim.thread)
            .bind(&claim.visibility)
            .bind(at)
            .fetch_optional(&mut *c)
            .await?;
            if inserted.is_some() {
                return Ok(InboundClaimed::New);
            }
            let row = sqlx::query(
                "SELECT ticket_id, message_id, claimed_at FROM channel_inbound \
                 WHERE adapter = $1 AND external_id = $2",
            )
            .bind(&claim.adapter)
            .bind(&claim.external_id)
            .fetch_one(&mut *c)
            .await?;
            if let Some(ticket) = row.opt_i64("ticket_id")? {
                return Ok(InboundClaimed::Duplicate {
                    ticket: TicketId(ticket),
                    message: row.opt_i64("message_id")?,
                });
            }
            let stale = i64::try_from(claim.stale_after.as_millis()).unwrap_or(i64::MAX);
            let taken = sqlx::query(
                "UPDATE channel_inbound SET claimed_at = $3 WHERE adapter = $1 \
                 AND external_id = $2 AND ticket_id IS NULL AND claimed_at = $4 AND $3 - claimed_at > $5",
            )
            .bind(&claim.adapter)
            .bind(&claim.external_id)
            .bind(at)
            .bind(row.i64("claimed_at")?)
            .bind(stale)
            .execute(&mut *c)
            .await?;
            Ok(if taken.rows_affected() == 1 {
                InboundClaimed::New
            } else {
                InboundClaimed::InProgress
            })
        }

        pub(crate) async fn finish_inbound(
            c: &mut Conn,
            adapter: String,
            external_id: String,
            ticket: TicketId,
            message: Option<i64>,
            at: jiff::Timestamp,
        ) -> StoreResult<()> {
            sqlx::query(
                "UPDATE channel_inbound SET ticket_id = $3, message_id = $4, received_at = $5 \
                 WHERE adapter = $1 AND external_id = $2",
            )
            .bind(adapter)
            .bind(external_id)
            .bind(ticket.0)
            .bind(message)
            .bind(ms(at))
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn release_inbound(
            c: &mut Conn,
            adapter: String,
            external_id: String,
        ) -> StoreResult<()> {
            sqlx::query(
                "DELETE FROM channel_inbound WHERE adapter = $1 AND external_id = $2 \
                 AND ticket_id IS NULL",
            )
            .bind(adapter)
            .bind(external_id)
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn inbound(
            c: &mut Conn,
            adapter: String,
            external_id: String,
        ) -> StoreResult<Option<InboundRecord>> {
            let sql = format!(
                "SELECT {INBOUND_COLUMNS} FROM channel_inbound WHERE adapter = $1 \
                 AND external_id = $2 AND ticket_id IS NOT NULL"
            );
            let row = sqlx::query(&sql)
                .bind(adapter)
                .bind(external_id)
                .fetch_optional(&mut *c)
                .await?;
            row.as_ref().map(inbound_row).transpose()
        }

        pub(crate) async fn thread_ticket(
            c: &mut Conn,
            adapter: String,
            thread: String,
        ) -> StoreResult<Option<TicketId>> {
            let row = sqlx::query(
                "SELECT ticket_id FROM channel_inbound WHERE adapter = $1 AND thread = $2 \
                 AND ticket_id IS NOT NULL ORDER BY received_at DESC LIMIT 1",
            )
            .bind(adapter)
            .bind(thread)
            .fetch_optional(&mut *c)
            .await?;
            row.map(|r| r.i64("ticket_id").map(TicketId)).transpose()
        }

        pub(crate) async fn latest_inbound(
            c: &mut Conn,
            ticket: TicketId,
        ) -> StoreResult<Option<InboundRecord>> {
            let sql = format!(
                "SELECT {INBOUND_COLUMNS} FROM channel_inbound WHERE ticket_id = $1 \
                 ORDER BY received_at DESC LIMIT 1"
            );
            let row = sqlx::query(&sql).bind(ticket.0).fetch_optional(&mut *c).await?;
            row.as_ref().map(inbound_row).transpose()
        }

        pub(crate) async fn keep_rejected(c: &mut Conn, r: RejectedPayload) -> StoreResult<i64> {
            let row = sqlx::query(
                "INSERT INTO channel_inbox (adapter, reason, payload, received_at) \
                 VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(&r.adapter)
            .bind(&r.reason)
            .bind(&r.payload)
            .bind(ms(r.at))
            .fetch_one(&mut *c)
            .await?;
            row.i64("id")
        }

        pub(crate) async fn rejected_payloads(
            c: &mut Conn,
            limit: u32,
            before: Option<i64>,
        ) -> StoreResult<Vec<RejectedRecord>> {
            let rows = sqlx::query(
                "SELECT id, adapter, reason, payload, received_at FROM channel_inbox \
                 WHERE id < $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(before.unwrap_or(i64::MAX))
            .bind(i64::from(limit))
            .fetch_all(&mut *c)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(RejectedRecord {
                        id: r.i64("id")?,
                        adapter: r.text("adapter")?,
                        reason: r.text("reason")?,
                        payload: r.text("payload")?,
                        received_at: decode::ts(r.i64("received_at")?)?,
                    })
                })
                .collect()
        }

        pub(crate) async fn enqueue_delivery(
            c: &mut Conn,
            d: NewDelivery,
        ) -> StoreResult<Option<(i64, Option<JobId>)>> {
            let topics = d.topics.as_ref().map(to_json).transpose()?;
            let row = sqlx::query(
                "INSERT INTO channel_deliveries (ticket_id, source, adapter, kind, visibility, body, \
                 topics, status, created_at, finished_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
                 ON CONFLICT (source) DO NOTHING RETURNING id",
            )
            .bind(d.ticket.0)
            .bind(&d.source)
            .bind(&d.adapter)
            .bind(&d.kind)
            .bind(&d.visibility)
            .bind(&d.body)
            .bind(topics)
            .bind(&d.status)
            .bind(ms(d.at))
            .bind((d.status != "pending").then(|| ms(d.at)))
            .fetch_optional(&mut *c)
            .await?;
            let Some(row) = row else { return Ok(None) };
            let id = row.i64("id")?;
            let job = match &d.job {
                None => None,
                Some(j) => {
                    let job = NewJob::new(j.kind.clone(), serde_json::json!({ "delivery": id }), d.at)
                        .ordered_by(j.ordering_key.clone())
                        .deduped_by(format!("{}:{id}", j.kind))
                        .with_max_attempts(j.max_attempts);
                    insert_jobs(c, &[job], d.at).await?.first().copied()
                }
            };
            Ok(Some((id, job)))
        }

        pub(crate) async fn delivery(c: &mut Conn, id: i64) -> StoreResult<Option<DeliveryRecord>> {
            let sql = format!("SELECT {DELIVERY_COLUMNS} FROM channel_deliveries WHERE id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            row.as_ref().map(delivery_row).transpose()
        }

        pub(crate) async fn delivery_by_remote(
            c: &mut Conn,
            adapter: String,
            remote: String,
        ) -> StoreResult<Option<DeliveryRecord>> {
            let sql = format!(
                "SELECT {DELIVERY_COLUMNS} FROM channel_deliveries \
                 WHERE adapter = $1 AND remote_id = $2 ORDER BY id LIMIT 1"
            );
            let row = sqlx::query(&sql)
                .bind(adapter)
                .bind(remote)
                .fetch_optional(&mut *c)
                .await?;
            row.as_ref().map(delivery_row).transpose()
        }

        pub(crate) async fn deliveries(
            c: &mut Conn,
            ticket: TicketId,
        ) -> StoreResult<Vec<DeliveryRecord>> {
            let sql = format!(
                "SELECT {DELIVERY_COLUMNS} FROM channel_deliveries WHERE ticket_id = $1 ORDER BY id"
            );
            let rows = sqlx::query(&sql).bind(ticket.0).fetch_all(&mut *c).await?;
            rows.iter().map(delivery_row).collect()
        }

        pub(crate) async fn finish_delivery(
            c: &mut Conn,
            o: DeliveryOutcome,
        ) -> StoreResult<()> {
            let Some(d) = delivery(c, o.id).await? else {
                return Err(StoreError::NotFound);
            };
            if let Some((actor, kind)) = &o.event {
                ticket_for_update(c, d.ticket).await?;
                insert_event(c, d.ticket, actor, kind, o.at).await?;
            }
            let finished = (o.status != "pending").then(|| ms(o.at));
            sqlx::query(
                "UPDATE channel_deliveries SET status = $2, attempts = $3, last_error = $4, \
                 remote_id = COALESCE($5, remote_id), finished_at = $6 WHERE id = $1",
            )
            .bind(o.id)
            .bind(&o.status)
            .bind(i64::from(o.attempts))
            .bind(&o.error)
            .bind(&o.remote_id)
            .bind(finished)
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn notify_state(
            c: &mut Conn,
            ticket: TicketId,
        ) -> StoreResult<Option<NotifyState>> {
            let row = sqlx::query(
                "SELECT ticket_id, pending, version, sent_count, last_sent_at FROM channel_notify \
                 WHERE ticket_id = $1",
            )
            .bind(ticket.0)
            .fetch_optional(&mut *c)
            .await?;
            let Some(r) = row else { return Ok(None) };
            let pending: Vec<serde_json::Value> = serde_json::from_str(&r.text("pending")?)
                .map_err(|e| StoreError::Backend(format!("stored pending topics: {e}")))?;
            Ok(Some(NotifyState {
                ticket,
                pending,
                version: r.i64("version")?,
                sent_count: r.i64("sent_count")?,
                last_sent_at: r.opt_i64("last_sent_at")?.map(decode::ts).transpose()?,
            }))
        }

        pub(crate) async fn note_notification(
            c: &mut Conn,
            ticket: TicketId,
            topic: serde_json::Value,
            job_kind: String,
            interval: std::time::Duration,
            at: jiff::Timestamp,
        ) -> StoreResult<()> {
            // The ticket row lock serializes writers of one ticket's notifications.
            ticket_for_update(c, ticket).await?;
            let state = notify_state(c, ticket).await?;
            let (mut pending, sent, last) = match state {
                Some(s) => (s.pending, s.sent_count, s.last_sent_at),
                None => (Vec::new(), 0, None),
            };
            pending.push(topic);
            sqlx::query(
                "INSERT INTO channel_notify (ticket_id, pending, version) VALUES ($1, $2, 1) \
                 ON CONFLICT (ticket_id) DO UPDATE SET pending = $2, \
                 version = channel_notify.version + 1",
            )
            .bind(ticket.0)
            .bind(to_json(&pending)?)
            .execute(&mut *c)
            .await?;
            let gap = jiff::SignedDuration::try_from(interval).unwrap_or(jiff::SignedDuration::MAX);
            let run_at = last
                .and_then(|l| l.checked_add(gap).ok())
                .map_or(at, |next| next.max(at));
            let job = NewJob::new(job_kind.clone(), serde_json::json!({ "ticket": ticket.0 }), run_at)
                .deduped_by(format!("{job_kind}:{}:{sent}", ticket.0));
            insert_jobs(c, &[job], at).await?;
            Ok(())
        }

        pub(crate) async fn take_notification(
            c: &mut Conn,
            ticket: TicketId,
            version: i64,
            d: Option<NewDelivery>,
            at: jiff::Timestamp,
        ) -> StoreResult<bool> {
            ticket_for_update(c, ticket).await?;
            let taken = sqlx::query(
                "UPDATE channel_notify SET pending = '[]', version = version + 1, \
                 sent_count = sent_count + $3, last_sent_at = CASE WHEN $3 = 1 THEN $4 ELSE last_sent_at END \
                 WHERE ticket_id = $1 AND version = $2",
            )
            .bind(ticket.0)
            .bind(version)
            .bind(i64::from(d.is_some()))
            .bind(ms(at))
            .execute(&mut *c)
            .await?;
            if taken.rows_affected() != 1 {
                return Ok(false);
            }
            if let Some(d) = d {
                enqueue_delivery(c, d).await?;
            }
            Ok(true)
        }
    };
}

pub(crate) use channel_ops;
