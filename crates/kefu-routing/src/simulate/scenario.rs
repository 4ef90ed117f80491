//! The simulation scenario: what arrives, how long it takes, who is rostered. Deserialized
//! from TOML or JSON by the CLI; [`Scenario::validate`] names the first bad field.

use crate::assign::{AssignmentPolicy, ChannelKind};
use crate::shift::{DEFAULT_TIME_ZONE, Shift, time_zone};
use jiff::civil::Date;
use kefu_domain::Priority;
use serde::{Deserialize, Serialize};

/// Longest run accepted, in days.
pub const MAX_DAYS: u32 = 400;

/// A value in the scenario is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scenario field `{field}`: {message}")]
pub struct ScenarioError {
    pub field: String,
    pub message: String,
}

fn bad(field: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError {
        field: field.into(),
        message: message.into(),
    }
}

/// A duration distribution, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub enum Distribution {
    Fixed { seconds: f64 },
    Exponential { mean_seconds: f64 },
    Lognormal { mean_seconds: f64, sd_seconds: f64 },
}

impl Distribution {
    pub fn mean_seconds(&self) -> f64 {
        match *self {
            Self::Fixed { seconds } => seconds,
            Self::Exponential { mean_seconds } | Self::Lognormal { mean_seconds, .. } => {
                mean_seconds
            }
        }
    }

    fn validate(&self, field: &str) -> Result<(), ScenarioError> {
        let positive = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(bad(
                    format!("{field}.{name}"),
                    format!("must be a positive number of seconds, got {v}"),
                ))
            }
        };
        match *self {
            Self::Fixed { seconds } => positive("seconds", seconds),
            Self::Exponential { mean_seconds } => positive("mean_seconds", mean_seconds),
            Self::Lognormal {
                mean_seconds,
                sd_seconds,
            } => {
                positive("mean_seconds", mean_seconds)?;
                positive("sd_seconds", sd_seconds)
            }
        }
    }
}

/// One service domain's demand.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryScenario {
    pub code: String,
    #[serde(default = "default_language")]
    pub language: String,
    #[serde(default = "default_channel")]
    pub channel: ChannelKind,
    #[serde(default = "default_priority")]
    pub priority: Priority,
    /// Poisson arrival rates per hour: 1 value (constant), 24 (per local hour of day,
    /// repeated every day) or 168 (per hour of the week, Monday 00:00 first).
    pub arrivals_per_hour: Vec<f64>,
    pub handle_time: Distribution,
    /// How long a customer waits before giving up; absent means never.
    #[serde(default)]
    pub patience: Option<Distribution>,
    /// First-response target used for SLA attainment.
    pub first_response_target_seconds: f64,
    /// Overrides the scenario's bot containment for this domain.
    #[serde(default)]
    pub bot_containment: Option<f64>,
}

/// A group of identical agents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentGroup {
    pub name: String,
    pub count: u32,
    /// Domain codes (certified, level 3).
    pub categories: Vec<String>,
    #[serde(default = "default_languages")]
    pub languages: Vec<String>,
    #[serde(default = "one")]
    pub chat_capacity: u16,
    #[serde(default = "one")]
    pub async_capacity: u16,
    /// Empty means on duty around the clock.
    #[serde(default)]
    pub shifts: Vec<Shift>,
}

/// A day or week of synthetic traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default = "default_days")]
    pub days: u32,
    /// Local date the run starts on, at 00:00 (default 2025-01-06, a Monday).
    #[serde(default = "default_start")]
    pub start_date: Date,
    #[serde(default = "default_zone")]
    pub time_zone: String,
    /// The "answered within" threshold of the service level.
    #[serde(default = "default_sl_seconds")]
    pub service_level_seconds: f64,
    /// Fraction of arrivals the bot resolves without a person.
    #[serde(default)]
    pub bot_containment: f64,
    #[serde(default)]
    pub policy: AssignmentPolicy,
    pub categories: Vec<CategoryScenario>,
    pub agents: Vec<AgentGroup>,
}

fn default_language() -> String {
    "zh".to_owned()
}
fn default_languages() -> Vec<String> {
    vec![default_language()]
}
fn default_channel() -> ChannelKind {
    ChannelKind::Chat
}
fn default_priority() -> Priority {
    Priority::Normal
}
fn one() -> u16 {
    1
}
fn default_seed() -> u64 {
    1
}
fn default_days() -> u32 {
    1
}
fn default_start() -> Date {
    jiff::civil::date(2025, 1, 6)
}
fn default_zone() -> String {
    DEFAULT_TIME_ZONE.to_owned()
}
fn default_sl_seconds() -> f64 {
    20.0
}

fn fraction(field: &str, v: f64) -> Result<(), ScenarioError> {
    if v.is_finite() && (0.0..=1.0).contains(&v) {
        Ok(())
    } else {
        Err(bad(field, format!("must be between 0 and 1, got {v}")))
    }
}

