//! Making committed batches durable before anyone is answered.
//!
//! The writer connection commits with `synchronous=FULL` (SQLite fsyncs the WAL in the
//! commit). The batch's callers are not answered by the writer: their answers go to the
//! [`Syncer`], a thread that fdatasyncs the WAL file and only then answers every batch
//! committed before that fsync began. With `FULL` that second fsync finds little or nothing
//! to write; it stays because it is where a failed fsync stops the whole store. (With
//! `NORMAL` on the writer and this fsync alone, the fsync would be off the write lock; on
//! 2026-11-29's machine that was not faster, so the writer keeps `FULL`, as the ticket path
//! should.)
//!
//! If an fsync fails, what the kernel kept is unknown (it may have dropped the dirty pages),
//! so the store stops taking writes until restarted, as PostgreSQL does.

use crate::{StoreError, StoreResult};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;

/// Called with the outcome once a batch is durable (or cannot be).
pub(crate) type Finish = Box<dyn FnOnce(StoreResult<()>) + Send>;

/// Makes everything written so far durable.
pub(crate) trait SyncWrites: Send + 'static {
    fn sync(&mut self) -> std::io::Result<()>;
}

/// The WAL file of a database, fsynced with `fdatasync` (appended frames and the size).
pub(crate) struct WalFile {
    path: std::path::PathBuf,
    file: Option<std::fs::File>,
}

impl WalFile {
    pub(crate) fn new(database: &std::path::Path) -> Self {
        let mut path = database.as_os_str().to_owned();
        path.push("-wal");
        Self {
            path: path.into(),
            file: None,
        }
    }
}

impl SyncWrites for WalFile {
    fn sync(&mut self) -> std::io::Result<()> {
        let file = match self.file.take() {
            Some(f) => f,
            None => std::fs::File::open(&self.path)?,
        };
        file.sync_data()?;
        self.file = Some(file);
        Ok(())
    }
}

/// A handle to the syncing thread.
pub(crate) struct Syncer {
    batches: mpsc::Sender<Vec<Finish>>,
    failed: Arc<AtomicBool>,
}

fn sync_failed() -> StoreError {
    StoreError::Unavailable(
        "the database could not be made durable (fsync failed); restart kefu after checking the disk"
            .into(),
    )
}

impl Syncer {
    pub(crate) fn spawn(mut target: impl SyncWrites) -> StoreResult<Self> {
        let (batches, rx) = mpsc::channel::<Vec<Finish>>();
        let failed = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&failed);
        std::thread::Builder::new()
            .name("kefu-wal-sync".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    // Everything committed before this fsync starts is covered by it.
                    let mut waiting = vec![first];
                    waiting.extend(rx.try_iter());
                    let outcome = if flag.load(Ordering::Acquire) {
                        Err(sync_failed())
                    } else {
                        target.sync().map_err(|e| {
                            tracing::error!(error = %e, "fsync of the SQLite WAL failed; writes are refused until restart");
                            flag.store(true, Ordering::Release);
                            sync_failed()
                        })
                    };
                    for finish in waiting.into_iter().flatten() {
                        finish(outcome.as_ref().map_err(|_| sync_failed()).copied());
                    }
                }
            })
            .map_err(|e| StoreError::Unavailable(format!("cannot start the WAL syncer: {e}")))?;
        Ok(Self { batches, failed })
    }

    /// Answers the callers of a committed batch once it is durable.
    pub(crate) fn after_sync(&self, finishers: Vec<Finish>) {
        if let Err(mpsc::SendError(finishers)) = self.batches.send(finishers) {
            for finish in finishers {
                finish(Err(sync_failed()));
            }
        }
    }

    /// Whether an fsync has failed (the store then refuses writes).
    pub(crate) fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// The error writes get once an fsync has failed.
    pub(crate) fn failure() -> StoreError {
        sync_failed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    /// Syncs when the test says so, and fails when told to.
    struct Gate {
        go: mpsc::Receiver<bool>,
        synced: Arc<Mutex<u32>>,
    }

    impl SyncWrites for Gate {
        fn sync(&mut self) -> std::io::Result<()> {
            let ok = self.go.recv().unwrap_or(false);
            *self
                .synced
                .lock()
                .map_err(|_| std::io::Error::other("poisoned"))? += 1;
            if ok {
                Ok(())
            } else {
                Err(std::io::Error::other("disk gone"))
            }
        }
    }

    fn answer_slot() -> (Finish, mpsc::Receiver<StoreResult<()>>) {
        let (tx, rx) = mpsc::channel();
        (
            Box::new(move |r| {
                let _ = tx.send(r);
            }),
            rx,
        )
    }

    /// The answer, once it comes (a test that waits 5 s for it has failed anyway).
    fn answered(answer: &mpsc::Receiver<StoreResult<()>>) -> StoreResult<()> {
        answer.recv_timeout(Duration::from_secs(5)).unwrap()
    }

    fn gated() -> (Syncer, mpsc::Sender<bool>, Arc<Mutex<u32>>) {
        let (go, rx) = mpsc::channel();
        let synced = Arc::new(Mutex::new(0));
        let syncer = Syncer::spawn(Gate {
            go: rx,
            synced: Arc::clone(&synced),
        })
        .unwrap();
        (syncer, go, synced)
    }

    #[test]
    fn callers_hear_nothing_before_the_fsync_completes() {
        let (syncer, go, _) = gated();
        let (finish, answer) = answer_slot();
        syncer.after_sync(vec![finish]);
        assert!(answer.recv_timeout(Duration::from_millis(100)).is_err());
        go.send(true).unwrap();
        assert!(answered(&answer).is_ok());
    }

    #[test]
    fn batches_committed_during_an_fsync_wait_for_the_next_one() {
        let (syncer, go, synced) = gated();
        let (first, first_answer) = answer_slot();
        syncer.after_sync(vec![first]);
        std::thread::sleep(Duration::from_millis(50));
        // The syncer is now inside the first fsync; these commit during it.
        let (second, second_answer) = answer_slot();
        let (third, third_answer) = answer_slot();
        syncer.after_sync(vec![second]);
        syncer.after_sync(vec![third]);
        go.send(true).unwrap();
        assert!(answered(&first_answer).is_ok());
        assert!(
            second_answer
                .recv_timeout(Duration::from_millis(100))
                .is_err()
        );
        go.send(true).unwrap();
        assert!(answered(&second_answer).is_ok());
        assert!(answered(&third_answer).is_ok());
        assert_eq!(
            *synced.lock().unwrap(),
            2,
            "one fsync covers both later batches"
        );
    }

    #[test]
    fn a_failed_fsync_fails_its_batch_and_every_later_one() {
        let (syncer, go, synced) = gated();
        let (finish, answer) = answer_slot();
        syncer.after_sync(vec![finish]);
        go.send(false).unwrap();
        assert!(answered(&answer).is_err());
        assert!(syncer.has_failed());
        let (later, later_answer) = answer_slot();
        syncer.after_sync(vec![later]);
        assert!(answered(&later_answer).is_err());
        assert_eq!(
            *synced.lock().unwrap(),
            1,
            "no fsync is tried after a failure"
        );
    }
}
