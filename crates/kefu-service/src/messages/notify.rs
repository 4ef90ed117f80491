//! Customers: the texts of channel notifications and the public answer to a public post,
//! in zh-CN and English. Kept apart from [`super::Messages`] so the channels' texts live in
//! one place; the same rule holds: a language lacking a text does not compile.

use kefu_bot::messages::Lang;
use kefu_domain::TicketStatus;

/// The channel texts of one language.
#[derive(Debug)]
pub struct NotifyTexts {
    /// A public post answered in public: continue in a private message, quoting the ticket.
    pub public_redirect: fn(number: &str) -> String,
    /// A person took the ticket.
    pub assigned: fn(number: &str) -> String,
    /// An agent answered (for channels where the answer itself is not delivered).
    pub agent_reply: fn(number: &str) -> String,
    /// A specialist team took it over, with the expected resolution time when known.
    pub escalated: fn(number: &str, by: Option<&str>) -> String,
    /// The ticket's status changed.
    pub status: fn(number: &str, to: TicketStatus) -> String,
    /// Still being worked on, before the promised time.
    pub still_on_it: fn(number: &str, by: &str) -> String,
    /// Resolved.
    pub resolved: fn(number: &str) -> String,
}

/// The texts for a language tag (zh-CN for anything kefu does not speak).
pub fn texts(tag: &str) -> &'static NotifyTexts {
    match Lang::parse(tag).unwrap_or_default() {
        Lang::Zh => &ZH_CN,
        Lang::En => &EN,
    }
}

static ZH_CN: NotifyTexts = NotifyTexts {
    public_redirect: |n| {
        format!(
            "您好，我们已收到您的问题（工单号 {n}），为保护您的隐私，请通过私信继续与我们沟通。"
        )
    },
    assigned: |n| format!("您的工单 {n} 已由客服专员接手，我们会尽快回复您。"),
    agent_reply: |n| format!("您的工单 {n} 有新的回复，请查看。"),
    escalated: |n, by| match by {
        Some(by) => format!("您的工单 {n} 已转交专业团队处理，预计在 {by} 前解决。"),
        None => format!("您的工单 {n} 已转交专业团队处理。"),
    },
    status: |n, to| {
        format!(
            "您的工单 {n} 状态更新：{}",
            (super::Messages::for_lang(Lang::Zh).progress)(to)
        )
    },
    still_on_it: |n, by| {
        format!("您的工单 {n} 仍在处理中，我们会在 {by} 前给您答复，感谢您的耐心等待。")
    },
    resolved: |n| format!("您的工单 {n} 已解决。如仍有问题，直接回复即可重新打开。"),
};

static EN: NotifyTexts = NotifyTexts {
    public_redirect: |n| {
        format!(
            "Hi, we have your question (ticket {n}). To protect your privacy, please continue in a private message."
        )
    },
    assigned: |n| format!("Your ticket {n} is now with one of our agents; we will answer soon."),
    agent_reply: |n| format!("There is a new reply on your ticket {n}."),
    escalated: |n, by| match by {
        Some(by) => format!(
            "Your ticket {n} is now with our specialist team; we expect to resolve it by {by}."
        ),
        None => format!("Your ticket {n} is now with our specialist team."),
    },
    status: |n, to| {
        format!(
            "Your ticket {n}: {}",
            (super::Messages::for_lang(Lang::En).progress)(to)
        )
    },
    still_on_it: |n, by| {
        format!(
            "We are still working on your ticket {n} and will get back to you by {by}. Thank you for your patience."
        )
    },
    resolved: |n| {
        format!("Your ticket {n} is resolved. If anything is left, just reply to reopen it.")
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_name_the_ticket_in_every_text() {
        for t in [texts("zh-CN"), texts("en")] {
            for s in [
                (t.public_redirect)("N1"),
                (t.assigned)("N1"),
                (t.agent_reply)("N1"),
                (t.escalated)("N1", Some("T")),
                (t.escalated)("N1", None),
                (t.status)("N1", TicketStatus::PendingCustomer),
                (t.still_on_it)("N1", "T"),
                (t.resolved)("N1"),
            ] {
                assert!(s.contains("N1"), "{s}");
            }
        }
        assert!((texts("en").still_on_it)("N", "T").contains("still"));
        assert!(
            (texts("fr").resolved)("N").contains("已解决"),
            "zh-CN by default"
        );
    }
}
