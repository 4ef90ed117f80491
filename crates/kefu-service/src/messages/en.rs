//! English (en).

use super::Messages;
use jiff::Timestamp;
use kefu_domain::{AgentPresence, Priority, SurveyForm, TicketStatus};

pub(super) static MESSAGES: Messages = Messages {
    tag: "en",
    progress,
    bot_closing: "It looks like your question is answered. If anything else comes up, just reply.",
    bot_helpful: "Glad I could help! If anything else comes up, just tell me.",
    chat_handed_back_on_presence,
    chat_handed_back_at_shift_end,
    chat_handed_back_off_roster,
    sla_breach_lead_note,
    sla_breach_requeued,
    sent_back_reason: "sent back by the specialist team",
    handoff_not_helpful: "the customer said the bot's answers did not help",
    survey_ask,
    survey_reminder,
};

fn survey_ask(f: SurveyForm) -> &'static str {
    match f {
        SurveyForm::Score => {
            "Your request is resolved. How satisfied are you with our service? Rate it from 1 to 5 (5 is best); a comment is welcome too."
        }
        SurveyForm::Helpful => "Your question is answered. Did this help?",
    }
}

fn survey_reminder(f: SurveyForm) -> &'static str {
    match f {
        SurveyForm::Score => {
            "A reminder: you have not rated our service yet. Your score helps us do better."
        }
        SurveyForm::Helpful => "A reminder: did our answer help? One tap tells us.",
    }
}

fn progress(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::New => "Our assistant is looking into it",
        TicketStatus::Queued => "Waiting for the next available agent",
        TicketStatus::Assigned => "An agent is working on your request",
        TicketStatus::PendingCustomer => "Waiting for more information from you",
        TicketStatus::Escalated => "Passed to a specialist team",
        TicketStatus::Resolved => "Solved; reply if you still need help",
        TicketStatus::Closed => "Closed",
    }
}

fn target(t: &str) -> String {
    t.replace('_', " ")
}

fn chat_handed_back_on_presence(name: &str, to: AgentPresence) -> String {
    format!("handover: {name} went {to}; chat returned to the queue")
}

fn chat_handed_back_at_shift_end(name: &str) -> String {
    format!("handover: {name} reached the end of their shift; chat returned to the queue")
}

fn chat_handed_back_off_roster(name: &str) -> String {
    format!("handover: {name} is off shift after a roster change; chat returned to the queue")
}

fn sla_breach_lead_note(t: &str, due_at: Timestamp, p: Priority) -> String {
    format!(
        "[SLA breached] the {} target was due at {due_at}; priority is now {p}. Shift lead, please follow up.",
        target(t)
    )
}

fn sla_breach_requeued(t: &str) -> String {
    format!(
        "SLA {} breached while the agent was not online; returned to the queue",
        target(t)
    )
}
