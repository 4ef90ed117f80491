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
    if let Err(e) = exec(conn, "BEGIN IMMEDIATE").await {
        // Nothing ran: every job is told so.
        for job in batch.drain(..) {
            let (_, finish) = job(conn).await;
            finishers.push(finish);
        }
        let _ = exec(conn, "ROLLBACK").await;
        return Err((finishers, e));
    }
    for job in batch.drain(..) {
        // Each job in its own savepoint, so one failing job leaves the others in the batch.
        if let Err(e) = exec(conn, "SAVEPOINT job").await {
            let _ = exec(conn, "ROLLBACK").await;
            return Err((finishers, e));
        }
        let (ok, finish) = job(conn).await;
        finishers.push(finish);
        let undo = if ok {
            Ok(())
        } else {
            exec(conn, "ROLLBACK TO job").await
        };
        if let Err(e) = match undo {
            Ok(()) => exec(conn, "RELEASE job").await,
            Err(e) => Err(e),
        } {
            let _ = exec(conn, "ROLLBACK").await;
            return Err((finishers, e));
        }
    }
    match exec(conn, "COMMIT").await {
        Ok(()) => Ok(finishers),
        Err(e) => {
            let _ = exec(conn, "ROLLBACK").await;
            Err((finishers, e))
        }
    }
}

/// Boxed so the spawned writer future stays `Send` for every lifetime (sqlx's executor
/// futures otherwise trip the compiler's higher-ranked `Send` check).
fn exec<'a>(conn: &'a mut SqliteConnection, sql: &'static str) -> BoxFuture<'a, StoreResult<()>> {
    Box::pin(async move {
        sqlx::query(sql).execute(&mut *conn).await?;
        Ok(())
    })
}
