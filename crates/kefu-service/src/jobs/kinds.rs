//! The kinds of job kefu runs, each with its handler: the registry every node's runner
//! uses.
//!
//! | kind | enqueued | does |
//! |---|---|---|
//! | `ticket.close` | when a ticket is resolved, with the change | closes it `close_after` later if still resolved since then |
//! | `bot.confirm` | when the bot answers in a bot-first conversation | resolves it by the bot after the quiet period if the customer wrote nothing more |
//! | `survey.send` | when a ticket is resolved, with the change | sends that resolution's satisfaction survey (once) |
//! | `survey.remind` | with the survey | reminds once, `reminder_after` later, if still unanswered and resolved |
//! | `channel.deliver` | with each delivery row | delivers one message to the customer through their channel's adapter |
//! | `channel.notify` | with a notification topic | sends a ticket's waiting notifications as one message (coalesced) |
//! | `channel.still_on_it` | with an escalation | notes "we are still on it" ahead of the promised resolution time |

use super::runner::Registry;

/// Closes a resolved ticket after `Settings::close_after` ([`super::close`]).
pub const TICKET_CLOSE: &str = "ticket.close";
/// Confirms the bot's answer after `Settings::bot_quiet_period` ([`crate::containment`]).
pub const BOT_CONFIRM: &str = "bot.confirm";
/// Sends a resolution's satisfaction survey ([`crate::survey::send`]).
pub const SURVEY_SEND: &str = "survey.send";
/// Reminds once of an unanswered survey ([`crate::survey::send`]).
pub const SURVEY_REMIND: &str = "survey.remind";

/// Every kind with its handler.
pub fn registry() -> Registry {
    let mut r = Registry::default();
    r.register(TICKET_CLOSE, super::close::run);
    r.register(BOT_CONFIRM, crate::containment::run_confirm);
    r.register(SURVEY_SEND, crate::survey::send::run_send);
    r.register(SURVEY_REMIND, crate::survey::send::run_remind);
    r.register(
        crate::channels::outbound::DELIVER,
        crate::channels::outbound::run_deliver,
    );
    r.register(
        crate::channels::notify::NOTIFY,
        crate::channels::notify::run_notify,
    );
    r.register(
        crate::channels::notify::STILL_ON_IT,
        crate::channels::notify::run_still_on_it,
    );
    r
}
