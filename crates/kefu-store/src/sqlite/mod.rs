//! The SQLite backend: one embedded file in WAL mode.
//!
//! Writes go through one writer task that group-commits: it takes every write waiting at
//! that moment (up to [`MAX_BATCH`]) into one transaction — new tickets written together in
//! a few round trips, every other write in its own savepoint — commits once with
//! `synchronous=FULL` (an fsync), and only then answers each caller, through a syncer
//! thread that fdatasyncs the WAL once more and stops the store if an fsync ever fails
//! (see `durable.rs`). So a write is durable before it is acknowledged, yet a burst of
//! writes shares one fsync.
//! Checkpoints run on their own connection in the background, off the commit path.

mod durable;
pub(crate) mod fast;
pub(crate) mod files;
mod intake_batch;
mod intake_extras;
mod serials;
mod writer;

use crate::migrate::{Dialect, migrator};
use crate::store_impl::impl_store;
use crate::{StoreError, StoreResult};
use futures_util::future::BoxFuture;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

pub(crate) mod ops {
    pub(crate) type Conn = sqlx::SqliteConnection;
    crate::ops::backend_ops!(lock = "", open_rows = crate::sqlite::fast::open_rows);
    crate::routing_ops::routing_ops!(lock = "", claim = "");
    crate::kb_ops::kb_ops!();
    crate::learning_ops::learning_ops!();
    crate::audit_ops::audit_ops!();
    crate::canned_ops::canned_ops!();
    crate::attachment_ops::attachment_ops!();
    crate::survey_ops::survey_ops!();
    crate::policy_ops::policy_ops!();
    crate::dashboard_ops::dashboard_ops!();
    crate::channel_ops::channel_ops!();
    crate::message_ops::message_ops!();
    crate::event_ops::event_ops!(on_event = crate::event_ops::no_notice);
    crate::jobs_ops::jobs_ops!(claim = "");
    crate::report_ops::report_ops!(lock = "");
}

/// The largest number of writes committed together.
pub(crate) const MAX_BATCH: usize = 512;

/// A SQLite-backed store.
pub(crate) struct SqliteStore {
    readers: SqlitePool,
    writer: writer::Writer,
}

/// The database file a `--database` value names: `sqlite://FILE`, `sqlite:FILE`, a file
/// path ending in `.db`/`.sqlite`/`.sqlite3`, or a directory (the file is `kefu.db` inside).
pub fn database_file(url: &str) -> PathBuf {
    let path = Path::new(without_scheme(url));
    let is_file = path
        .extension()
        .is_some_and(|e| e == "db" || e == "sqlite" || e == "sqlite3");
    if is_file {
        path.to_path_buf()
    } else {
        path.join("kefu.db")
    }
}

fn without_scheme(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

impl SqliteStore {
    pub(crate) async fn open(url: &str) -> StoreResult<Self> {
        let file = database_file(url);
        // A value naming a directory names kefu's data directory; a file's parent may be
        // shared (`/tmp/x.db`).
        let names_directory = file != Path::new(without_scheme(url));
        let data_dir = file.parent().filter(|_| names_directory);
        files::secure(&file, data_dir).map_err(|e| {
            StoreError::Unavailable(format!("cannot prepare {}: {e}", file.display()))
        })?;
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", file.display()))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Savepoint sub-journals stay in memory: on disk they were a third of the
            // writer's time (every page a job touches is copied there first).
            .pragma("temp_store", "MEMORY")
            .statement_cache_capacity(256);

        let mut writer_conn = options
            .clone()
            // Each commit fsyncs the WAL (as every connection here does); the syncer then
            // checks that before any caller is answered (durable.rs). `NORMAL` plus the
            // syncer's fsync alone measured no faster on 2026-11-29, so the ticket path
            // keeps SQLite's own durable commit.
            .synchronous(SqliteSynchronous::Full)
            // Checkpoints are the background task's job, not the committing writer's.
            .pragma("wal_autocheckpoint", "0")
            // A restarted WAL is cut back to this size.
            .pragma("journal_size_limit", "67108864")
            // Intake touches index pages all over (numbers, customers): keep more of them.
            .pragma("cache_size", "-65536")
            .connect()
            .await?;
        migrator(Dialect::Sqlite).run(&mut writer_conn).await?;
        sqlx::query(intake_batch::CREATE_STAGING)
            .execute(&mut writer_conn)
            .await?;

        let readers = SqlitePoolOptions::new()
            .max_connections(8)
            .min_connections(1)
            .connect_with(options.clone())
            .await?;
        let checkpointer = options.connect().await?;
        let wal_length = WalLength::default();
        tokio::spawn(checkpoint_loop(checkpointer, wal_length.clone()));
        let mut wal = durable::WalFile::new(&file);
        // The WAL and its directory entry are durable before the first answer.
        durable::SyncWrites::sync(&mut wal)
            .and_then(|()| sync_directory(&file))
            .map_err(|e| {
                StoreError::Unavailable(format!("cannot fsync {}: {e}", file.display()))
            })?;
        Ok(Self {
            readers,
            writer: writer::Writer::spawn(writer_conn, durable::Syncer::spawn(wal)?, wal_length)?,
        })
    }

    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
    {
        let mut conn = self.readers.acquire().await?;
        f(&mut conn).await
    }

    async fn write_new_ticket(&self, new: crate::NewTicket) -> StoreResult<crate::OpenedTicket> {
        self.writer.open(new).await
    }

    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, StoreResult<T>>
            + Send
            + 'static,
    {
        self.writer.run(f).await
    }

    /// One node writes: its events are fanned out in process, by the service layer.
    fn subscribe_notices(&self) -> Option<tokio::sync::broadcast::Receiver<crate::EventNotice>> {
        None
    }
}

/// Fsyncs the directory holding `file`, so a newly created file's name is durable too.
fn sync_directory(file: &Path) -> std::io::Result<()> {
    match file.parent().filter(|d| !d.as_os_str().is_empty()) {
        Some(dir) => std::fs::File::open(dir)?.sync_all(),
        None => std::fs::File::open(".")?.sync_all(),
    }
}

/// Copies the WAL back into the database file now and then, off the commit path, and tells
/// the writer how long the WAL has grown (see [`WalLength`]).
async fn checkpoint_loop(mut conn: SqliteConnection, wal: WalLength) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    loop {
        tick.tick().await;
        match sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&mut conn)
            .await
        {
            Ok((_busy, frames, _copied)) => wal.set(frames),
            Err(e) => {
                tracing::warn!(error = %e, "WAL checkpoint failed; will retry");
                if conn.ping().await.is_err() {
                    return;
                }
            }
        }
    }
}

