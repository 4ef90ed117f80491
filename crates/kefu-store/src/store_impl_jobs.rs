//! The [`crate::Store`] methods for the transactional outbox (a ticket step with its jobs),
//! the job queue and the event log, written once for both backends. A trait has one `impl`
//! per type and `#[async_trait]` must see every method, so [`crate::store_impl::impl_store`]
//! hands its methods to this macro, which writes the one `impl` with both sets; names
//! resolve where `impl_store!` expands.

/// Implements [`crate::Store`] for `$ty` with the methods given plus the outbox, job and
/// event methods (see the module header).
macro_rules! impl_store_with_jobs {
    ($ty:ty, { $($methods:tt)* }) => {
        #[async_trait::async_trait]
        impl crate::Store for $ty {
            $($methods)*
            async fn change_status_with_jobs(
                &self,
                change: StatusChange,
                jobs: Vec<NewJob>,
            ) -> StoreResult<Ticket> {
                crate::store_impl::with_jobs!(self, ops::change_status, change, jobs)
            }
            async fn add_message_with_jobs(
                &self,
                new: NewMessage,
                jobs: Vec<NewJob>,
            ) -> StoreResult<Message> {
                crate::store_impl::with_jobs!(self, ops::add_message, new, jobs)
            }
            async fn assign_ticket_with_jobs(
                &self,
                a: Assignment,
                jobs: Vec<NewJob>,
            ) -> StoreResult<Ticket> {
                crate::store_impl::with_jobs!(self, ops::assign_ticket, a, jobs)
            }
            async fn assign_if_room_with_jobs(
                &self,
                a: RoutedAssignment,
                jobs: Vec<NewJob>,
            ) -> StoreResult<Option<Ticket>> {
                let at = a.at;
                self.write(move |c| {
                    Box::pin(async move {
                        let assigned = ops::assign_if_room(c, a).await?;
                        if assigned.is_some() {
                            ops::insert_jobs(c, &jobs, at).await?;
                        }
                        Ok(assigned)
                    })
                })
                .await
            }
            async fn escalate_ticket_with_jobs(
                &self,
                e: Escalation,
                jobs: Vec<NewJob>,
            ) -> StoreResult<Ticket> {
                crate::store_impl::with_jobs!(self, ops::escalate_ticket, e, jobs)
            }
            async fn send_back_with_jobs(&self, s: SendBack, jobs: Vec<NewJob>) -> StoreResult<Ticket> {
                crate::store_impl::with_jobs!(self, ops::send_back, s, jobs)
            }
            async fn transfer_ticket_with_jobs(
                &self,
                t: Transfer,
                jobs: Vec<NewJob>,
            ) -> StoreResult<Ticket> {
                crate::store_impl::with_jobs!(self, ops::transfer_ticket, t, jobs)
            }
            async fn record_bot_exchange_with_jobs(
                &self,
                x: BotExchange,
                jobs: Vec<NewJob>,
            ) -> StoreResult<Vec<Message>> {
                crate::store_impl::with_jobs!(self, ops::record_bot_exchange, x, jobs)
            }
            async fn enqueue_job(&self, job: NewJob, at: jiff::Timestamp) -> StoreResult<JobId> {
                self.write(move |c| {
                    Box::pin(async move {
                        let ids = ops::insert_jobs(c, std::slice::from_ref(&job), at).await?;
                        ids.first()
                            .copied()
                            .ok_or(StoreError::Backend("no job written".into()))
                    })
                })
                .await
            }
            async fn claim_jobs(
                &self,
                node: &str,
                kinds: Option<&[&str]>,
                now: jiff::Timestamp,
                lease: std::time::Duration,
                limit: u32,
            ) -> StoreResult<Vec<Job>> {
                let node = node.to_owned();
                let kinds = kinds.map(|k| k.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
                self.write(move |c| Box::pin(ops::claim_jobs(c, node, kinds, now, lease, limit)))
                    .await
            }
            async fn complete_job(&self, id: JobId, node: &str) -> StoreResult<bool> {
                let node = node.to_owned();
                self.write(move |c| Box::pin(ops::complete_job(c, id, node)))
                    .await
            }
            async fn fail_job(
                &self,
                id: JobId,
                node: &str,
                error: &str,
                now: jiff::Timestamp,
                retry_at: Option<jiff::Timestamp>,
            ) -> StoreResult<FailedJob> {
                let (node, error) = (node.to_owned(), error.to_owned());
                self.write(move |c| Box::pin(ops::fail_job(c, id, node, error, now, retry_at)))
                    .await
            }
            async fn release_jobs(&self, node: &str) -> StoreResult<u64> {
                let node = node.to_owned();
                self.write(move |c| Box::pin(ops::release_jobs(c, node)))
                    .await
            }
            async fn job(&self, id: JobId) -> StoreResult<Option<Job>> {
                self.read(move |c| Box::pin(ops::job(c, id))).await
            }
            async fn dead_jobs(&self, limit: u32) -> StoreResult<Vec<Job>> {
                self.read(move |c| Box::pin(ops::dead_jobs(c, limit))).await
            }
            async fn retry_dead_job(&self, id: JobId, now: jiff::Timestamp) -> StoreResult<()> {
                self.write(move |c| Box::pin(ops::retry_dead_job(c, id, now)))
                    .await
            }
            async fn discard_dead_job(&self, id: JobId) -> StoreResult<()> {
                self.write(move |c| Box::pin(ops::discard_dead_job(c, id)))
                    .await
            }
            async fn job_counts(&self, now: jiff::Timestamp) -> StoreResult<JobCounts> {
                self.read(move |c| Box::pin(ops::job_counts(c, now))).await
            }
            async fn events_after(
                &self,
                ticket: TicketId,
                after_seq: i64,
            ) -> StoreResult<Vec<TicketEvent>> {
                self.read(move |c| Box::pin(ops::events_after(c, ticket, after_seq)))
                    .await
            }
            async fn events_since(
                &self,
                after_event_id: i64,
                limit: u32,
            ) -> StoreResult<Vec<TicketEvent>> {
                self.read(move |c| Box::pin(ops::events_since(c, after_event_id, limit)))
                    .await
            }
            async fn last_event_id(&self) -> StoreResult<i64> {
                self.read(|c| Box::pin(ops::last_event_id(c))).await
            }
            fn event_notices(&self) -> Option<tokio::sync::broadcast::Receiver<EventNotice>> {
                self.subscribe_notices()
            }
        }
    };
}

pub(crate) use impl_store_with_jobs;
