//! The durable jobs' steps (see `jobs.rs` for the states and rules), written once and
//! expanded for each backend next to `ops.rs`. `claim` is the row-locking clause of the
//! claim's pick: `FOR UPDATE SKIP LOCKED` on PostgreSQL (each node skips the rows another
//! is claiming), nothing on SQLite (the single writer claims).

macro_rules! jobs_ops {
    (claim = $claim:literal) => {
        const JOB_COLUMNS: &str = "id, kind, payload, ordering_key, dedupe_key, run_at, \
            attempts, max_attempts, leased_by, lease_until, last_error, dead_at, created_at";

        /// The longest `last_error` kept, in bytes.
        const MAX_JOB_ERROR: usize = 4000;

        fn job_ms(d: std::time::Duration) -> i64 {
            i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
        }

        fn job_error(error: &str) -> &str {
            if error.len() <= MAX_JOB_ERROR {
                return error;
            }
            let mut end = MAX_JOB_ERROR;
            while !error.is_char_boundary(end) {
                end -= 1;
            }
            &error[..end]
        }

        /// Writes `jobs` in the caller's transaction (the outbox: with a ticket change, they
        /// exist if and only if it commits). A job whose dedupe key is outstanding is not
        /// written again; its id is returned instead.
        pub(crate) async fn insert_jobs(
            c: &mut Conn,
            jobs: &[NewJob],
            at: jiff::Timestamp,
        ) -> StoreResult<Vec<JobId>> {
            let mut ids = Vec::with_capacity(jobs.len());
            for job in jobs {
                ids.push(insert_job(c, job, at).await?);
            }
            Ok(ids)
        }

        async fn insert_job(c: &mut Conn, job: &NewJob, at: jiff::Timestamp) -> StoreResult<JobId> {
            if job.kind.is_empty() {
                return Err(StoreError::Backend("a job needs a kind".into()));
            }
            let payload = to_json(&job.payload)?;
            let max_attempts = i32::try_from(job.max_attempts.max(1)).unwrap_or(i32::MAX);
            // Twice at most: the outstanding job may complete between the two statements.
            for _ in 0..2 {
                let row = sqlx::query(
                    "INSERT INTO jobs (kind, payload, ordering_key, dedupe_key, run_at, max_attempts, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     ON CONFLICT (dedupe_key) WHERE dedupe_key IS NOT NULL DO NOTHING RETURNING id",
                )
                .bind(&job.kind)
                .bind(&payload)
                .bind(&job.ordering_key)
                .bind(&job.dedupe_key)
                .bind(ms(job.run_at))
                .bind(max_attempts)
                .bind(ms(at))
                .fetch_optional(&mut *c)
                .await?;
                if let Some(row) = row {
                    return Ok(JobId(row.i64("id")?));
                }
                let existing = sqlx::query("SELECT id FROM jobs WHERE dedupe_key = $1")
                    .bind(&job.dedupe_key)
                    .fetch_optional(&mut *c)
                    .await?;
                if let Some(row) = existing {
                    return Ok(JobId(row.i64("id")?));
                }
            }
            Err(StoreError::Unavailable("the job's dedupe key is busy; try again".into()))
        }

        pub(crate) async fn claim_jobs(
            c: &mut Conn,
            node: String,
            kinds: Option<Vec<String>>,
            now: jiff::Timestamp,
            lease: std::time::Duration,
            limit: u32,
        ) -> StoreResult<Vec<Job>> {
            if limit == 0 || kinds.as_ref().is_some_and(|k| k.is_empty()) {
                return Ok(Vec::new());
            }
            let now = ms(now);
            // A job whose node died on its last attempt is dead, not claimed again.
            sqlx::query(
                "UPDATE jobs SET dead_at = $1, leased_by = NULL, lease_until = NULL, \
                   last_error = COALESCE(last_error, 'the lease of the last attempt expired') \
                 WHERE dead_at IS NULL AND run_at <= $1 AND lease_until <= $1 AND attempts >= max_attempts",
            )
            .bind(now)
            .execute(&mut *c)
            .await?;
            let mut q = sqlx::QueryBuilder::new("WITH picked AS MATERIALIZED (SELECT j.id FROM jobs j WHERE j.dead_at IS NULL AND j.run_at <= ");
            q.push_bind(now);
            q.push(" AND (j.lease_until IS NULL OR j.lease_until <= ").push_bind(now);
            q.push(") AND j.attempts < j.max_attempts");
            if let Some(kinds) = &kinds {
                q.push(" AND j.kind IN (");
                let mut sep = q.separated(", ");
                for k in kinds {
                    sep.push_bind(k.clone());
                }
                q.push(")");
            }
            // Only the first live job of an ordering key may run.
            q.push(
                " AND (j.ordering_key IS NULL OR NOT EXISTS (SELECT 1 FROM jobs p \
                 WHERE p.ordering_key = j.ordering_key AND p.id < j.id AND p.dead_at IS NULL)) \
                 ORDER BY j.run_at, j.id LIMIT ",
            );
            q.push_bind(i64::from(limit));
            q.push(concat!(" ", $claim, ") UPDATE jobs SET leased_by = "));
            q.push_bind(node);
            q.push(", lease_until = ").push_bind(now.saturating_add(job_ms(lease)));
            q.push(", attempts = attempts + 1 WHERE id IN (SELECT id FROM picked) RETURNING ");
            q.push(JOB_COLUMNS);
            let rows = q.build().fetch_all(&mut *c).await?;
            let mut jobs = rows.iter().map(|r| decode::job(r)).collect::<StoreResult<Vec<_>>>()?;
            jobs.sort_by_key(|j| (j.run_at, j.id));
            Ok(jobs)
        }

        pub(crate) async fn complete_job(c: &mut Conn, id: JobId, node: String) -> StoreResult<bool> {
            let done = sqlx::query("DELETE FROM jobs WHERE id = $1 AND leased_by = $2 AND dead_at IS NULL")
                .bind(id.0)
                .bind(node)
                .execute(&mut *c)
                .await?;
            Ok(done.rows_affected() > 0)
        }

        pub(crate) async fn fail_job(
            c: &mut Conn,
            id: JobId,
            node: String,
            error: String,
            now: jiff::Timestamp,
            retry_at: Option<jiff::Timestamp>,
        ) -> StoreResult<FailedJob> {
            let row = sqlx::query(
                "UPDATE jobs SET leased_by = NULL, lease_until = NULL, last_error = $3, \
                   dead_at = CASE WHEN $5 IS NULL OR attempts >= max_attempts THEN $4 ELSE NULL END, \
                   run_at = CASE WHEN $5 IS NULL OR attempts >= max_attempts THEN run_at ELSE $5 END \
                 WHERE id = $1 AND leased_by = $2 AND dead_at IS NULL RETURNING run_at, dead_at",
            )
            .bind(id.0)
            .bind(node)
            .bind(job_error(&error))
            .bind(ms(now))
            .bind(retry_at.map(ms))
            .fetch_optional(&mut *c)
            .await?;
            let Some(row) = row else {
                return Ok(FailedJob::LeaseLost);
            };
            Ok(match row.opt_i64("dead_at")? {
                Some(_) => FailedJob::Dead,
                None => FailedJob::Retrying { run_at: decode::ts(row.i64("run_at")?)? },
            })
        }

        pub(crate) async fn release_jobs(c: &mut Conn, node: String) -> StoreResult<u64> {
            let done = sqlx::query(
                "UPDATE jobs SET leased_by = NULL, lease_until = NULL, \
                   attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END \
                 WHERE leased_by = $1 AND dead_at IS NULL",
            )
            .bind(node)
            .execute(&mut *c)
            .await?;
            Ok(done.rows_affected())
        }

        pub(crate) async fn job(c: &mut Conn, id: JobId) -> StoreResult<Option<Job>> {
            let sql = format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = $1");
            let row = sqlx::query(&sql).bind(id.0).fetch_optional(&mut *c).await?;
            row.map(|r| decode::job(&r)).transpose()
        }

        pub(crate) async fn dead_jobs(c: &mut Conn, limit: u32) -> StoreResult<Vec<Job>> {
            let sql = format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE dead_at IS NOT NULL ORDER BY dead_at DESC, id DESC LIMIT $1"
            );
            let rows = sqlx::query(&sql).bind(i64::from(limit)).fetch_all(&mut *c).await?;
            rows.iter().map(|r| decode::job(r)).collect()
        }

        pub(crate) async fn retry_dead_job(c: &mut Conn, id: JobId, now: jiff::Timestamp) -> StoreResult<()> {
            let done = sqlx::query(
                "UPDATE jobs SET dead_at = NULL, attempts = 0, run_at = $2, leased_by = NULL, lease_until = NULL \
                 WHERE id = $1 AND dead_at IS NOT NULL",
            )
            .bind(id.0)
            .bind(ms(now))
            .execute(&mut *c)
            .await?;
            if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        }

        pub(crate) async fn discard_dead_job(c: &mut Conn, id: JobId) -> StoreResult<()> {
            let done = sqlx::query("DELETE FROM jobs WHERE id = $1 AND dead_at IS NOT NULL")
                .bind(id.0)
                .execute(&mut *c)
                .await?;
            if done.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
        }

        pub(crate) async fn job_counts(c: &mut Conn, now: jiff::Timestamp) -> StoreResult<JobCounts> {
            let row = sqlx::query(
                "SELECT \
                   COALESCE(SUM(CASE WHEN dead_at IS NULL AND (lease_until IS NULL OR lease_until <= $1) THEN 1 ELSE 0 END), 0) AS pending, \
                   COALESCE(SUM(CASE WHEN dead_at IS NULL AND (lease_until IS NULL OR lease_until <= $1) AND run_at <= $1 THEN 1 ELSE 0 END), 0) AS due, \
                   COALESCE(SUM(CASE WHEN dead_at IS NULL AND lease_until > $1 THEN 1 ELSE 0 END), 0) AS leased, \
                   COALESCE(SUM(CASE WHEN dead_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS dead \
                 FROM jobs",
            )
            .bind(ms(now))
            .fetch_one(&mut *c)
            .await?;
            let count = |col: &str| -> StoreResult<u64> {
                u64::try_from(row.i64(col)?).map_err(|e| StoreError::Backend(e.to_string()))
            };
            Ok(JobCounts { pending: count("pending")?, due: count("due")?, leased: count("leased")?, dead: count("dead")? })
        }
    };
}

pub(crate) use jobs_ops;
