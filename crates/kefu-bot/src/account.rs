//! Finding the customer's account in what they wrote: a labelled handle (抖音号, ID, UID,
//! 账号, username … followed by letters, digits, `_` and `.`), a phone number (plain, with
//! +86, or masked as 138****1234), an e-mail address, or a long number such as a UID.
//!
//! Works on the raw message (only full-width forms are folded): the surface normalization
//! drops `_`, `.`, `@` and `*`, which handles, e-mail addresses and masked numbers need.

/// Words that label an account handle, longest first so that 抖音号 wins over 号.
const LABELS: &[&str] = &[
    "抖音号",
    "抖音id",
    "用户名",
    "username",
    "账号",
    "帐号",
    "账户",
    "uid",
    "id",
    "account",
];

/// Characters that may sit between a label and its handle (是, ：, a space…).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, ':' | '：' | '是' | '为' | '=' | '-' | '#')
}

fn is_handle_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Half-width, lower-case ASCII; everything else as it is.
fn fold(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c),
            _ => c,
        })
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Every account-like item of a message, in order of appearance, without repeats.
pub fn accounts_in(message: &str) -> Vec<String> {
    let text = fold(message);
    let chars: Vec<char> = text.chars().collect();
    let mut found: Vec<(usize, String)> = Vec::new();
    let mut taken = vec![false; chars.len()];
    let mut take = |start: usize, end: usize, found: &mut Vec<(usize, String)>| {
        if taken[start..end].iter().any(|t| *t) {
            return;
        }
        taken[start..end].iter_mut().for_each(|t| *t = true);
        let item: String = chars[start..end].iter().collect();
        found.push((start, item.trim_end_matches('.').to_owned()));
    };
    for (start, end) in emails(&chars) {
        take(start, end, &mut found);
    }
    for (start, end) in phones(&chars) {
        take(start, end, &mut found);
    }
    for (start, end) in labelled_handles(&chars) {
        take(start, end, &mut found);
    }
    for (start, end) in long_numbers(&chars) {
        take(start, end, &mut found);
    }
    found.sort_by_key(|(at, _)| *at);
    let mut items: Vec<String> = Vec::new();
    for (_, item) in found {
        if !item.is_empty() && !items.contains(&item) {
            items.push(item);
        }
    }
    items
}

/// The account field of a summary: every account item of the message joined with " / ".
pub fn account_in(message: &str) -> Option<String> {
    let items = accounts_in(message);
    (!items.is_empty()).then(|| items.join(" / "))
}

/// A bare handle sent as the answer to "what is your account?" (`wang_2024`): one token of
/// handle characters, 4–40 long, with a digit, `_` or `.` (a plain word is not a handle).
pub fn bare_handle(message: &str) -> Option<String> {
    let text = fold(message);
    let token = text.trim().trim_end_matches(['。', '.', '!', '！']);
    let ok = (4..=40).contains(&token.len())
        && token.chars().all(is_handle_char)
        && token.chars().any(|c| c.is_ascii_alphanumeric())
        && token
            .chars()
            .any(|c| c.is_ascii_digit() || c == '_' || c == '.');
    ok.then(|| token.to_owned())
}

/// Runs of `pred` as `(start, end)` character positions.
fn runs(chars: &[char], pred: impl Fn(char) -> bool) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if pred(chars[i]) {
            let start = i;
            while i < chars.len() && pred(chars[i]) {
                i += 1;
            }
            out.push((start, i));
        } else {
            i += 1;
        }
    }
    out
}

fn emails(chars: &[char]) -> Vec<(usize, usize)> {
    let email_char = |c: char| is_handle_char(c) || matches!(c, '@' | '-' | '+' | '%');
    runs(chars, email_char)
        .into_iter()
        .filter(|&(s, e)| {
            let token: String = chars[s..e].iter().collect();
            let token = token.trim_end_matches('.');
            let Some((local, domain)) = token.split_once('@') else {
                return false;
            };
            !local.is_empty()
                && !domain.contains('@')
                && domain
                    .rsplit_once('.')
                    .is_some_and(|(host, tld)| !host.is_empty() && tld.len() >= 2)
        })
        .collect()
}

/// Chinese mobile numbers: 11 digits starting with 1 (optionally after +86 / 86), or the
/// same with the middle digits masked by `*` or `x` (138****1234).
fn phones(chars: &[char]) -> Vec<(usize, usize)> {
    let phone_char = |c: char| c.is_ascii_digit() || matches!(c, '*' | '+' | 'x' | '-' | ' ');
    let mut out = Vec::new();
    for (s, e) in runs(chars, phone_char) {
        let token: String = chars[s..e].iter().collect();
        let lead = token.len() - token.trim_start().len();
        let token = token.trim();
        let body = token
            .strip_prefix("+86")
            .or_else(|| {
                token
                    .strip_prefix("86")
                    .filter(|b| b.trim_start().len() >= 11)
            })
            .unwrap_or(token)
            .trim_start_matches(['-', ' ']);
        let compact: String = body.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        let digits = compact.chars().filter(char::is_ascii_digit).count();
        let masked = compact.len() - digits;
        let shape = compact.len() == 11
            && compact.starts_with('1')
            && (masked == 0 || (digits >= 6 && compact[3..].starts_with(['*', 'x'])));
        if shape {
            let start = s + lead;
            out.push((start, start + token.chars().count()));
        }
    }
    out
}

