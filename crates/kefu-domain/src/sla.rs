//! SLA policy types: response and resolution targets per domain and priority.

use crate::Priority;
use serde::{Deserialize, Serialize};

/// The promise kefu makes: nothing waits longer than this for a first response.
pub const FIRST_RESPONSE_CEILING_MINUTES: u32 = 24 * 60;

/// Targets in minutes of business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaTargets {
    pub first_response_minutes: u32,
    pub next_response_minutes: u32,
    pub resolution_minutes: u32,
}

/// An SLA policy for one category (or all, when `category` is `None`) and priority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlaPolicy {
    pub category: Option<String>,
    pub priority: Priority,
    pub targets: SlaTargets,
}

/// Why a set of targets is not allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlaError {
    #[error("first response target {0} min is above the 24 h ceiling")]
    AboveCeiling(u32),
    #[error("targets must be positive")]
    Zero,
}

impl SlaTargets {
    pub fn validate(self) -> Result<Self, SlaError> {
        if self.first_response_minutes == 0
            || self.next_response_minutes == 0
            || self.resolution_minutes == 0
        {
            return Err(SlaError::Zero);
        }
        if self.first_response_minutes > FIRST_RESPONSE_CEILING_MINUTES {
            return Err(SlaError::AboveCeiling(self.first_response_minutes));
        }
        Ok(self)
    }
}

/// The default targets per priority (all categories): first response, next response,
/// resolution.
pub fn default_policies() -> Vec<SlaPolicy> {
    let t = |f, n, r| SlaTargets {
        first_response_minutes: f,
        next_response_minutes: n,
        resolution_minutes: r,
    };
    vec![
        SlaPolicy {
            category: None,
            priority: Priority::Urgent,
            targets: t(15, 30, 4 * 60),
        },
        SlaPolicy {
            category: None,
            priority: Priority::High,
            targets: t(60, 2 * 60, 12 * 60),
        },
        SlaPolicy {
            category: None,
            priority: Priority::Normal,
            targets: t(4 * 60, 8 * 60, 48 * 60),
        },
        SlaPolicy {
            category: None,
            priority: Priority::Low,
            targets: t(24 * 60, 24 * 60, 72 * 60),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policies_never_exceed_the_24_hour_first_response_ceiling() {
        for p in default_policies() {
            assert!(p.targets.validate().is_ok(), "{p:?}");
        }
    }

    #[test]
    fn first_response_above_a_day_is_rejected() {
        let t = SlaTargets {
            first_response_minutes: 24 * 60 + 1,
            next_response_minutes: 1,
            resolution_minutes: 1,
        };
        assert_eq!(t.validate(), Err(SlaError::AboveCeiling(1441)));
    }
}
