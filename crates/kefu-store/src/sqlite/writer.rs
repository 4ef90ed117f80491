//! The single SQLite writer with group commit.
//!
//! It takes every write waiting at that moment (up to [`super::MAX_BATCH`]) into one
//! transaction: new plain tickets first, in chunks of one round trip each
//! ([`super::intake_batch`]), then every other write in its own savepoint, so one failing
//! write leaves the others in the batch. It commits once and hands the callers' answers to
//! the [`Syncer`], which gives them once the batch is on disk (see `durable.rs`).

use super::durable::{Finish, Syncer};
use super::intake_batch::{self, PendingOpen};
use super::intake_extras;
use crate::{NewTicket, OpenedTicket, StoreError, StoreResult};
use futures_util::future::BoxFuture;
use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

/// A write that runs its own statements and reports whether they succeeded.
type Run =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Finish)> + Send>;

/// What the writer is asked to do.
enum Job {
    /// Any write, in its own savepoint.
    Run(Run),
    /// A new ticket that may be written together with others (boxed: a ticket is large and
    /// the channel holds jobs by value).
    Open(Box<PendingOpen>),
}

/// A handle to the writer task.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

fn stopped() -> StoreError {
    StoreError::Unavailable("the database writer has stopped".into())
}

/// Wraps a write so that its caller hears of it once the batch is committed.
fn run_job<T, F>(f: F, tx: oneshot::Sender<StoreResult<T>>) -> Run
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
{
    Box::new(move |conn| {
        Box::pin(async move {
            let result = f(conn).await;
            let ok = result.is_ok();
            let finish: Finish = Box::new(move |commit| {
                let answer = match (result, commit) {
                    (Ok(v), Ok(())) => Ok(v),
                    (Err(e), _) | (Ok(_), Err(e)) => Err(e),
                };
                // The caller may have gone away; the write stands either way.
                let _ = tx.send(answer);
            });
            (ok, finish)
        })
    })
}

/// A batched ticket that has to be written alone after all (its chunk failed).
fn open_alone(pending: PendingOpen) -> Run {
    let PendingOpen { new, reply } = pending;
    run_job(move |c| Box::pin(super::ops::open_ticket(c, new)), reply)
}

impl Writer {
    /// Starts the writer on a thread of its own: woken by sqlx's SQLite thread, it then runs
    /// at once instead of queueing behind the HTTP tasks of the shared runtime.
    pub(crate) fn spawn(
        conn: SqliteConnection,
        syncer: Syncer,
        wal: super::WalLength,
    ) -> StoreResult<Self> {
        let (jobs, rx) = mpsc::channel(super::MAX_BATCH * 4);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer: {e}")))?;
        std::thread::Builder::new()
            .name("kefu-sqlite-writer".into())
            .spawn(move || runtime.block_on(run(conn, rx, syncer, wal)))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the writer: {e}")))?;
        Ok(Self { jobs })
    }

