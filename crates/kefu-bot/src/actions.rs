//! Opposite actions: 加入/退出, 开通/关闭, 绑定/解绑, 申请/取消, 开启/关闭, 注册/注销,
//! 关注/取关 (and join/leave, enable/disable, bind/unbind, apply/cancel, subscribe/unsubscribe).
//! "怎么加入创作者激励" and "怎么退出创作者激励" share every word but one, so a similarity
//! score alone ranks them close; answering one with the other is the worst mistake a bot can
//! make. A query that names one side of a pair is never answered outright with an entry whose
//! question names only the other side (see `Bot::similarities` and `decide`).
//!
//! Each pair is read on its own, and at each position the longest form wins: 取消关注 is the
//! 取关 side though it contains 关注, 解除绑定 the 解绑 side though it contains 绑定.

/// One pair: forms of the first side, forms of the second. General language only.
struct Pair {
    first: &'static [&'static str],
    second: &'static [&'static str],
}

const PAIRS: &[Pair] = &[
    Pair {
        first: &["加入", "参加", "报名参加"],
        second: &["退出", "取消加入", "不想参加"],
    },
    Pair {
        first: &["开通"],
        second: &["关闭", "取消开通", "停用"],
    },
    Pair {
        first: &["绑定", "关联"],
        second: &["解绑", "解除绑定", "取消绑定", "解除关联", "取消关联"],
    },
    Pair {
        first: &["申请"],
        second: &["取消", "撤回", "撤销", "取消申请", "撤回申请"],
    },
    Pair {
        first: &["开启", "打开"],
        second: &["关闭", "关掉"],
    },
    Pair {
        first: &["注册"],
        second: &["注销", "销户"],
    },
    Pair {
        first: &["关注"],
        second: &["取关", "取消关注"],
    },
    Pair {
        first: &["join", "joining"],
        second: &["leave", "leaving", "quit", "quitting", "exit"],
    },
    Pair {
        first: &["enable", "turn on", "switch on"],
        second: &["disable", "turn off", "switch off"],
    },
    Pair {
        first: &["bind", "link"],
        second: &["unbind", "unlink"],
    },
    Pair {
        first: &["apply", "applying"],
        second: &["cancel", "cancelling", "canceling", "withdraw"],
    },
    Pair {
        first: &["subscribe", "subscribing"],
        second: &["unsubscribe", "unsubscribing"],
    },
];

/// Which sides of which pairs a text names: bit `i` of `first` (of `second`) is set when the
/// text names the first (second) side of pair `i`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sides {
    first: u32,
    second: u32,
}

impl Sides {
    /// Reads a surface-normalized text (lower case, punctuation gone).
    pub fn of(surface: &str) -> Sides {
        // Latin forms match whole words: pad with spaces and look for " form ".
        let padded = format!(
            " {} ",
            surface.split_whitespace().collect::<Vec<_>>().join(" ")
        );
        let mut sides = Sides::default();
        for (i, pair) in PAIRS.iter().enumerate() {
            let (first, second) = sides_of_pair(&padded, pair);
            if first {
                sides.first |= 1 << i;
            }
            if second {
                sides.second |= 1 << i;
            }
        }
        sides
    }

    /// The sides named by either text.
    pub fn union(self, other: Sides) -> Sides {
        Sides {
            first: self.first | other.first,
            second: self.second | other.second,
        }
    }

    /// True when the text names no side at all.
    pub fn is_empty(self) -> bool {
        self.first == 0 && self.second == 0
    }

    /// True when `self` (a query) names only one side of a pair of which `other` (an entry's
    /// question) names only the other side.
    pub fn opposes(self, other: Sides) -> bool {
        let only_first = |s: Sides| s.first & !s.second;
        let only_second = |s: Sides| s.second & !s.first;
        (only_first(self) & only_second(other)) != 0 || (only_second(self) & only_first(other)) != 0
    }
}

/// Scans `padded` once: at each position the longest form of either side of the pair.
fn sides_of_pair(padded: &str, pair: &Pair) -> (bool, bool) {
    let mut forms: Vec<(&str, bool)> = pair
        .first
        .iter()
        .map(|f| (*f, false))
        .chain(pair.second.iter().map(|f| (*f, true)))
        .collect();
    forms.sort_by_key(|(f, _)| std::cmp::Reverse(f.len()));
    let (mut first, mut second) = (false, false);
    let mut at = 0;
    while at < padded.len() {
        let rest = &padded[at..];
        let hit = forms.iter().find(|(form, _)| {
            if form.is_ascii() {
                rest.starts_with(' ')
                    && rest[1..].starts_with(form)
                    && rest[1 + form.len()..].starts_with(' ')
            } else {
                rest.starts_with(form)
            }
        });
        match hit {
            Some((form, is_second)) => {
                if *is_second {
                    second = true;
                } else {
                    first = true;
                }
                at += form.len() + usize::from(form.is_ascii());
            }
            None => {
                at += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    (first, second)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize_surface;

    fn sides(text: &str) -> Sides {
        Sides::of(&normalize_surface(text))
    }

    fn opposed(query: &str, question: &str) -> bool {
        sides(query).opposes(sides(question))
    }

    #[test]
    fn every_chinese_pair_opposes_its_other_side() {
        for (one, other) in [
            ("创作者激励计划怎么加入", "怎么退出创作者激励计划？"),
            ("怎么开通直播权限", "怎么关闭直播权限"),
            ("怎么绑定银行卡", "怎么解绑银行卡"),
            ("怎么申请直播带货", "怎么取消直播带货"),
            ("怎么开启私信", "怎么关闭私信"),
            ("怎么注册账号", "怎么注销账号"),
            ("怎么关注主播", "怎么取关主播"),
        ] {
            assert!(opposed(one, other), "{one} / {other}");
            assert!(opposed(other, one), "{other} / {one}");
            assert!(!opposed(one, one), "{one}");
        }
    }

    #[test]
    fn every_english_pair_opposes_its_other_side() {
        for (one, other) in [
            (
                "how to join the creator program",
                "how do I leave the creator program",
            ),
            (
                "how to join the creator program",
                "I want to quit the creator program",
            ),
            ("enable comments", "disable comments"),
            ("turn on notifications", "turn off notifications"),
            ("bind my bank card", "unbind my bank card"),
            ("link my phone", "unlink my phone"),
            ("apply for live streaming", "cancel live streaming"),
            ("subscribe to the channel", "unsubscribe from the channel"),
        ] {
            assert!(opposed(one, other), "{one} / {other}");
            assert!(opposed(other, one), "{other} / {one}");
        }
    }

    #[test]
    fn the_longer_form_wins_over_the_word_it_contains() {
        assert!(opposed("怎么取消关注", "怎么关注别人"));
        assert!(opposed("解除绑定手机号", "怎么绑定手机号"));
        assert!(opposed("取消申请", "怎么申请"));
        assert!(!opposed("取消关注", "取关"));
    }

    #[test]
    fn a_query_or_entry_naming_both_sides_or_none_opposes_nothing() {
        assert!(!opposed("开通了又想关闭怎么办", "怎么关闭"));
        assert!(!opposed("怎么开通", "开通和关闭的区别"));
        assert!(!opposed("直播权限", "怎么关闭直播权限"));
        assert!(sides("直播权限").is_empty());
        assert!(!opposed("linking", "unlink"));
    }
}
