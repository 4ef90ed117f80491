//! The [`crate::ChannelStore`] implementation, written once for both backends over the
//! steps of `channel_ops.rs` (expanded where `impl_store!` is, so `ops` resolves there).

macro_rules! impl_channel_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl crate::ChannelStore for $ty {
            async fn claim_inbound(&self, claim: InboundClaim) -> StoreResult<InboundClaimed> {
                self.write(move |c| Box::pin(ops::claim_inbound(c, claim)))
                    .await
            }
            async fn finish_inbound(
                &self,
                adapter: &str,
                external_id: &str,
                ticket: TicketId,
                message: Option<i64>,
                at: jiff::Timestamp,
            ) -> StoreResult<()> {
                let (a, e) = (adapter.to_owned(), external_id.to_owned());
                self.write(move |c| Box::pin(ops::finish_inbound(c, a, e, ticket, message, at)))
                    .await
            }
            async fn release_inbound(&self, adapter: &str, external_id: &str) -> StoreResult<()> {
                let (a, e) = (adapter.to_owned(), external_id.to_owned());
                self.write(move |c| Box::pin(ops::release_inbound(c, a, e)))
                    .await
            }
            async fn inbound(
                &self,
                adapter: &str,
                external_id: &str,
            ) -> StoreResult<Option<InboundRecord>> {
                let (a, e) = (adapter.to_owned(), external_id.to_owned());
                self.read(move |c| Box::pin(ops::inbound(c, a, e))).await
            }
            async fn thread_ticket(
                &self,
                adapter: &str,
                thread: &str,
            ) -> StoreResult<Option<TicketId>> {
                let (a, t) = (adapter.to_owned(), thread.to_owned());
                self.read(move |c| Box::pin(ops::thread_ticket(c, a, t)))
                    .await
            }
            async fn latest_inbound(&self, ticket: TicketId) -> StoreResult<Option<InboundRecord>> {
                self.read(move |c| Box::pin(ops::latest_inbound(c, ticket)))
                    .await
            }
            async fn keep_rejected(&self, rejected: RejectedPayload) -> StoreResult<i64> {
                self.write(move |c| Box::pin(ops::keep_rejected(c, rejected)))
                    .await
            }
            async fn rejected_payloads(
                &self,
                limit: u32,
                before: Option<i64>,
            ) -> StoreResult<Vec<RejectedRecord>> {
                self.read(move |c| Box::pin(ops::rejected_payloads(c, limit, before)))
                    .await
            }
            async fn enqueue_delivery(
                &self,
                new: NewDelivery,
            ) -> StoreResult<Option<(i64, Option<JobId>)>> {
                self.write(move |c| Box::pin(ops::enqueue_delivery(c, new)))
                    .await
            }
            async fn delivery(&self, id: i64) -> StoreResult<Option<DeliveryRecord>> {
                self.read(move |c| Box::pin(ops::delivery(c, id))).await
            }
            async fn delivery_by_remote(
                &self,
                adapter: &str,
                remote_id: &str,
            ) -> StoreResult<Option<DeliveryRecord>> {
                let (a, r) = (adapter.to_owned(), remote_id.to_owned());
                self.read(move |c| Box::pin(ops::delivery_by_remote(c, a, r)))
                    .await
            }
            async fn deliveries(&self, ticket: TicketId) -> StoreResult<Vec<DeliveryRecord>> {
                self.read(move |c| Box::pin(ops::deliveries(c, ticket)))
                    .await
            }
            async fn finish_delivery(&self, outcome: DeliveryOutcome) -> StoreResult<()> {
                self.write(move |c| Box::pin(ops::finish_delivery(c, outcome)))
                    .await
            }
            async fn note_notification(
                &self,
                ticket: TicketId,
                topic: serde_json::Value,
                job_kind: &str,
                interval: std::time::Duration,
                at: jiff::Timestamp,
            ) -> StoreResult<()> {
                let kind = job_kind.to_owned();
                self.write(move |c| {
                    Box::pin(ops::note_notification(c, ticket, topic, kind, interval, at))
                })
                .await
            }
            async fn notify_state(&self, ticket: TicketId) -> StoreResult<Option<NotifyState>> {
                self.read(move |c| Box::pin(ops::notify_state(c, ticket)))
                    .await
            }
            async fn take_notification(
                &self,
                ticket: TicketId,
                version: i64,
                delivery: Option<NewDelivery>,
                at: jiff::Timestamp,
            ) -> StoreResult<bool> {
                self.write(move |c| {
                    Box::pin(ops::take_notification(c, ticket, version, delivery, at))
                })
                .await
            }
        }
    };
}

pub(crate) use impl_channel_store;
