//! The attachment steps, written once and expanded for each backend next to `ops.rs`.

macro_rules! attachment_ops {
    () => {
        const ATTACHMENT_COLUMNS: &str = "id, kind, content_type, size_bytes, name, storage_key, \
             uploader, ticket_id, duration_ms, transcript, created_at";

        fn u64_col(r: &impl decode::Get, col: &str) -> StoreResult<u64> {
            u64::try_from(r.i64(col)?)
                .map_err(|_| StoreError::Backend(format!("stored {col} is negative")))
        }

        fn attachment_row(r: &impl decode::Get) -> StoreResult<AttachmentRecord> {
            let kind = r.text("kind")?;
            Ok(AttachmentRecord {
                id: r.text("id")?,
                kind: kind.parse().map_err(|_| {
                    StoreError::Backend(format!("stored attachment kind {kind:?} is not valid"))
                })?,
                content_type: r.text("content_type")?,
                size_bytes: u64_col(r, "size_bytes")?,
                name: r.text("name")?,
                storage_key: r.text("storage_key")?,
                uploader: r.text("uploader")?,
                ticket: r.opt_i64("ticket_id")?.map(TicketId),
                duration_ms: match r.opt_i64("duration_ms")? {
                    Some(_) => Some(u64_col(r, "duration_ms")?),
                    None => None,
                },
                transcript: r.opt_text("transcript")?,
                created_at: decode::ts(r.i64("created_at")?)?,
            })
        }

        fn to_i64(v: u64, what: &str) -> StoreResult<i64> {
            i64::try_from(v).map_err(|_| StoreError::Backend(format!("{what} is too large")))
        }

        pub(crate) async fn save_attachment(c: &mut Conn, a: NewAttachment) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO attachments (id, kind, content_type, size_bytes, name, storage_key, \
                 uploader, ticket_id, duration_ms, transcript, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&a.id)
            .bind(a.kind.as_str())
            .bind(&a.content_type)
            .bind(to_i64(a.size_bytes, "size_bytes")?)
            .bind(&a.name)
            .bind(&a.storage_key)
            .bind(&a.uploader)
            .bind(a.ticket.map(|t| t.0))
            .bind(a.duration_ms.map(|d| to_i64(d, "duration_ms")).transpose()?)
            .bind(&a.transcript)
            .bind(ms(a.at))
            .execute(&mut *c)
            .await?;
            Ok(())
        }

        pub(crate) async fn attachment(
            c: &mut Conn,
            id: &str,
        ) -> StoreResult<Option<AttachmentRecord>> {
            let sql = format!("SELECT {ATTACHMENT_COLUMNS} FROM attachments WHERE id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            row.as_ref().map(attachment_row).transpose()
        }

        /// All or nothing: one file that is neither the uploader's and unbound nor already
        /// on the ticket fails the whole step with `NotFound`.
        pub(crate) async fn bind_attachments(
            c: &mut Conn,
            b: AttachmentBinding,
        ) -> StoreResult<Vec<AttachmentRecord>> {
            let mut out = Vec::with_capacity(b.ids.len());
            for id in &b.ids {
                sqlx::query(
                    "UPDATE attachments SET ticket_id = $1 \
                     WHERE id = $2 AND (ticket_id = $1 OR (ticket_id IS NULL AND uploader = $3))",
                )
                .bind(b.ticket.0)
                .bind(id)
                .bind(&b.uploader)
                .execute(&mut *c)
                .await?
                .rows_affected()
                .eq(&1)
                .then_some(())
                .ok_or(StoreError::NotFound)?;
                out.push(attachment(c, id).await?.ok_or(StoreError::NotFound)?);
            }
            Ok(out)
        }

        pub(crate) async fn stale_attachments(
            c: &mut Conn,
            before: jiff::Timestamp,
            limit: u32,
        ) -> StoreResult<Vec<AttachmentRecord>> {
            let sql = format!(
                "SELECT {ATTACHMENT_COLUMNS} FROM attachments \
                 WHERE ticket_id IS NULL AND created_at < $1 ORDER BY created_at LIMIT $2"
            );
            let rows = sqlx::query(&sql)
                .bind(ms(before))
                .bind(i64::from(limit))
                .fetch_all(&mut *c)
                .await?;
            rows.iter().map(attachment_row).collect()
        }

        /// Deletes the row only while it is still unbound (a message may have taken it).
        pub(crate) async fn forget_attachment(c: &mut Conn, id: &str) -> StoreResult<bool> {
            let done = sqlx::query("DELETE FROM attachments WHERE id = $1 AND ticket_id IS NULL")
                .bind(id)
                .execute(&mut *c)
                .await?;
            Ok(done.rows_affected() == 1)
        }
    };
}

pub(crate) use attachment_ops;