    /// Runs `f` in the next batch and answers after that batch is durable.
    pub(crate) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
    {
        let (tx, rx) = oneshot::channel();
        self.jobs
            .send(Job::Run(run_job(f, tx)))
            .await
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// Opens a ticket in the next batch, written together with the other new tickets there
    /// unless its bot turn hands over ([`intake_extras::batchable`]); answers after that
    /// batch is durable.
    pub(crate) async fn open(&self, new: NewTicket) -> StoreResult<OpenedTicket> {
        if !intake_extras::batchable(&new) {
            return self
                .run(move |c| Box::pin(super::ops::open_ticket(c, new)))
                .await;
        }
        let (reply, rx) = oneshot::channel();
        self.jobs
            .send(Job::Open(Box::new(PendingOpen { new, reply })))
            .await
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }
}

async fn run(
    mut conn: SqliteConnection,
    mut rx: mpsc::Receiver<Job>,
    syncer: Syncer,
    wal: super::WalLength,
) {
    let mut batch = Vec::with_capacity(super::MAX_BATCH);
    while rx.recv_many(&mut batch, super::MAX_BATCH).await > 0 {
        if syncer.has_failed() {
            // Dropping the jobs would say "stopped"; say why instead.
            for job in batch.drain(..) {
                match job {
                    Job::Run(r) => drop(r),
                    Job::Open(o) => {
                        let _ = o.reply.send(Err(Syncer::failure()));
                    }
                }
            }
            continue;
        }
        let mut opens = Vec::new();
        let mut runs = Vec::new();
        for job in batch.drain(..) {
            match job {
                Job::Run(r) => runs.push(r),
                Job::Open(o) => opens.push(*o),
            }
        }
        match run_batch(&mut conn, opens, runs).await {
            Ok(finishers) => syncer.after_sync(finishers),
            Err((finishers, e)) => {
                for finish in finishers {
                    finish(Err(StoreError::Unavailable(format!("commit failed: {e}"))));
                }
            }
        }
        if wal.take_restart_due() {
            // See `RESTART_WAL_FRAMES`: copies what the background checkpoint has not, so
            // the next batch starts the WAL over.
            if let Err(e) = exec(&mut conn, "PRAGMA wal_checkpoint(PASSIVE)").await {
                tracing::warn!(error = %e, "WAL checkpoint by the writer failed; will retry");
            }
        }
    }
}

type BatchOutcome = Result<Vec<Finish>, (Vec<Finish>, StoreError)>;

async fn run_batch(
    conn: &mut SqliteConnection,
    mut opens: Vec<PendingOpen>,
    mut runs: Vec<Run>,
) -> BatchOutcome {
    let mut finishers: Vec<Finish> = Vec::with_capacity(opens.len() + runs.len());
    let mut in_transaction = false;
    if !opens.is_empty() {
        let extras = intake_extras::any(&opens);
        let then_commit = runs.is_empty();
        let written = match write_opens(conn, &opens, then_commit && !extras).await {
            Ok((written, _)) if extras => intake_extras::write(conn, &opens, &written, then_commit)
                .await
                .map(|()| (written, then_commit)),
            other => other,
        };
        match written {
            Ok((written, committed)) => {
                for (pending, row) in opens.drain(..).zip(written) {
                    let PendingOpen { new, reply } = pending;
                    let opened = row.opened(new);
                    finishers.push(Box::new(move |commit| {
                        let _ = reply.send(commit.and(opened));
                    }));
                }
                if committed {
                    return Ok(finishers);
                }
                in_transaction = true;
            }
            Err(e) => {
                tracing::debug!(error = %e, tickets = opens.len(), "batched intake failed; writing the batch one by one");
                // Whatever ran is undone (an error here only means nothing was open).
                let _ = exec(conn, "ROLLBACK").await;
                runs.extend(opens.drain(..).map(open_alone));
            }
        }
    }
    // Savepoint bookkeeping shares a round trip with its neighbours: every statement is a
    // hand-off to sqlx's SQLite thread.
    let first = if in_transaction {
        "SAVEPOINT job"
    } else {
        "BEGIN IMMEDIATE; SAVEPOINT job"
    };
    if let Err(e) = exec(conn, first).await {
        let _ = exec(conn, "ROLLBACK").await;
        // Nothing ran; dropping the jobs tells each caller the writer could not take it.
        return Err((finishers, e));
    }
    let last = runs.len().saturating_sub(1);
    for (i, job) in runs.into_iter().enumerate() {
        let (ok, finish) = job(conn).await;
        finishers.push(finish);
        let next = match (ok, i == last) {
            (true, false) => "RELEASE job; SAVEPOINT job",
            (false, false) => "ROLLBACK TO job; RELEASE job; SAVEPOINT job",
            (true, true) => "RELEASE job; COMMIT",
            (false, true) => "ROLLBACK TO job; RELEASE job; COMMIT",
        };
        if let Err(e) = exec(conn, next).await {
            let _ = exec(conn, "ROLLBACK").await;
            return Err((finishers, e));
        }
    }
    Ok(finishers)
}

/// Writes the batch's new tickets in chunks, the first opening the transaction and, when
/// `then_commit` (nothing else waits), the last committing it. Returns what was written
/// for each ticket, in order, and whether the transaction is committed.
async fn write_opens(
    conn: &mut SqliteConnection,
    opens: &[PendingOpen],
    then_commit: bool,
) -> StoreResult<(Vec<intake_batch::Written>, bool)> {
    let lengths = intake_batch::chunk_lengths(opens.len());
    let count = lengths.len();
    let mut written = Vec::with_capacity(opens.len());
    let mut start = 0;
    for (i, len) in lengths.into_iter().enumerate() {
        let bounds = intake_batch::Bounds {
            begin: i == 0,
            commit: then_commit && i + 1 == count,
        };
        let chunk = opens.get(start..start + len).unwrap_or_default();
        written.extend(intake_batch::write_chunk(conn, chunk, bounds).await?);
        start += len;
    }
    Ok((written, then_commit))
}

/// Boxed so the spawned writer future stays `Send` for every lifetime (sqlx's executor
/// futures otherwise trip the compiler's higher-ranked `Send` check).
fn exec<'a>(conn: &'a mut SqliteConnection, sql: &'static str) -> BoxFuture<'a, StoreResult<()>> {
    Box::pin(async move {
        sqlx::query(sql).execute(&mut *conn).await?;
        Ok(())
    })
}
