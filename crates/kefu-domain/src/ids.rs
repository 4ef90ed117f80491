//! Newtype ids, so an agent id can never be passed where a ticket id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A ticket's internal id (the customer-facing handle is its [`crate::TicketNumber`]).
    TicketId
);
id_type!(
    /// A customer's internal id.
    CustomerId
);
id_type!(
    /// An agent's (or admin's, supervisor's, specialist's) id.
    AgentId
);
id_type!(
    /// A team's id.
    TeamId
);
id_type!(
    /// A message's id.
    MessageId
);
id_type!(
    /// An event-log row's id.
    EventId
);
id_type!(
    /// An API key's id.
    ApiKeyId
);
