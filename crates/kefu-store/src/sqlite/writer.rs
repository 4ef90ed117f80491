//! The single SQLite writer with group commit.

use crate::{StoreError, StoreResult};
use futures_util::future::BoxFuture;
use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

/// Called once the batch a job ran in has committed (or failed to).
type Finish = Box<dyn FnOnce(StoreResult<()>) + Send>;
/// A job runs its statements and reports whether they succeeded.
type Job =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Finish)> + Send>;

/// A handle to the writer task.
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    pub(crate) fn spawn(conn: SqliteConnection) -> Self {
        let (jobs, rx) = mpsc::channel(super::MAX_BATCH * 4);
        tokio::spawn(run(conn, rx));
        Self { jobs }
    }

    /// Runs `f` in the next batch and answers after that batch is durable.
    pub(crate) async fn run<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
    {
        let (tx, rx) = oneshot::channel::<StoreResult<T>>();
        let job: Job = Box::new(move |conn| {
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
        });
        self.jobs
            .send(job)
            .await
            .map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?;
        rx.await
            .map_err(|_| StoreError::Unavailable("the database writer has stopped".into()))?
    }
}

async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(super::MAX_BATCH);
    while rx.recv_many(&mut batch, super::MAX_BATCH).await > 0 {
        let outcome = run_batch(&mut conn, &mut batch).await;
        let (finishers, commit) = match outcome {
            Ok(finishers) => (finishers, Ok(())),
            Err((finishers, e)) => (finishers, Err(e)),
        };
        for finish in finishers {
            let commit = match &commit {
                Ok(()) => Ok(()),
                Err(e) => Err(StoreError::Unavailable(format!("commit failed: {e}"))),
            };
            finish(commit);
        }
    }
}

type BatchOutcome = Result<Vec<Finish>, (Vec<Finish>, StoreError)>;

async fn run_batch(conn: &mut SqliteConnection, batch: &mut Vec<Job>) -> BatchOutcome {
    let mut finishers = Vec::with_capacity(batch.len());
    // Each job runs in its own savepoint, so one failing job leaves the others in the batch.
    // Savepoint bookkeeping shares a round trip with its neighbours: every statement is a
    // hand-off to sqlx's SQLite thread, and those hand-offs are what intake pays for.
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE; SAVEPOINT job").await {
        let _ = exec(conn, "ROLLBACK").await;
        // Nothing ran; dropping the jobs tells each caller the writer could not take it.
        batch.clear();
        return Err((finishers, e));
    }
    let last = batch.len().saturating_sub(1);
    for (i, job) in batch.drain(..).enumerate() {
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

/// Boxed so the spawned writer future stays `Send` for every lifetime (sqlx's executor
/// futures otherwise trip the compiler's higher-ranked `Send` check).
fn exec<'a>(conn: &'a mut SqliteConnection, sql: &'static str) -> BoxFuture<'a, StoreResult<()>> {
    Box::pin(async move {
        sqlx::query(sql).execute(&mut *conn).await?;
        Ok(())
    })
}
