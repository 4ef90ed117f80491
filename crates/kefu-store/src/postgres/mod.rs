//! The PostgreSQL backend: all state in one server, many stateless kefu nodes.
//! Each write is one transaction on a pooled connection; rows it changes are locked with
//! `FOR UPDATE` so two nodes never apply conflicting changes to one ticket.

use crate::StoreResult;
pub(crate) mod fast;
mod intake_batch;
mod listen;
mod notify;

use crate::migrate::{Dialect, migrator};
use crate::store_impl::impl_store;
use futures_util::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

pub(crate) mod ops {
    pub(crate) type Conn = sqlx::PgConnection;
    crate::ops::backend_ops!(
        lock = "FOR UPDATE",
        open_rows = crate::postgres::fast::open_rows
    );
    crate::routing_ops::routing_ops!(lock = "FOR UPDATE", claim = "FOR UPDATE SKIP LOCKED");
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
    crate::event_ops::event_ops!(on_event = crate::postgres::notify::written);
    crate::jobs_ops::jobs_ops!(claim = "FOR UPDATE SKIP LOCKED");
    crate::report_ops::report_ops!(lock = "FOR UPDATE");
}

/// A PostgreSQL-backed store.
pub(crate) struct PgStore {
    pool: PgPool,
    intake: intake_batch::IntakeBatcher,
    notices: listen::Notices,
    notifier: notify::Notifier,
}

impl PgStore {
    pub(crate) async fn open(url: &str) -> StoreResult<Self> {
        let options = PgConnectOptions::from_str(url)?.application_name("kefu");
        let pool = PgPoolOptions::new()
            .max_connections(32)
            .min_connections(2)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.clone())
            .await?;
        // The migrator takes an advisory lock, so nodes starting together migrate once.
        migrator(Dialect::Postgres).run(&pool).await?;
        let notifier = notify::Notifier::start(options.clone());
        let intake = intake_batch::IntakeBatcher::start(pool.clone(), notifier.clone());
        let notices = listen::Notices::start(options).await?;
        Ok(Self {
            pool,
            intake,
            notices,
            notifier,
        })
    }

    async fn read<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let mut conn = self.pool.acquire().await?;
        f(&mut conn).await
    }

    async fn write_new_ticket(&self, new: crate::NewTicket) -> StoreResult<crate::OpenedTicket> {
        if new.needs_single_path() {
            return self
                .write(move |c| Box::pin(ops::open_ticket(c, new)))
                .await;
        }
        self.intake.open(new).await
    }

    async fn write<T, F>(&self, f: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, StoreResult<T>> + Send + 'static,
    {
        let mut tx = self.pool.begin().await?;
        let (result, written) = notify::collecting(f(&mut tx)).await;
        match result {
            Ok(v) => {
                tx.commit().await?;
                self.notifier.committed(written);
                Ok(v)
            }
            Err(e) => {
                // Dropping the transaction rolls it back.
                drop(tx);
                Err(e)
            }
        }
    }
}

impl PgStore {
    fn subscribe_notices(&self) -> Option<tokio::sync::broadcast::Receiver<crate::EventNotice>> {
        Some(self.notices.subscribe())
    }
}

use crate::*;
use kefu_domain::*;
crate::store_impl_policies::impl_policy_store!(PgStore);
impl_store!(PgStore, "postgres");
crate::channel_store::impl_channel_store!(PgStore);
