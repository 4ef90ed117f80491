//! 简体中文 (zh-CN): the default catalogue.

use super::Messages;
use jiff::Timestamp;
use kefu_domain::{AgentPresence, Priority, SurveyForm, TicketStatus};

pub(super) static MESSAGES: Messages = Messages {
    tag: "zh-CN",
    progress,
    bot_closing: "看起来您的问题已经解决了。如还有问题，随时回复我。",
    bot_helpful: "很高兴能帮到您！如还有其他问题，随时告诉我。",
    chat_handed_back_on_presence,
    chat_handed_back_at_shift_end,
    chat_handed_back_off_roster,
    sla_breach_lead_note,
    sla_breach_requeued,
    sent_back_reason: "专业团队已处理完毕，退回一线跟进",
    handoff_not_helpful: "客户反馈机器人回答没有帮助",
    survey_ask,
    survey_reminder,
};

fn survey_ask(f: SurveyForm) -> &'static str {
    match f {
        SurveyForm::Score => {
            "您的问题已处理完毕。请为本次服务打分（1–5 分，5 分为非常满意），也欢迎留下您的意见。"
        }
        SurveyForm::Helpful => "您的问题已解决。这次的解答对您有帮助吗？",
    }
}

fn survey_reminder(f: SurveyForm) -> &'static str {
    match f {
        SurveyForm::Score => "温馨提醒：您还没有为本次服务打分，您的评价能帮助我们做得更好。",
        SurveyForm::Helpful => "温馨提醒：这次的解答对您有帮助吗？点一下告诉我们。",
    }
}

fn progress(s: TicketStatus) -> &'static str {
    match s {
        TicketStatus::New => "智能客服正在为您处理",
        TicketStatus::Queued => "已进入人工客服队列，正在为您分配客服",
        TicketStatus::Assigned => "客服正在处理您的问题",
        TicketStatus::PendingCustomer => "等待您补充信息",
        TicketStatus::Escalated => "已转交专业团队处理",
        TicketStatus::Resolved => "问题已解决，如仍有疑问可直接回复",
        TicketStatus::Closed => "工单已关闭",
    }
}

fn presence(p: AgentPresence) -> &'static str {
    match p {
        AgentPresence::Online => "上线",
        AgentPresence::Away => "暂离",
        AgentPresence::Offline => "下线",
    }
}

fn target(t: &str) -> &str {
    match t {
        "first_response" => "首次响应",
        "next_response" => "再次响应",
        "resolution" => "解决",
        other => other,
    }
}

fn priority(p: Priority) -> &'static str {
    match p {
        Priority::Low => "低",
        Priority::Normal => "普通",
        Priority::High => "高",
        Priority::Urgent => "紧急",
    }
}

fn chat_handed_back_on_presence(name: &str, to: AgentPresence) -> String {
    format!("交接：{name} 已{}，会话已退回队列", presence(to))
}

fn chat_handed_back_at_shift_end(name: &str) -> String {
    format!("交接：{name} 班次结束，会话已退回队列")
}

fn chat_handed_back_off_roster(name: &str) -> String {
    format!("交接：{name} 排班调整后不在班，会话已退回队列")
}

fn sla_breach_lead_note(t: &str, due_at: Timestamp, p: Priority) -> String {
    format!(
        "【SLA 超时】{} 目标已于 {due_at} 超时，优先级已提升为{}。请值班主管跟进。",
        target(t),
        priority(p)
    )
}

fn sla_breach_requeued(t: &str) -> String {
    format!("SLA {}目标超时且处理人不在线，工单已退回队列", target(t))
}