impl Scenario {
    /// Checks every field; the error names the first bad one (`categories[1].handle_time`).
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.days == 0 || self.days > MAX_DAYS {
            return Err(bad("days", format!("must be from 1 to {MAX_DAYS}")));
        }
        time_zone(&self.time_zone).map_err(|e| bad("time_zone", e.to_string()))?;
        if !(self.service_level_seconds.is_finite() && self.service_level_seconds >= 0.0) {
            return Err(bad("service_level_seconds", "must be zero or positive"));
        }
        fraction("bot_containment", self.bot_containment)?;
        if self.categories.is_empty() {
            return Err(bad("categories", "at least one category is needed"));
        }
        for (i, c) in self.categories.iter().enumerate() {
            let f = |name: &str| format!("categories[{i}].{name}");
            if c.code.is_empty() {
                return Err(bad(f("code"), "must not be empty"));
            }
            if self.categories[..i].iter().any(|o| o.code == c.code) {
                return Err(bad(f("code"), format!("{:?} appears twice", c.code)));
            }
            if ![1, 24, 168].contains(&c.arrivals_per_hour.len()) {
                return Err(bad(
                    f("arrivals_per_hour"),
                    format!(
                        "needs 1, 24 or 168 values, got {}",
                        c.arrivals_per_hour.len()
                    ),
                ));
            }
            for (h, r) in c.arrivals_per_hour.iter().enumerate() {
                if !(r.is_finite() && *r >= 0.0 && *r <= 10_000_000.0) {
                    return Err(bad(
                        format!("categories[{i}].arrivals_per_hour[{h}]"),
                        format!("must be a rate from 0 to 10,000,000 per hour, got {r}"),
                    ));
                }
            }
            c.handle_time.validate(&f("handle_time"))?;
            if let Some(p) = &c.patience {
                p.validate(&f("patience"))?;
            }
            let t = c.first_response_target_seconds;
            if !(t.is_finite() && t > 0.0) {
                return Err(bad(f("first_response_target_seconds"), "must be positive"));
            }
            if let Some(b) = c.bot_containment {
                fraction(&f("bot_containment"), b)?;
            }
        }
        if self.agents.is_empty() {
            return Err(bad("agents", "at least one agent group is needed"));
        }
        let mut total: u32 = 0;
        for (i, g) in self.agents.iter().enumerate() {
            let f = |name: &str| format!("agents[{i}].{name}");
            if g.count == 0 {
                return Err(bad(f("count"), "must be at least 1"));
            }
            total = total.saturating_add(g.count);
            if g.categories.is_empty() {
                return Err(bad(f("categories"), "must list at least one category"));
            }
            for (k, code) in g.categories.iter().enumerate() {
                if !self.categories.iter().any(|c| &c.code == code) {
                    return Err(bad(
                        format!("agents[{i}].categories[{k}]"),
                        format!("{code:?} is not one of the scenario's categories"),
                    ));
                }
            }
            if g.languages.is_empty() {
                return Err(bad(f("languages"), "must list at least one language"));
            }
            if g.chat_capacity == 0 && g.async_capacity == 0 {
                return Err(bad(f("chat_capacity"), "an agent needs some capacity"));
            }
            for (k, s) in g.shifts.iter().enumerate() {
                if s.days.is_empty() {
                    return Err(bad(
                        format!("agents[{i}].shifts[{k}].days"),
                        "must not be empty",
                    ));
                }
            }
        }
        if total > 100_000 {
            return Err(bad("agents", "at most 100,000 agents in total"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> serde_json::Value {
        serde_json::json!({
            "categories": [{
                "code": "account",
                "arrivals_per_hour": [100.0],
                "handle_time": {"distribution": "exponential", "mean_seconds": 180.0},
                "first_response_target_seconds": 60.0
            }],
            "agents": [{"name": "frontline", "count": 5, "categories": ["account"]}]
        })
    }

    fn error_field(v: serde_json::Value) -> String {
        let s: Scenario = serde_json::from_value(v).unwrap();
        s.validate().unwrap_err().field
    }

    #[test]
    fn a_minimal_scenario_is_valid_with_defaults() {
        let s: Scenario = serde_json::from_value(base()).unwrap();
        s.validate().unwrap();
        assert_eq!(s.time_zone, DEFAULT_TIME_ZONE);
        assert_eq!(s.agents[0].chat_capacity, 1);
        assert_eq!(s.categories[0].channel, ChannelKind::Chat);
    }

    #[test]
    fn bad_values_are_rejected_naming_the_field() {
        let mut v = base();
        v["categories"][0]["arrivals_per_hour"] = serde_json::json!([1.0, 2.0]);
        assert_eq!(error_field(v), "categories[0].arrivals_per_hour");
        let mut v = base();
        v["categories"][0]["arrivals_per_hour"] = serde_json::json!([-1.0]);
        assert_eq!(error_field(v), "categories[0].arrivals_per_hour[0]");
        let mut v = base();
        v["categories"][0]["handle_time"]["mean_seconds"] = serde_json::json!(0.0);
        assert_eq!(error_field(v), "categories[0].handle_time.mean_seconds");
        let mut v = base();
        v["bot_containment"] = serde_json::json!(1.5);
        assert_eq!(error_field(v), "bot_containment");
        let mut v = base();
        v["agents"][0]["categories"] = serde_json::json!(["ads"]);
        assert_eq!(error_field(v), "agents[0].categories[0]");
        let mut v = base();
        v["time_zone"] = serde_json::json!("Nowhere/City");
        assert_eq!(error_field(v), "time_zone");
        let mut v = base();
        v["days"] = serde_json::json!(0);
        assert_eq!(error_field(v), "days");
    }

    #[test]
    fn unknown_fields_are_rejected_when_parsing() {
        let mut v = base();
        v["agent"] = serde_json::json!([]);
        let err = serde_json::from_value::<Scenario>(v)
            .unwrap_err()
            .to_string();
        assert!(err.contains("agent"), "{err}");
    }
}
