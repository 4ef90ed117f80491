//! The staff console's texts (`/console`), zh-CN and English: one [`ConsoleTexts`] value per
//! language, so a language that lacks a text does not compile. The console templates read
//! them as `c.<field>` (the help center's [`super::Texts`] stay `t`).

use kefu_domain::{AgentRole, Channel};
use kefu_service::Lang;
use serde::Serialize;

/// The name of each ticket status (`TicketStatus::as_str` codes).
#[derive(Debug, Serialize)]
pub struct StatusNames {
    pub new: &'static str,
    pub queued: &'static str,
    pub assigned: &'static str,
    pub pending_customer: &'static str,
    pub escalated: &'static str,
    pub resolved: &'static str,
    pub closed: &'static str,
}

/// The name of each priority (`Priority::as_str` codes).
#[derive(Debug, Serialize)]
pub struct PriorityNames {
    pub low: &'static str,
    pub normal: &'static str,
    pub high: &'static str,
    pub urgent: &'static str,
}

/// The name of each intake channel.
#[derive(Debug, Serialize)]
pub struct ChannelNames {
    pub in_app: &'static str,
    pub web_form: &'static str,
    pub social: &'static str,
    pub email: &'static str,
    pub api: &'static str,
}

impl ChannelNames {
    /// The name of a channel (every channel has one: a new channel does not compile
    /// without it).
    pub fn of(&self, channel: Channel) -> &'static str {
        match channel {
            Channel::InApp => self.in_app,
            Channel::WebForm => self.web_form,
            Channel::Social => self.social,
            Channel::Email => self.email,
            Channel::Api => self.api,
        }
    }
}

/// The name of each staff role.
#[derive(Debug, Serialize)]
pub struct RoleNames {
    pub agent: &'static str,
    pub specialist: &'static str,
    pub supervisor: &'static str,
    pub admin: &'static str,
}

impl RoleNames {
    /// The name of a role.
    pub fn of(&self, role: AgentRole) -> &'static str {
        match role {
            AgentRole::Agent => self.agent,
            AgentRole::Specialist => self.specialist,
            AgentRole::Supervisor => self.supervisor,
            AgentRole::Admin => self.admin,
        }
    }
}

/// The console texts of one language.
#[derive(Debug, Serialize)]
pub struct ConsoleTexts {
    /// Templates read `c.status_names[code]`.
    pub status_names: StatusNames,
    pub priority_names: PriorityNames,
    pub channel_names: ChannelNames,
    pub role_names: RoleNames,
    /// A customer known by no name or address: "访客 #12".
    pub visitor: &'static str,
    pub console_name: &'static str,
    pub skip_to_content: &'static str,
    pub switch_language: &'static str,
    pub login_title: &'static str,
    pub login_intro: &'static str,
    pub email: &'static str,
    pub password: &'static str,
    pub login_button: &'static str,
    pub login_failed: &'static str,
    pub login_locked: &'static str,
    pub logout: &'static str,
    pub signed_in_as: &'static str,
    pub nav_label: &'static str,
    pub presence: &'static str,
    pub presence_online: &'static str,
    pub presence_away: &'static str,
    pub presence_offline: &'static str,
    pub presence_set: &'static str,
    pub my_tickets: &'static str,
    pub team_queue: &'static str,
    pub none: &'static str,
    pub col_number: &'static str,
    pub col_subject: &'static str,
    pub col_status: &'static str,
    pub col_priority: &'static str,
    pub col_sla: &'static str,
    pub sla_breached: &'static str,
    pub sla_met: &'static str,
    pub take: &'static str,
    pub live_connected: &'static str,
    pub live_offline: &'static str,
    pub notify_button: &'static str,
    pub sound_label: &'static str,
    pub new_activity: &'static str,
    /// On a ticket view whose ticket the live channel does not follow for this reader.
    pub not_live: &'static str,
    pub conversation: &'static str,
    pub from_customer: &'static str,
    pub from_bot: &'static str,
    pub from_agent: &'static str,
    pub from_system: &'static str,
    pub from_note: &'static str,
    pub from_survey: &'static str,
    pub handoff_summary: &'static str,
    pub customer: &'static str,
    pub other_tickets: &'static str,
    pub suggestions: &'static str,
    pub suggestions_none: &'static str,
    pub insert: &'static str,
    pub canned_replies: &'static str,
    pub canned_none: &'static str,
    pub reply_label: &'static str,
    pub reply_button: &'static str,
    pub reply_and_pending: &'static str,
    pub note_label: &'static str,
    pub note_button: &'static str,
    pub moves: &'static str,
    pub reason: &'static str,
    pub findings: &'static str,
    pub transfer: &'static str,
    pub transfer_to_agent: &'static str,
    pub transfer_to_team: &'static str,
    pub choose: &'static str,
    pub escalate: &'static str,
    pub escalate_team: &'static str,
    pub send_back: &'static str,
    pub pending: &'static str,
    pub resolve: &'static str,
    pub done: &'static str,
    pub refused: &'static str,
    pub shortcuts: &'static str,
    /// `(key, what it does)` of each keyboard shortcut, in the order the page lists them.
    pub shortcut_list: [(&'static str, &'static str); 7],
    /// The desk's shortcuts, as `shortcut_list`.
    pub desk_shortcut_list: [(&'static str, &'static str); 2],
    pub ticket_facts: &'static str,
    pub category: &'static str,
    pub channel: &'static str,
    pub escalation_reason: &'static str,
    pub assignee: &'static str,
    pub team: &'static str,
    pub created: &'static str,
    pub unassigned: &'static str,
    pub back_home: &'static str,
    pub error_title: &'static str,
    pub error_forbidden: &'static str,
    pub error_not_found: &'static str,
    pub error_internal: &'static str,
    pub error_rate_limited: &'static str,
}

