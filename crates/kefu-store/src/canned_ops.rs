//! The canned-reply steps, written once and expanded for each backend next to `ops.rs`.
//! A title is unique per language (`Conflict::Duplicate("title")`).

macro_rules! canned_ops {
    () => {
        const CANNED_COLUMNS: &str = "id, lang, title, body, created_at, updated_at";

        fn canned_row(r: &impl decode::Get) -> StoreResult<CannedReply> {
            Ok(CannedReply {
                id: r.i64("id")?,
                lang: r.text("lang")?,
                title: r.text("title")?,
                body: r.text("body")?,
                created_at: decode::ts(r.i64("created_at")?)?,
                updated_at: decode::ts(r.i64("updated_at")?)?,
            })
        }

        fn duplicate_title(e: sqlx::Error) -> StoreError {
            match StoreError::from(e) {
                StoreError::Conflict(Conflict::Duplicate(_)) => {
                    StoreError::Conflict(Conflict::Duplicate("title"))
                }
                other => other,
            }
        }

        pub(crate) async fn canned_replies(c: &mut Conn) -> StoreResult<Vec<CannedReply>> {
            let sql =
                format!("SELECT {CANNED_COLUMNS} FROM canned_replies ORDER BY lang, title, id");
            let rows = sqlx::query(&sql).fetch_all(&mut *c).await?;
            rows.iter().map(canned_row).collect()
        }

        pub(crate) async fn canned_reply(c: &mut Conn, id: i64) -> StoreResult<CannedReply> {
            let sql = format!("SELECT {CANNED_COLUMNS} FROM canned_replies WHERE id = $1");
            let row = sqlx::query(&sql).bind(id).fetch_optional(&mut *c).await?;
            canned_row(&row.ok_or(StoreError::NotFound)?)
        }

        pub(crate) async fn create_canned_reply(
            c: &mut Conn,
            new: NewCannedReply,
        ) -> StoreResult<CannedReply> {
            let sql = format!(
                "INSERT INTO canned_replies (lang, title, body, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $4) RETURNING {CANNED_COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(&new.lang)
                .bind(&new.title)
                .bind(&new.body)
                .bind(ms(new.at))
                .fetch_one(&mut *c)
                .await
                .map_err(duplicate_title)?;
            canned_row(&row)
        }

        pub(crate) async fn update_canned_reply(
            c: &mut Conn,
            id: i64,
            patch: CannedReplyPatch,
        ) -> StoreResult<CannedReply> {
            let old = canned_reply(c, id).await?;
            let at = patch.at.unwrap_or(old.updated_at);
            let sql = format!(
                "UPDATE canned_replies SET lang = $1, title = $2, body = $3, updated_at = $4 \
                 WHERE id = $5 RETURNING {CANNED_COLUMNS}"
            );
            let row = sqlx::query(&sql)
                .bind(patch.lang.unwrap_or(old.lang))
                .bind(patch.title.unwrap_or(old.title))
                .bind(patch.body.unwrap_or(old.body))
                .bind(ms(at))
                .bind(id)
                .fetch_one(&mut *c)
                .await
                .map_err(duplicate_title)?;
            canned_row(&row)
        }

        pub(crate) async fn delete_canned_reply(c: &mut Conn, id: i64) -> StoreResult<()> {
            let done = sqlx::query("DELETE FROM canned_replies WHERE id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
            Ok(())
        }
    };
}

pub(crate) use canned_ops;
