//! What every handler shares: the service core, this node's HTTP metrics, and its login and
//! rate limiters.

use crate::metrics::Metrics;
use crate::rate_limit::{RateLimiters, RateLimits};
use kefu_service::Core;
use kefu_service::login_guard::{LoginGuard, LoginLimits};
use std::sync::Arc;

/// Shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub core: Arc<Core>,
    pub metrics: Arc<Metrics>,
    pub login_guard: Arc<LoginGuard>,
    pub rate_limits: Arc<RateLimiters>,
    /// The live channel's limits and open connections.
    pub live: Arc<crate::live::LiveGate>,
}

impl AppState {
    /// State with the default login and rate limits.
    pub fn new(core: Arc<Core>) -> Self {
        Self {
            core,
            metrics: Arc::new(Metrics::default()),
            login_guard: Arc::new(LoginGuard::default()),
            rate_limits: Arc::new(RateLimiters::default()),
            live: Arc::new(crate::live::LiveGate::default()),
        }
    }

    /// Replaces the login and rate limits (from the configuration).
    pub fn with_limits(mut self, login: LoginLimits, rate: RateLimits) -> Self {
        self.login_guard = Arc::new(LoginGuard::new(login));
        self.rate_limits = Arc::new(RateLimiters::new(rate));
        self
    }
}

impl AppState {
    /// Replaces the live channel's limits (from the configuration).
    pub fn with_live(mut self, limits: crate::live::LiveLimits) -> Self {
        self.live = Arc::new(crate::live::LiveGate::new(limits));
        self
    }
}

impl std::ops::Deref for AppState {
    type Target = Core;
    fn deref(&self) -> &Core {
        &self.core
    }
}