impl ConsoleTexts {
    /// The texts of a language.
    pub fn of(lang: Lang) -> &'static ConsoleTexts {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }

    /// The name of a status code (the code itself when unknown).
    pub fn status_name<'a>(&'static self, code: &'a str) -> &'a str {
        let n = &self.status_names;
        match code {
            "new" => n.new,
            "queued" => n.queued,
            "assigned" => n.assigned,
            "pending_customer" => n.pending_customer,
            "escalated" => n.escalated,
            "resolved" => n.resolved,
            "closed" => n.closed,
            other => other,
        }
    }

    /// The name of a priority code (the code itself when unknown).
    pub fn priority_name<'a>(&'static self, code: &'a str) -> &'a str {
        let n = &self.priority_names;
        match code {
            "low" => n.low,
            "normal" => n.normal,
            "high" => n.high,
            "urgent" => n.urgent,
            other => other,
        }
    }
}

const ZH: ConsoleTexts = ConsoleTexts {
    status_names: StatusNames {
        new: "机器人处理中",
        queued: "排队中",
        assigned: "处理中",
        pending_customer: "等待客户",
        escalated: "已升级",
        resolved: "已解决",
        closed: "已关闭",
    },
    priority_names: PriorityNames {
        low: "低",
        normal: "普通",
        high: "高",
        urgent: "紧急",
    },
    channel_names: ChannelNames {
        in_app: "App 内",
        web_form: "网页（在线客服/表单）",
        social: "社交媒体",
        email: "邮件",
        api: "API 接入",
    },
    role_names: RoleNames {
        agent: "一线客服",
        specialist: "专家",
        supervisor: "主管",
        admin: "管理员",
    },
    visitor: "访客",
    console_name: "kefu 客服工作台",
    skip_to_content: "跳到正文",
    switch_language: "English",
    login_title: "登录工作台",
    login_intro: "请使用客服账号登录。",
    email: "邮箱",
    password: "密码",
    login_button: "登录",
    login_failed: "邮箱或密码不正确。",
    login_locked: "登录失败次数过多，请稍后再试。",
    logout: "退出登录",
    signed_in_as: "当前账号",
    nav_label: "工作台导航",
    presence: "在线状态",
    presence_online: "在线",
    presence_away: "离开",
    presence_offline: "离线",
    presence_set: "更新状态",
    my_tickets: "我的工单",
    team_queue: "团队队列",
    none: "暂无。",
    col_number: "工单号",
    col_subject: "主题",
    col_status: "状态",
    col_priority: "优先级",
    col_sla: "SLA 剩余",
    sla_breached: "已超时",
    sla_met: "已响应",
    take: "接单",
    live_connected: "实时更新已连接",
    live_offline: "实时更新未连接，正在重试…",
    notify_button: "开启桌面通知",
    sound_label: "提示音",
    new_activity: "新动态",
    not_live: "此工单不在您名下，本页不再实时更新。回工作台查看您的工单，或刷新本页。",
    conversation: "对话记录",
    from_customer: "客户",
    from_bot: "机器人",
    from_agent: "客服",
    from_system: "系统",
    from_note: "内部备注",
    from_survey: "满意度回访",
    handoff_summary: "机器人转人工摘要",
    customer: "客户",
    other_tickets: "该客户的其他工单",
    suggestions: "推荐知识库答案",
    suggestions_none: "没有匹配的知识库答案。",
    insert: "插入",
    canned_replies: "快捷回复",
    canned_none: "暂无快捷回复。",
    reply_label: "回复客户",
    reply_button: "发送回复",
    reply_and_pending: "发送并等待客户",
    note_label: "内部备注（仅员工可见）",
    note_button: "添加备注",
    moves: "处理操作",
    reason: "原因",
    findings: "处理结论",
    transfer: "转交",
    transfer_to_agent: "转给客服",
    transfer_to_team: "或转到团队队列",
    choose: "请选择",
    escalate: "升级到专家团队",
    escalate_team: "专家团队",
    send_back: "退回一线",
    pending: "等待客户回复",
    resolve: "标记已解决",
    done: "已完成。",
    refused: "未能完成：",
    shortcuts: "键盘快捷键",
    shortcut_list: [
        ("r", "回复客户"),
        ("n", "添加内部备注"),
        ("e", "升级"),
        ("p", "等待客户回复"),
        ("s", "标记已解决"),
        ("j / k", "下一个 / 上一个工单"),
        ("g", "回到工作台首页"),
    ],
    desk_shortcut_list: [("j", "打开我的第一个工单"), ("q", "打开队列中的第一个工单")],
    ticket_facts: "工单信息",
    category: "类别",
    channel: "渠道",
    escalation_reason: "升级原因",
    assignee: "处理人",
    team: "团队",
    created: "创建时间",
    unassigned: "未分配",
    back_home: "返回工作台",
    error_title: "出错了",
    error_forbidden: "请求无法验证，请刷新页面后重试。",
    error_not_found: "没有这个页面或工单。",
    error_internal: "系统出错，请稍后再试。",
    error_rate_limited: "请求过于频繁，请稍后再试。",
};

