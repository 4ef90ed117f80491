//! Customers and their identity on a channel.

use crate::{Channel, CustomerId};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Who a customer is on one channel: the channel's own id for them (app user id, social
/// handle, email address). Unique per channel.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CustomerRef {
    pub channel: Channel,
    pub external_id: String,
}

/// A customer as kefu knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub identity: CustomerRef,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// BCP 47 language tag, `zh-CN` by default.
    pub language: String,
    pub created_at: Timestamp,
}