/// Handles right after a label (抖音号 wang_2024, UID：12345, id是abc.def, username is
/// lucy.w). A handle has a digit, `_` or `.`; after 抖音号 or 用户名, which can introduce
/// nothing else, six letters are enough.
fn labelled_handles(chars: &[char]) -> Vec<(usize, usize)> {
    let text: String = chars.iter().collect();
    let mut out = Vec::new();
    for (byte_at, _) in text.char_indices() {
        let Some(label) = LABELS.iter().find(|l| text[byte_at..].starts_with(*l)) else {
            continue;
        };
        let at = text[..byte_at].chars().count();
        // A latin label must be a word of its own (not the "id" of "paid").
        let before = at.checked_sub(1).map(|p| chars[p]);
        if label.is_ascii() && before.is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let mut i = at + label.chars().count();
        let skip = |i: &mut usize| {
            while *i < chars.len() && is_separator(chars[*i]) {
                *i += 1;
            }
        };
        skip(&mut i);
        if chars[i..].starts_with(&['i', 's']) && chars.get(i + 2).is_some_and(|c| is_separator(*c))
        {
            i += 2;
            skip(&mut i);
        }
        let start = i;
        while i < chars.len() && is_handle_char(chars[i]) {
            i += 1;
        }
        let handle: String = chars[start..i].iter().collect();
        let handle = handle.trim_end_matches('.');
        let marked = handle
            .chars()
            .any(|c| c.is_ascii_digit() || c == '_' || c == '.');
        let named = matches!(*label, "抖音号" | "用户名") && handle.len() >= 6;
        if handle.len() >= 3
            && handle.chars().any(|c| c.is_ascii_alphanumeric())
            && (marked || named)
        {
            out.push((start, start + handle.chars().count()));
        }
    }
    out
}

/// Unlabelled ids: a token of letters and digits (and `_`) of six or more with five digits.
fn long_numbers(chars: &[char]) -> Vec<(usize, usize)> {
    runs(chars, |c| c.is_ascii_alphanumeric() || c == '_')
        .into_iter()
        .filter(|&(s, e)| {
            e - s >= 6 && chars[s..e].iter().filter(|c| c.is_ascii_digit()).count() >= 5
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_handle_and_a_masked_phone_are_both_found() {
        assert_eq!(
            accounts_in("抖音号 wang_2024，绑定手机 138****1234"),
            vec!["wang_2024", "138****1234"]
        );
        assert_eq!(
            account_in("抖音号 wang_2024，绑定手机 138****1234").as_deref(),
            Some("wang_2024 / 138****1234")
        );
    }

    #[test]
    fn labels_in_chinese_and_english_introduce_handles() {
        assert_eq!(
            accounts_in("我的抖音号是：xiao.ming_88"),
            vec!["xiao.ming_88"]
        );
        assert_eq!(accounts_in("UID：8812345"), vec!["8812345"]);
        assert_eq!(accounts_in("ＩＤ ａｂｃ_１２３"), vec!["abc_123"]);
        assert_eq!(accounts_in("my username is lucy.w"), vec!["lucy.w"]);
        assert_eq!(accounts_in("抖音号：wangxiaoming"), vec!["wangxiaoming"]);
        assert_eq!(accounts_in("I paid 100 yuan"), Vec::<String>::new());
        assert_eq!(accounts_in("my account is locked"), Vec::<String>::new());
    }

    #[test]
    fn phone_numbers_plain_prefixed_or_masked() {
        assert_eq!(accounts_in("手机13800138000"), vec!["13800138000"]);
        assert_eq!(
            accounts_in("+86 138 0013 8000 登录不了"),
            vec!["+86 138 0013 8000"]
        );
        assert_eq!(accounts_in("尾号是138xxxx1234"), vec!["138xxxx1234"]);
        assert_eq!(accounts_in("充了100元"), Vec::<String>::new());
    }

    #[test]
    fn email_addresses_are_accounts() {
        assert_eq!(
            accounts_in("邮箱 wang.li@example.com 收不到验证码"),
            vec!["wang.li@example.com"]
        );
        assert_eq!(accounts_in("at @ sign only"), Vec::<String>::new());
    }

    #[test]
    fn long_numbers_are_ids_short_ones_are_not() {
        assert_eq!(accounts_in("我的id是 abc12345"), vec!["abc12345"]);
        assert_eq!(accounts_in("订单 20240512 有问题"), vec!["20240512"]);
        assert_eq!(accounts_in("我充了100元"), Vec::<String>::new());
    }

    #[test]
    fn a_bare_handle_is_recognized_only_as_a_handle() {
        assert_eq!(bare_handle("wang_2024").as_deref(), Some("wang_2024"));
        assert_eq!(bare_handle(" lucy.w "), Some("lucy.w".to_owned()));
        assert_eq!(bare_handle("hello"), None);
        assert_eq!(bare_handle("直播间被限流了"), None);
        assert_eq!(bare_handle("a_b c"), None);
    }
}
