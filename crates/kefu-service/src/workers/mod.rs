//! Background workers every node runs, each supervised ([`supervisor`]): the SLA timer
//! worker, the shift worker, the bot index refresher, the live event tailer, the sweeper of
//! unused uploads, the job runner and, with `[email]` on, the mailbox poller. They
//! coordinate only through the database, so any number of nodes may run them at once.

pub mod rollups;
pub mod shifts;
pub mod sla;
pub mod supervisor;
pub mod tailer;

pub use supervisor::{
    HealthBoard, STOP_GRACE, Stop, Supervisor, WorkerFn, WorkerHealth, panic_message,
};

use crate::core::Core;
use crate::jobs::{RunnerConfig, kinds};
use std::sync::Arc;

type WorkerFuture = std::pin::Pin<Box<dyn Future<Output = ()> + Send>>;

/// Starts every worker of this node under one supervisor (health on `core.workers`, read
/// by [`Core::workers_healthy`]). Call [`Supervisor::shutdown`] on SIGTERM, after the
/// server stopped accepting work: workers finish what they are doing and the job runner
/// releases its claims. Dropping the supervisor instead leaves the workers running until
/// the runtime ends.
pub fn spawn(core: Arc<Core>) -> Supervisor {
    let mut sup = Supervisor::new(core.workers.clone());
    let worker = |f: fn(Arc<Core>, Stop) -> WorkerFuture| {
        let core = core.clone();
        let w: WorkerFn = Arc::new(move |stop| f(core.clone(), stop));
        w
    };
    sup.spawn("sla_timers", worker(|c, s| Box::pin(sla::run(c, s))));
    sup.spawn("shifts", worker(|c, s| Box::pin(shifts::run(c, s))));
    sup.spawn(
        "bot_refresher",
        worker(|c, s| Box::pin(crate::bot::refresher(c, s))),
    );
    sup.spawn("event_tailer", worker(|c, s| Box::pin(tailer::run(c, s))));
    sup.spawn(
        "attachment_sweeper",
        worker(|c, s| Box::pin(crate::attachments::sweep::run(c, s))),
    );
    if core.settings.email.is_some() {
        sup.spawn(
            "email_poller",
            worker(|c, s| Box::pin(crate::email::poller::run(c, s))),
        );
    }
    sup.spawn(
        "channel_follower",
        worker(|c, s| Box::pin(crate::channels::follower::run(c, s))),
    );
    let registry = Arc::new(kinds::registry());
    let runner_core = core.clone();
    sup.spawn(
        "job_runner",
        Arc::new(move |stop| {
            Box::pin(crate::jobs::runner::run(
                runner_core.clone(),
                registry.clone(),
                RunnerConfig::default(),
                stop,
            ))
        }),
    );
    sup.spawn(
        "report_rollups",
        worker(|c, s| Box::pin(rollups::run(c, s))),
    );
    sup
}
