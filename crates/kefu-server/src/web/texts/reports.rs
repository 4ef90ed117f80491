//! The report pages' texts (`/console/reports/…`), zh-CN and English: the page's own words
//! ([`ReportTexts`], read as `r.<field>` in the template) and the names of reports, tables
//! and columns ([`name`]), which are the API's identifiers.

use kefu_service::Lang;
use serde::Serialize;

/// The report page's texts of one language.
#[derive(Debug, Serialize)]
pub struct ReportTexts {
    pub title: &'static str,
    pub filters: &'static str,
    pub from: &'static str,
    pub to: &'static str,
    pub time_zone: &'static str,
    pub channel: &'static str,
    pub domain: &'static str,
    pub team: &'static str,
    pub agent: &'static str,
    pub hour: &'static str,
    pub hour_placeholder: &'static str,
    pub any: &'static str,
    pub show: &'static str,
    pub download_csv: &'static str,
    pub empty_table: &'static str,
    pub invalid: &'static str,
    pub agent_note: &'static str,
    pub rollup_note: &'static str,
    pub chart_count: &'static str,
    pub chart_seconds: &'static str,
    pub chart_rate: &'static str,
    pub chart_people: &'static str,
    pub forecast_note: &'static str,
    pub hour_note: &'static str,
}

impl ReportTexts {
    pub fn of(lang: Lang) -> &'static ReportTexts {
        match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        }
    }
}

const ZH: ReportTexts = ReportTexts {
    title: "报表",
    filters: "范围与筛选",
    from: "开始日期",
    to: "结束日期",
    time_zone: "时区",
    channel: "渠道",
    domain: "业务领域",
    team: "团队",
    agent: "客服",
    hour: "时段",
    hour_placeholder: "如 9-17",
    any: "全部",
    show: "查看",
    download_csv: "下载 CSV",
    empty_table: "此范围内没有数据。",
    invalid: "请检查以下字段：",
    agent_note: "按客服筛选时不能再按渠道、领域或团队筛选。",
    rollup_note: "数据来自按小时汇总（事件号 {cursor} 之前），中位数与 P90 误差约 1%。",
    chart_count: "数量",
    chart_seconds: "秒",
    chart_rate: "比例",
    chart_people: "人数 / 每小时进线",
    forecast_note: "明日预测：用排班模拟器按当前排班和所选范围的进线规律模拟明天一天。",
    hour_note: "时段按所选时区的本地时间计：9 即 9:00–10:00，9-17 即 9:00–17:00（不含 17 点），22-6 跨越午夜；留空为全天。UTC 偏移不是整小时的时区（如 Asia/Kolkata）不能按时段筛选。",
};

const EN: ReportTexts = ReportTexts {
    title: "Reports",
    filters: "Range and filters",
    from: "From",
    to: "To",
    time_zone: "Time zone",
    channel: "Channel",
    domain: "Domain",
    team: "Team",
    agent: "Agent",
    hour: "Hours",
    hour_placeholder: "e.g. 9-17",
    any: "All",
    show: "Show",
    download_csv: "Download CSV",
    empty_table: "No data in this range.",
    invalid: "Please check these fields:",
    agent_note: "An agent filter cannot be combined with channel, domain or team.",
    rollup_note: "From the hourly rollups (events up to #{cursor}); medians and p90s within about 1 %.",
    chart_count: "Count",
    chart_seconds: "Seconds",
    chart_rate: "Rate",
    chart_people: "People / arrivals per hour",
    forecast_note: "Tomorrow's forecast: the day simulator run on the current roster with the range's arrival pattern.",
    hour_note: "Hours are local hours of the chosen time zone: 9 is 9:00–10:00, 9-17 is 9:00–17:00 (17 excluded), 22-6 spans midnight; blank is all day. Zones whose UTC offset is not a whole number of hours (such as Asia/Kolkata) cannot filter by hours.",
};

