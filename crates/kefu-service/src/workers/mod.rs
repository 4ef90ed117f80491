//! Background workers every node runs. They coordinate only through the database, so any
//! number of nodes may run them at once.

pub mod shifts;
pub mod sla;

use crate::core::Core;

/// Starts the workers; they run until the runtime shuts down. The handle is the SLA
/// worker's; the shift worker runs beside it.
pub fn spawn(state: std::sync::Arc<Core>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(shifts::run(state.clone()));
    tokio::spawn(sla::run(state))
}
