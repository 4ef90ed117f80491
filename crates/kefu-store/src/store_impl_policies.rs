//! The [`crate::PolicyStore`] implementation (policy updates and the dashboard's counts),
//! written once for both backends like `store_impl.rs`; names resolve where it expands.

/// Implements [`crate::PolicyStore`] for a backend type with `read` and `write`.
macro_rules! impl_policy_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl crate::PolicyStore for $ty {
            async fn publish_policy(
                &self,
                new: NewPolicy,
                audit: AuditOf<PolicyUpdate>,
            ) -> StoreResult<PolicyUpdate> {
                self.write(move |c| Box::pin(ops::publish_policy(c, new, audit)))
                    .await
            }
            async fn policy_updates(&self, limit: u32) -> StoreResult<Vec<PolicyUpdate>> {
                self.read(move |c| Box::pin(ops::policy_updates(c, limit)))
                    .await
            }
            async fn policy_update(&self, id: i64) -> StoreResult<Option<PolicyUpdate>> {
                self.read(move |c| Box::pin(ops::policy_update(c, id)))
                    .await
            }
            async fn unread_policies(&self, agent: AgentId) -> StoreResult<Vec<PolicyUpdate>> {
                self.read(move |c| Box::pin(ops::unread_policies(c, agent)))
                    .await
            }
            async fn acknowledge_policy(&self, ack: PolicyAck) -> StoreResult<jiff::Timestamp> {
                self.write(move |c| Box::pin(ops::acknowledge_policy(c, ack)))
                    .await
            }
            async fn policy_acknowledgements(
                &self,
                policy: i64,
            ) -> StoreResult<Vec<Acknowledgement>> {
                self.read(move |c| Box::pin(ops::policy_acknowledgements(c, policy)))
                    .await
            }
            async fn dashboard_counts(
                &self,
                from: jiff::Timestamp,
                to: jiff::Timestamp,
                nearest: u32,
            ) -> StoreResult<DashboardCounts> {
                self.read(move |c| Box::pin(ops::dashboard_counts(c, from, to, nearest)))
                    .await
            }
            async fn live_counts(&self) -> StoreResult<LiveCounts> {
                self.read(move |c| Box::pin(ops::live_counts(c))).await
            }
        }
    };
}

pub(crate) use impl_policy_store;