/// (identifier, zh-CN, English) of reports, tables and columns.
const NAMES: &[(&str, &str, &str)] = &[
    ("volume", "进线量", "Volume"),
    ("bot", "机器人", "Bot"),
    ("speed", "响应速度", "Speed"),
    ("promise", "服务承诺", "The promise"),
    ("satisfaction", "满意度", "Satisfaction"),
    ("staffing", "人力", "Staffing"),
    ("by_channel", "按渠道", "By channel"),
    ("by_domain", "按领域", "By domain"),
    ("by_hour_of_day", "按时段", "By hour of day"),
    ("by_day_of_week", "按星期", "By day of week"),
    ("by_date", "按日期", "By date"),
    ("summary", "汇总", "Summary"),
    ("handover_reasons", "转人工原因", "Hand-over reasons"),
    (
        "top_unanswered",
        "未能回答的问题",
        "Top unanswered questions",
    ),
    ("timings", "时长", "Timings"),
    ("attainment", "SLA 达成", "SLA attainment"),
    ("nearest_to_breach", "即将超时", "Nearest to breach"),
    ("by_agent", "按客服", "By agent"),
    ("by_team", "按团队", "By team"),
    ("low_score_reviews", "低分复核", "Low-score reviews"),
    ("by_hour", "按时段人力", "Staff by hour"),
    ("forecast", "明日预测", "Tomorrow's forecast"),
    (
        "forecast_by_domain",
        "明日预测（按领域）",
        "Tomorrow's forecast by domain",
    ),
    ("channel", "渠道", "Channel"),
    ("opened", "新建", "Opened"),
    ("domain", "领域", "Domain"),
    ("hour", "时", "Hour"),
    ("per_day", "日均", "Per day"),
    ("weekday", "星期", "Weekday"),
    ("date", "日期", "Date"),
    ("handed_off", "转人工", "Handed off"),
    ("handover_rate", "转人工率", "Hand-over rate"),
    ("resolved", "已解决", "Resolved"),
    ("bot_resolved", "机器人解决", "Bot resolved"),
    ("containment_rate", "机器人解决率", "Containment"),
    ("helpful_yes", "有帮助", "Helpful"),
    ("helpful_no", "没帮助", "Not helpful"),
    ("helpful_rate", "有帮助率", "Helpful rate"),
    ("reason", "原因", "Reason"),
    ("count", "数量", "Count"),
    ("share", "占比", "Share"),
    ("question", "问题", "Question"),
    ("metric", "指标", "Metric"),
    ("mean_s", "平均（秒）", "Mean (s)"),
    ("median_s", "中位数（秒）", "Median (s)"),
    ("p90_s", "P90（秒）", "p90 (s)"),
    ("first_responses", "首次响应", "First responses"),
    (
        "first_response_median_s",
        "首次响应中位数（秒）",
        "First response median (s)",
    ),
    (
        "first_response_p90_s",
        "首次响应 P90（秒）",
        "First response p90 (s)",
    ),
    ("resolutions", "解决", "Resolutions"),
    (
        "resolution_median_s",
        "解决中位数（秒）",
        "Resolution median (s)",
    ),
    ("resolution_p90_s", "解决 P90（秒）", "Resolution p90 (s)"),
    ("within_24h", "24 小时内", "Within 24 h"),
    (
        "share_within_24h",
        "24 小时内响应占比",
        "Answered within 24 h",
    ),
    ("sla_warnings", "SLA 预警", "SLA warnings"),
    ("sla_breaches", "SLA 超时", "SLA breaches"),
    ("target", "目标", "Target"),
    ("priority", "优先级", "Priority"),
    ("completed", "完成", "Completed"),
    ("warnings", "预警", "Warnings"),
    ("breaches", "超时", "Breaches"),
    ("ticket_number", "工单号", "Ticket"),
    ("due_at", "到期", "Due"),
    ("minutes_left", "剩余分钟", "Minutes left"),
    ("id", "编号", "Id"),
    ("name", "名称", "Name"),
    ("surveys_sent", "已发回访", "Surveys sent"),
    ("responses", "回复", "Responses"),
    ("response_rate", "回复率", "Response rate"),
    ("scores", "评分数", "Scores"),
    ("csat_average", "平均满意度", "CSAT average"),
    ("low_scores", "低分", "Low scores"),
    ("outcome", "结果", "Outcome"),
    ("arrivals_per_hour", "每小时进线", "Arrivals per hour"),
    ("on_duty", "在岗", "On duty"),
    ("erlang_c_required", "Erlang C 需要", "Erlang C needs"),
    ("gap", "差额", "Gap"),
    ("agents", "客服数", "Agents"),
    ("offered", "进线", "Offered"),
    ("contained_by_bot", "机器人解决", "Contained by bot"),
    ("answered", "已应答", "Answered"),
    ("abandoned", "放弃", "Abandoned"),
    ("unanswered_at_end", "结束时未应答", "Unanswered at end"),
    ("service_level", "服务水平", "Service level"),
    ("asa_s", "平均应答（秒）", "ASA (s)"),
    ("average_occupancy", "平均占用率", "Average occupancy"),
    ("sla_attainment", "SLA 达成率", "SLA attainment"),
];

/// The name of a report, table or column in `lang` (the identifier when none is known).
pub fn name(lang: Lang, id: &str) -> String {
    NAMES.iter().find(|(k, _, _)| *k == id).map_or_else(
        || id.to_owned(),
        |(_, zh, en)| match lang {
            Lang::Zh => (*zh).to_owned(),
            Lang::En => (*en).to_owned(),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_listed_once() {
        let mut ids: Vec<&str> = NAMES.iter().map(|(k, _, _)| *k).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n);
        assert_eq!(name(Lang::Zh, "volume"), "进线量");
        assert_eq!(name(Lang::En, "unknown_column"), "unknown_column");
    }
}
