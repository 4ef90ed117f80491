//! The console's navigation: one list, shown in `console/base.html` to everyone whose role
//! covers the entry's. Pages of other roles (supervisor, admin) add an entry here and a
//! route in their own module; the layout and the agent pages need no change.

use kefu_domain::AgentRole;
use kefu_service::Lang;
use serde::Serialize;

/// One item of the console's navigation.
pub struct NavEntry {
    /// Marks the current page (`active`); pages pass it to [`super::render::page`].
    pub key: &'static str,
    pub href: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    /// Shown to roles that cover this one.
    pub role: AgentRole,
}

/// The console's navigation, in display order.
pub const NAV: &[NavEntry] = &[
    NavEntry {
        key: "home",
        href: "/console",
        zh: "我的工作台",
        en: "My desk",
        role: AgentRole::Agent,
    },
    // The supervisor and admin pages (web/console_admin/).
    NavEntry {
        key: "supervisor",
        href: "/console/supervisor",
        zh: "主管看板",
        en: "Dashboard",
        role: AgentRole::Supervisor,
    },
    NavEntry {
        key: "reports",
        href: "/console/reports/volume",
        zh: "报表",
        en: "Reports",
        role: AgentRole::Supervisor,
    },
    NavEntry {
        key: "policies",
        href: "/console/policies",
        zh: "政策通知",
        en: "Policies",
        role: AgentRole::Agent,
    },
    NavEntry {
        key: "rosters",
        href: "/console/rosters",
        zh: "排班",
        en: "Rosters",
        role: AgentRole::Supervisor,
    },
    NavEntry {
        key: "kb",
        href: "/console/kb",
        zh: "知识库",
        en: "Knowledge base",
        role: AgentRole::Supervisor,
    },
    NavEntry {
        key: "learning",
        href: "/console/learning",
        zh: "知识库优化",
        en: "Learning",
        role: AgentRole::Supervisor,
    },
    NavEntry {
        key: "skills",
        href: "/console/admin/skills",
        zh: "技能认证",
        en: "Skills",
        role: AgentRole::Supervisor,
    },
    NavEntry {
        key: "agents",
        href: "/console/admin/agents",
        zh: "账号",
        en: "Accounts",
        role: AgentRole::Admin,
    },
    NavEntry {
        key: "teams",
        href: "/console/admin/teams",
        zh: "团队",
        en: "Teams",
        role: AgentRole::Admin,
    },
    NavEntry {
        key: "categories",
        href: "/console/admin/categories",
        zh: "分类",
        en: "Categories",
        role: AgentRole::Admin,
    },
    NavEntry {
        key: "sla",
        href: "/console/admin/sla",
        zh: "SLA 策略",
        en: "SLA policies",
        role: AgentRole::Admin,
    },
    NavEntry {
        key: "api_keys",
        href: "/console/admin/api-keys",
        zh: "API 密钥",
        en: "API keys",
        role: AgentRole::Admin,
    },
    NavEntry {
        key: "jobs",
        href: "/console/admin/jobs",
        zh: "失败任务",
        en: "Dead jobs",
        role: AgentRole::Admin,
    },
];

/// A navigation item as the layout shows it.
#[derive(Debug, Serialize)]
pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// The items `role` sees, in `lang`, with `current` marked.
pub fn items(role: AgentRole, lang: Lang, current: &str) -> Vec<NavItem> {
    NAV.iter()
        .filter(|e| role.covers(e.role))
        .map(|e| NavItem {
            href: e.href,
            label: match lang {
                Lang::Zh => e.zh,
                Lang::En => e.en,
            },
            active: e.key == current,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_sees_the_desk_and_it_is_marked_when_current() {
        for role in AgentRole::ALL {
            let items = items(role, Lang::En, "home");
            assert!(items.iter().any(|i| i.href == "/console" && i.active));
        }
    }
}
