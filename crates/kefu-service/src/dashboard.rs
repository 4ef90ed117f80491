//! The supervisor's live dashboard in one read: the queue by domain and priority, staff
//! on duty with presence and load, the tickets nearest to an SLA breach, today's arrivals
//! per local hour against the staffing the rosters give and what Erlang C asks for, and
//! the bot's containment today. Supervisors and admins.

use crate::caller::Caller;
use crate::core::Core;
use crate::error::{ServiceError, ServiceResult};
use crate::roster::Demand;
use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_domain::{AgentPresence, AgentRole};
use kefu_store::{SlaDue, WaitingCount};

/// How many tickets the "nearest to breach" list shows.
pub const NEAREST: u32 = 10;

/// The service targets Erlang C is asked with; defaults suit live chat.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Targets {
    /// Average handling time of one conversation, seconds.
    pub aht_seconds: f64,
    /// Share of contacts to answer within `answer_seconds` (0–1).
    pub service_level: f64,
    pub answer_seconds: f64,
    /// Share of rostered time agents are not available (breaks, meetings; 0–1).
    pub shrinkage: f64,
}

impl Default for Targets {
    fn default() -> Self {
        Self {
            aht_seconds: 360.0,
            service_level: 0.8,
            answer_seconds: 60.0,
            shrinkage: 0.3,
        }
    }
}

/// One local hour of today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourLine {
    pub hour: i8,
    /// Tickets opened in this hour so far.
    pub arrivals: u64,
    /// Agents the rosters put on duty.
    pub rostered: u32,
    /// Agents Erlang C asks for these arrivals (after shrinkage).
    pub needed: u32,
}

/// The bot today: conversations it took part in, and how many it resolved itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BotToday {
    pub conversations: u64,
    pub contained: u64,
    /// `contained / conversations`; `None` before the first conversation.
    pub rate: Option<f64>,
}

/// Everything the dashboard shows.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub at: Timestamp,
    pub zone: TimeZone,
    pub queue: Vec<WaitingCount>,
    /// Staff signed in (any presence but offline) or still holding tickets.
    pub staff: Vec<crate::board::StaffStatus>,
    pub nearest_breach: Vec<SlaDue>,
    pub hours: Vec<HourLine>,
    pub bot: BotToday,
    pub targets: Targets,
}

/// Reads the dashboard for today in `zone` (supervisors and admins).
pub async fn dashboard(
    core: &Core,
    caller: &Caller,
    zone: &TimeZone,
    targets: Targets,
) -> ServiceResult<Dashboard> {
    caller.require(AgentRole::Supervisor)?;
    let now = Timestamp::now();
    let today = now.to_zoned(zone.clone()).date();
    let midnight = |d: jiff::civil::Date| {
        d.to_zoned(zone.clone())
            .map(|z| z.timestamp())
            .map_err(ServiceError::internal)
    };
    let from = midnight(today)?;
    let to = midnight(today.tomorrow().map_err(ServiceError::internal)?)?;
    let counts = core.store.dashboard_counts(from, to, NEAREST).await?;
    let mut arrivals = [0u64; 24];
    for (offset, n) in &counts.arrivals {
        let at = from
            .checked_add(jiff::SignedDuration::from_hours(i64::from(*offset)))
            .map_err(ServiceError::internal)?;
        let hour = usize::try_from(at.to_zoned(zone.clone()).hour()).unwrap_or(0);
        if let Some(slot) = arrivals.get_mut(hour) {
            *slot += n;
        }
    }
    let demand = Demand {
        arrivals_per_hour: arrivals.map(|n| n as f64),
        aht_seconds: targets.aht_seconds,
        target_service_level: targets.service_level,
        target_answer_seconds: targets.answer_seconds,
        shrinkage: targets.shrinkage,
    };
    let coverage = crate::roster::coverage(core, caller, today, zone, None, Some(demand)).await?;
    let hours = coverage
        .iter()
        .map(|h| HourLine {
            hour: h.hour,
            arrivals: usize::try_from(h.hour)
                .ok()
                .and_then(|i| arrivals.get(i).copied())
                .unwrap_or(0),
            rostered: h.on_duty,
            needed: h.demand.as_ref().map_or(0, |d| d.required),
        })
        .collect();
    let staff = crate::board::staff_board(core, caller)
        .await?
        .into_iter()
        .filter(|s| s.presence != AgentPresence::Offline || s.chats + s.tickets > 0)
        .collect();
    Ok(Dashboard {
        at: now,
        zone: zone.clone(),
        queue: counts.waiting,
        staff,
        nearest_breach: counts.nearest_breach,
        hours,
        bot: bot_today(counts.bot_conversations, counts.bot_contained),
        targets,
    })
}

fn bot_today(conversations: u64, contained: u64) -> BotToday {
    let rate = (conversations > 0).then(|| contained as f64 / conversations as f64);
    BotToday {
        conversations,
        contained,
        rate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment_is_undefined_before_the_first_conversation() {
        assert_eq!(bot_today(0, 0).rate, None);
        assert_eq!(bot_today(4, 1).rate, Some(0.25));
    }
}