const EN: ConsoleTexts = ConsoleTexts {
    status_names: StatusNames {
        new: "With the bot",
        queued: "Queued",
        assigned: "Assigned",
        pending_customer: "Waiting for customer",
        escalated: "Escalated",
        resolved: "Resolved",
        closed: "Closed",
    },
    priority_names: PriorityNames {
        low: "Low",
        normal: "Normal",
        high: "High",
        urgent: "Urgent",
    },
    channel_names: ChannelNames {
        in_app: "In the app",
        web_form: "Web (chat or form)",
        social: "Social media",
        email: "E-mail",
        api: "API",
    },
    role_names: RoleNames {
        agent: "Agent",
        specialist: "Specialist",
        supervisor: "Supervisor",
        admin: "Admin",
    },
    visitor: "Visitor",
    console_name: "kefu staff console",
    skip_to_content: "Skip to content",
    switch_language: "中文",
    login_title: "Sign in to the console",
    login_intro: "Sign in with your staff account.",
    email: "E-mail",
    password: "Password",
    login_button: "Sign in",
    login_failed: "E-mail or password is wrong.",
    login_locked: "Too many failed sign-ins. Please try again later.",
    logout: "Sign out",
    signed_in_as: "Signed in as",
    nav_label: "Console navigation",
    presence: "Presence",
    presence_online: "Online",
    presence_away: "Away",
    presence_offline: "Offline",
    presence_set: "Set presence",
    my_tickets: "My tickets",
    team_queue: "Team queue",
    none: "Nothing here.",
    col_number: "Ticket",
    col_subject: "Subject",
    col_status: "Status",
    col_priority: "Priority",
    col_sla: "SLA left",
    sla_breached: "Breached",
    sla_met: "Responded",
    take: "Take",
    live_connected: "Live updates connected",
    live_offline: "Live updates disconnected, retrying…",
    notify_button: "Enable desktop notifications",
    sound_label: "Sound",
    new_activity: "New activity",
    not_live: "This ticket is not yours: this page no longer updates live. See your tickets on the desk, or reload this page.",
    conversation: "Conversation",
    from_customer: "Customer",
    from_bot: "Bot",
    from_agent: "Agent",
    from_system: "System",
    from_note: "Internal note",
    from_survey: "Satisfaction survey",
    handoff_summary: "Bot hand-over summary",
    customer: "Customer",
    other_tickets: "This customer's other tickets",
    suggestions: "Suggested knowledge-base answers",
    suggestions_none: "No knowledge-base answer matches.",
    insert: "Insert",
    canned_replies: "Canned replies",
    canned_none: "No canned replies yet.",
    reply_label: "Reply to the customer",
    reply_button: "Send reply",
    reply_and_pending: "Send and wait for customer",
    note_label: "Internal note (staff only)",
    note_button: "Add note",
    moves: "Moves",
    reason: "Reason",
    findings: "Findings",
    transfer: "Transfer",
    transfer_to_agent: "To agent",
    transfer_to_team: "or to a team's queue",
    choose: "Choose…",
    escalate: "Escalate to specialists",
    escalate_team: "Specialist team",
    send_back: "Send back to frontline",
    pending: "Wait for customer",
    resolve: "Resolve",
    done: "Done.",
    refused: "Not done:",
    shortcuts: "Keyboard shortcuts",
    shortcut_list: [
        ("r", "Reply to the customer"),
        ("n", "Add an internal note"),
        ("e", "Escalate"),
        ("p", "Wait for customer"),
        ("s", "Resolve"),
        ("j / k", "Next / previous ticket"),
        ("g", "Back to the console home"),
    ],
    desk_shortcut_list: [
        ("j", "Open my first ticket"),
        ("q", "Open the first ticket in the queue"),
    ],
    ticket_facts: "Ticket",
    category: "Category",
    channel: "Channel",
    escalation_reason: "Why it was escalated",
    assignee: "Assignee",
    team: "Team",
    created: "Opened",
    unassigned: "Unassigned",
    back_home: "Back to the console",
    error_title: "Something went wrong",
    error_forbidden: "The request could not be verified. Reload the page and try again.",
    error_not_found: "There is no such page or ticket.",
    error_internal: "Something went wrong on our side. Please try again shortly.",
    error_rate_limited: "Too many requests. Please wait a moment and try again.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_console_text_is_blank_in_either_language() {
        for lang in [Lang::Zh, Lang::En] {
            let v = serde_json::to_value(ConsoleTexts::of(lang)).unwrap_or_default();
            let map = v.as_object().cloned().unwrap_or_default();
            assert!(map.len() > 50);
            for (key, value) in map {
                if let Some(s) = value.as_str() {
                    assert!(!s.trim().is_empty(), "{key} in {lang:?}");
                }
            }
        }
        assert_ne!(ZH.login_button, EN.login_button);
    }

    #[test]
    fn every_status_and_priority_has_a_name() {
        use kefu_domain::{Priority, TicketStatus};
        for lang in [Lang::Zh, Lang::En] {
            let c = ConsoleTexts::of(lang);
            for s in [
                TicketStatus::New,
                TicketStatus::Queued,
                TicketStatus::Assigned,
                TicketStatus::PendingCustomer,
                TicketStatus::Escalated,
                TicketStatus::Resolved,
                TicketStatus::Closed,
            ] {
                assert_ne!(c.status_name(s.as_str()), s.as_str(), "{lang:?}");
            }
            for p in Priority::ALL {
                assert_ne!(c.priority_name(p.as_str()), p.as_str(), "{lang:?}");
            }
        }
    }

    #[test]
    fn every_role_has_its_own_name_and_not_its_code() {
        let roles = [
            AgentRole::Agent,
            AgentRole::Specialist,
            AgentRole::Supervisor,
            AgentRole::Admin,
        ];
        for lang in [Lang::Zh, Lang::En] {
            let names = &ConsoleTexts::of(lang).role_names;
            for r in roles {
                assert_ne!(names.of(r), r.as_str(), "{lang:?}");
                let same = roles
                    .iter()
                    .filter(|o| names.of(**o) == names.of(r))
                    .count();
                assert_eq!(same, 1, "{}", names.of(r));
            }
        }
    }

    #[test]
    fn every_channel_has_its_own_name_and_not_its_code() {
        for lang in [Lang::Zh, Lang::En] {
            let names = &ConsoleTexts::of(lang).channel_names;
            let all: Vec<&str> = kefu_domain::Channel::ALL
                .iter()
                .map(|ch| names.of(*ch))
                .collect();
            for (ch, name) in kefu_domain::Channel::ALL.iter().zip(&all) {
                assert_ne!(*name, ch.as_str(), "{lang:?}");
                assert_eq!(all.iter().filter(|n| *n == name).count(), 1, "{name}");
            }
        }
    }
}
