//! What every handler shares: the service core and this node's HTTP metrics.

use crate::metrics::Metrics;
use kefu_service::Core;
use std::sync::Arc;

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub core: Arc<Core>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            metrics: Arc::new(Metrics::default()),
        }
    }
}

impl std::ops::Deref for AppState {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.core
    }
}
