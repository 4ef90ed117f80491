//! A small table of general Chinese synonyms. Each group is mapped to its first member, so
//! that a query and an FAQ phrasing that use different words for one thing share features.

/// Synonym groups; the first word of a group is the canonical one. Only general-language
/// equivalences belong here, never wording taken from a particular knowledge base.
const GROUPS: &[&[&str]] = &[
    &["登录", "登入", "登陆", "登进"],
    &["密码", "口令", "密玛"],
    &["钱", "资金", "金额", "款项"],
    &["取消", "退订"],
    &["怎么", "如何", "怎样", "怎么样", "咋"],
    &["手机号", "电话号码", "手机号码", "电话号", "手机号"],
    &["账号", "账户", "帐号", "帐户"],
    &["修改", "更改", "变更", "更换", "改成"],
    &["忘记", "忘了", "想不起来", "记不得", "记不住", "不记得"],
    &["不能", "无法", "不了", "没法", "没办法", "不可以", "不行"],
    &["打不开", "进不去", "开不了", "点不开", "无法打开"],
    &["为什么", "为何", "为啥", "怎么回事"],
    &["价格", "费用", "收费", "多少钱", "价钱"],
    &["购买", "订购", "买", "开通", "办理"],
    &["查看", "查询", "查找", "看看"],
    &["收不到", "没收到", "没有收到", "接收不到", "收不了"],
    &["验证码", "校验码", "动态码"],
    &["绑定", "关联"],
    &["解绑", "解除绑定", "取消绑定"],
    &["到期", "过期", "期满"],
    &["续费", "续订"],
    &["退款", "退钱", "退费"],
    &["电脑", "pc", "电脑版", "电脑端"],
    &["苹果", "iphone", "ios"],
    &["安卓", "android"],
    &["软件", "app", "应用", "客户端"],
    &["客服", "人工客服", "人工服务"],
    &["时间", "时候"],
    &["注销", "销户", "删除账号"],
    &["下载", "安装"],
    &["显示", "展示", "出现"],
    &["工作时间", "上班时间", "营业时间"],
    &["失败", "不成功", "没成功"],
    &["转账", "转钱", "汇款"],
    &["到账", "到帐", "入账"],
    &["封禁", "封号", "被封"],
    &["解封", "解除封禁", "解禁"],
    &["申诉", "上诉"],
    &["实名认证", "实名", "身份认证"],
    &["限流", "没流量", "没有流量"],
];

/// Every (synonym, canonical) pair, longest synonym first so that replacement is greedy.
fn pairs() -> &'static [(&'static str, &'static str)] {
    static PAIRS: std::sync::OnceLock<Vec<(&'static str, &'static str)>> =
        std::sync::OnceLock::new();
    PAIRS.get_or_init(|| {
        let mut pairs: Vec<(&str, &str)> = GROUPS
            .iter()
            .flat_map(|group| {
                let canonical = group[0];
                group.iter().skip(1).map(move |word| (*word, canonical))
            })
            .filter(|(word, canonical)| word != canonical)
            .collect();
        pairs.sort_by_key(|(word, _)| std::cmp::Reverse(word.chars().count()));
        pairs
    })
}

/// Rewrites every synonym in `text` to its canonical word (greedy, longest match first).
pub fn canonicalize(text: &str) -> String {
    let pairs = pairs();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    'outer: while let Some(c) = rest.chars().next() {
        for (word, canonical) in pairs {
            if let Some(after) = rest.strip_prefix(word) {
                out.push_str(canonical);
                rest = after;
                continue 'outer;
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_map_to_the_first_word_of_their_group() {
        assert_eq!(canonicalize("如何找回口令"), "怎么找回密码");
        assert_eq!(canonicalize("电话号码换了"), "手机号换了");
    }

    #[test]
    fn longer_synonyms_win_over_shorter_ones() {
        assert_eq!(canonicalize("没有收到验证码"), "收不到验证码");
    }

    #[test]
    fn text_without_synonyms_is_unchanged() {
        assert_eq!(canonicalize("直播带货规则"), "直播带货规则");
    }
}