/// How often the background checkpoint runs.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// The WAL length (in frames) at which the writer restarts the WAL itself.
///
/// Under steady writes a checkpoint on another connection never catches up with the writer,
/// and SQLite only starts the WAL over once everything in it is copied: it grew by gigabytes
/// in a minute of intake, and every page lookup slowed with it. So once the WAL passes this
/// length the writer checkpoints between two batches — by then the background checkpoint
/// has copied all but its last fraction of a second, so this one is short — and the next
/// batch writes from the start of the WAL again.
const RESTART_WAL_FRAMES: i64 = 16_384;

/// The WAL length last seen by the background checkpoint, shared with the writer.
#[derive(Clone, Default)]
pub(crate) struct WalLength(std::sync::Arc<std::sync::atomic::AtomicI64>);

impl WalLength {
    fn set(&self, frames: i64) {
        self.0.store(frames, std::sync::atomic::Ordering::Relaxed);
    }

    /// True once (until the next report) when the WAL is long enough to restart.
    pub(crate) fn take_restart_due(&self) -> bool {
        self.0
            .fetch_update(
                std::sync::atomic::Ordering::Relaxed,
                std::sync::atomic::Ordering::Relaxed,
                |f| (f >= RESTART_WAL_FRAMES).then_some(0),
            )
            .is_ok()
    }
}

use crate::*;
use kefu_domain::*;
crate::store_impl_policies::impl_policy_store!(SqliteStore);
impl_store!(SqliteStore, "sqlite");
crate::channel_store::impl_channel_store!(SqliteStore);

#[cfg(test)]
mod tests {
    use super::{RESTART_WAL_FRAMES, WalLength, database_file};
    use std::path::PathBuf;

    #[test]
    fn the_writer_restarts_a_long_wal_once_per_report() {
        let wal = WalLength::default();
        wal.set(RESTART_WAL_FRAMES - 1);
        assert!(!wal.take_restart_due());
        wal.set(RESTART_WAL_FRAMES);
        assert!(wal.take_restart_due());
        assert!(!wal.take_restart_due(), "taken until the next report");
        wal.set(RESTART_WAL_FRAMES * 3);
        assert!(wal.take_restart_due());
    }

    #[test]
    fn database_values_name_a_file_or_a_directory() {
        assert_eq!(
            database_file("./kefu-data"),
            PathBuf::from("./kefu-data/kefu.db")
        );
        assert_eq!(database_file("sqlite://x/y.db"), PathBuf::from("x/y.db"));
        assert_eq!(database_file("sqlite:z.sqlite"), PathBuf::from("z.sqlite"));
        assert_eq!(
            database_file("/var/lib/kefu/"),
            PathBuf::from("/var/lib/kefu/kefu.db")
        );
    }
}
