//! Supervision of background workers: each runs in its own task; a panic (or an
//! unexpected return) is logged and the worker restarted after a growing pause (100 ms
//! doubling to 30 s, back to the start after a minute of good running). Each worker's health
//! is on the [`HealthBoard`] (`/healthz` reads it through `Core::workers_healthy`).
//!
//! Stopping: [`Supervisor::shutdown`] raises the [`Stop`] signal every worker watches; each
//! finishes what it is doing and returns (the job runner finishes in-flight jobs and
//! releases its claims), bounded by [`STOP_GRACE`], after which it is aborted. Dropping the
//! supervisor without calling `shutdown` leaves the workers running until the runtime ends.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How long workers get to finish after the stop signal before they are aborted.
pub const STOP_GRACE: Duration = Duration::from_secs(30);
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const MAX_PAUSE: Duration = Duration::from_secs(30);
/// A worker that ran this long before failing starts its pauses over.
const STABLE_AFTER: Duration = Duration::from_secs(60);

/// The stop signal a worker watches.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// A signal that never fires (tests and one-shot runs).
    pub fn never() -> Self {
        // With its switch gone, the signal can never be raised (see `stopped`).
        Self(watch::channel(false).1)
    }

    /// A signal and the switch that raises it.
    pub fn new() -> (watch::Sender<bool>, Self) {
        let (sender, receiver) = watch::channel(false);
        (sender, Self(receiver))
    }

    pub fn is_stopped(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the stop signal is raised (never, if its switch is dropped unraised).
    pub async fn stopped(&mut self) {
        if self.0.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// A worker: given the stop signal, a future that runs until it is raised.
pub type WorkerFn = Arc<dyn Fn(Stop) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// One worker's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerHealth {
    pub name: &'static str,
    /// Running now (false while it waits to be restarted, and after it stopped).
    pub alive: bool,
    pub restarts: u32,
    /// What its last panic said.
    pub last_panic: Option<String>,
}

struct Slot {
    name: &'static str,
    alive: AtomicBool,
    restarts: AtomicU32,
    last_panic: Mutex<Option<String>>,
}

impl Slot {
    fn health(&self) -> WorkerHealth {
        WorkerHealth {
            name: self.name,
            alive: self.alive.load(Ordering::Relaxed),
            restarts: self.restarts.load(Ordering::Relaxed),
            last_panic: self.last_panic.lock().ok().and_then(|p| p.clone()),
        }
    }
}

/// Every supervised worker's health on this node.
#[derive(Default)]
pub struct HealthBoard {
    slots: Mutex<Vec<Arc<Slot>>>,
}

impl HealthBoard {
    fn add(&self, name: &'static str) -> Arc<Slot> {
        let slot = Arc::new(Slot {
            name,
            alive: AtomicBool::new(true),
            restarts: AtomicU32::new(0),
            last_panic: Mutex::new(None),
        });
        if let Ok(mut slots) = self.slots.lock() {
            slots.push(slot.clone());
        }
        slot
    }

    pub fn snapshot(&self) -> Vec<WorkerHealth> {
        self.slots
            .lock()
            .map(|s| s.iter().map(|slot| slot.health()).collect())
            .unwrap_or_default()
    }

    /// True when every worker is running.
    pub fn healthy(&self) -> bool {
        self.snapshot().iter().all(|w| w.alive)
    }
}

/// Runs workers, restarts them when they panic, and stops them.
pub struct Supervisor {
    stop: watch::Sender<bool>,
    signal: Stop,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    board: Arc<HealthBoard>,
}

impl Supervisor {
    /// A supervisor recording health on `board`.
    pub fn new(board: Arc<HealthBoard>) -> Self {
        let (stop, signal) = Stop::new();
        Self {
            stop,
            signal,
            tasks: Vec::new(),
            board,
        }
    }

    /// Starts `worker` under supervision.
    pub fn spawn(&mut self, name: &'static str, worker: WorkerFn) {
        let slot = self.board.add(name);
        let signal = self.signal.clone();
        self.tasks
            .push(tokio::spawn(supervise(slot, signal, worker)));
    }

    /// Every worker's health.
    pub fn health(&self) -> Vec<WorkerHealth> {
        self.board.snapshot()
    }

    /// Raises the stop signal and waits for every worker to finish (each bounded by
    /// [`STOP_GRACE`]).
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

async fn supervise(slot: Arc<Slot>, mut signal: Stop, worker: WorkerFn) {
    let mut pause = FIRST_PAUSE;
    loop {
        slot.alive.store(true, Ordering::Relaxed);
        let started = Instant::now();
        let mut task = tokio::spawn(worker(signal.clone()));
        let outcome = tokio::select! {
            done = &mut task => done,
            () = signal.stopped() => {
                match tokio::time::timeout(STOP_GRACE, &mut task).await {
                    Ok(_) => {}
                    Err(_) => {
                        tracing::warn!(worker = slot.name, "worker did not stop in time; aborted");
                        task.abort();
                    }
                }
                slot.alive.store(false, Ordering::Relaxed);
                return;
            }
        };
        slot.alive.store(false, Ordering::Relaxed);
        if signal.is_stopped() {
            return;
        }
        match outcome {
            Ok(()) => tracing::error!(
                worker = slot.name,
                "worker returned unexpectedly; restarting"
            ),
            Err(e) if e.is_panic() => {
                let message = panic_message(e.into_panic());
                tracing::error!(worker = slot.name, panic = %message, "worker panicked; restarting");
                if let Ok(mut last) = slot.last_panic.lock() {
                    *last = Some(message);
                }
            }
            Err(_) => tracing::error!(worker = slot.name, "worker was cancelled; restarting"),
        }
        slot.restarts.fetch_add(1, Ordering::Relaxed);
        if started.elapsed() >= STABLE_AFTER {
            pause = FIRST_PAUSE;
        }
        tokio::select! {
            () = tokio::time::sleep(pause) => {}
            () = signal.stopped() => return,
        }
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// The text of a panic payload (`&str` or `String`), else a placeholder.
pub fn panic_message(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[tokio::test]
    async fn a_panicking_worker_is_restarted_and_its_panic_reported() {
        let board = Arc::new(HealthBoard::default());
        let mut sup = Supervisor::new(board.clone());
        let runs = Arc::new(AtomicUsize::new(0));
        let counter = runs.clone();
        sup.spawn(
            "flaky",
            Arc::new(move |mut stop: Stop| {
                let counter = counter.clone();
                Box::pin(async move {
                    if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                        panic!("first run fails");
                    }
                    stop.stopped().await;
                })
            }),
        );
        for _ in 0..100 {
            if runs.load(Ordering::SeqCst) >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let health = sup.health();
        assert_eq!(health.len(), 1);
        assert_eq!(health[0].restarts, 1);
        assert_eq!(health[0].last_panic.as_deref(), Some("first run fails"));
        assert!(health[0].alive);
        assert!(board.healthy());
        sup.shutdown().await;
        assert!(!board.healthy(), "a stopped worker is not alive");
    }

    #[tokio::test]
    async fn shutdown_waits_for_workers_to_finish() {
        let mut sup = Supervisor::new(Arc::new(HealthBoard::default()));
        let finished = Arc::new(AtomicBool::new(false));
        let flag = finished.clone();
        sup.spawn(
            "polite",
            Arc::new(move |mut stop: Stop| {
                let flag = flag.clone();
                Box::pin(async move {
                    stop.stopped().await;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    flag.store(true, Ordering::SeqCst);
                })
            }),
        );
        sup.shutdown().await;
        assert!(finished.load(Ordering::SeqCst));
    }
}
