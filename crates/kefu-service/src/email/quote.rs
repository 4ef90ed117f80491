//! Quoted history and signatures cut from a reply, so the conversation keeps only what the
//! customer wrote now. Mail clients mark the quote in a few well-known ways; everything from
//! the first such mark on is dropped:
//!
//! - a reply header: `On Mon, 1 Dec 2026, Kefu <support@…> wrote:` (possibly wrapped onto a
//!   second line), `在 2026年12月1日 周一 10:00，客服 <support@…> 写道：`;
//! - an Outlook block: a `From:` / `发件人：` line followed within three lines by `Sent:`,
//!   `To:`, `Subject:` or their Chinese forms (`发送时间`, `收件人`, `主题`);
//! - a separator: `-----Original Message-----`, `----- 原始邮件 -----` (QQ, Foxmail …);
//! - the signature separator `-- ` (RFC 3676), and any line starting with `>`.
//!
//! When nothing is left (a mail that is all quote), the whole text is kept instead: losing
//! the customer's words is worse than showing a quote.

/// The new text of a reply: quotes and signature removed, trailing blank lines trimmed.
pub fn strip_quoted(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim();
        if line.trim_end() == "--" || is_separator(trimmed) || starts_quote(&lines[i..]) {
            break;
        }
        if trimmed.starts_with('>') {
            continue;
        }
        kept.push(line.trim_end());
    }
    let out = kept.join("\n").trim().to_owned();
    if out.is_empty() {
        text.trim().to_owned()
    } else {
        out
    }
}

/// `-----Original Message-----` and its translations.
fn is_separator(line: &str) -> bool {
    let inner = line.trim_matches(|c: char| c == '-' || c.is_whitespace());
    line.starts_with("--")
        && matches!(
            inner.to_ascii_lowercase().as_str(),
            "original message" | "forwarded message" | "原始邮件" | "原始郵件" | "转发邮件"
        )
}

/// Whether a quote starts at `rest[0]`: a reply header or an Outlook header block.
fn starts_quote(rest: &[&str]) -> bool {
    let first = rest.first().map_or("", |l| l.trim());
    let next = rest.get(1).map_or("", |l| l.trim());
    if first.starts_with("On ") && (first.ends_with("wrote:") || next.ends_with("wrote:")) {
        return true;
    }
    if first.starts_with('在') && ends_with_xiedao(first) {
        return true;
    }
    if first.starts_with('在') && !first.contains('。') && ends_with_xiedao(next) {
        return true;
    }
    if is_header(
        first,
        &["from:", "发件人:", "发件人：", "寄件者:", "寄件者："],
    ) {
        return rest.iter().skip(1).take(3).any(|l| {
            is_header(
                l.trim(),
                &[
                    "sent:",
                    "to:",
                    "date:",
                    "subject:",
                    "发送时间",
                    "收件人",
                    "时间:",
                    "时间：",
                    "日期",
                    "主题",
                ],
            )
        });
    }
    false
}

fn ends_with_xiedao(line: &str) -> bool {
    let l = line.trim_end();
    l.ends_with("写道：") || l.ends_with("写道:") || l.ends_with("寫道：") || l.ends_with("寫道:")
}

/// Whether the line starts with one of the header names (ASCII case ignored; a `*` from a
/// bold plain-text rendering is allowed first).
fn is_header(line: &str, names: &[&str]) -> bool {
    let line = line.trim_start_matches('*').to_lowercase();
    names.iter().any(|n| line.starts_with(n))
}

#[cfg(test)]
mod tests {
    use super::strip_quoted;

    #[test]
    fn english_reply_header_and_quote_are_cut() {
        let mail = "Thanks, that worked.\n\nOn Mon, 1 Dec 2026 at 10:00, Kefu <support@kefu.test> wrote:\n> Please restart the app.\n> Kefu";
        assert_eq!(strip_quoted(mail), "Thanks, that worked.");
    }

    #[test]
    fn english_reply_header_wrapped_onto_two_lines_is_cut() {
        let mail = "Still broken.\n\nOn Mon, 1 Dec 2026 at 10:00, Kefu Support <support@kefu.test>\nwrote:\n> hi";
        assert_eq!(strip_quoted(mail), "Still broken.");
    }

    #[test]
    fn chinese_reply_header_is_cut() {
        let mail = "好的，谢谢！\n\n在 2026年12月1日 周一 10:00，客服 <support@kefu.test> 写道：\n> 请重启应用。";
        assert_eq!(strip_quoted(mail), "好的，谢谢！");
    }

    #[test]
    fn outlook_block_is_cut_in_both_languages() {
        let en = "See attached.\n\nFrom: Kefu <support@kefu.test>\nSent: Monday, December 1, 2026 10:00\nTo: me\nSubject: RE: login\n\nPlease restart.";
        assert_eq!(strip_quoted(en), "See attached.");
        let zh = "收到\n\n发件人： 客服 <support@kefu.test>\n发送时间： 2026年12月1日 10:00\n收件人： 我\n主题： 登录问题\n\n请重启。";
        assert_eq!(strip_quoted(zh), "收到");
    }

    #[test]
    fn a_from_line_in_the_text_itself_is_kept() {
        let mail = "From: my phone I cannot log in.\nIt says error 500.";
        assert_eq!(strip_quoted(mail), mail);
    }

    #[test]
    fn separators_and_signatures_are_cut() {
        let qq = "已解决\n\n------------------ 原始邮件 ------------------\n发件人: \"客服\"";
        assert_eq!(strip_quoted(qq), "已解决");
        let outlook = "ok\n-----Original Message-----\nFrom: x";
        assert_eq!(strip_quoted(outlook), "ok");
        let signed = "Cannot log in.\n\n-- \nAlice\nSent from my phone";
        assert_eq!(strip_quoted(signed), "Cannot log in.");
    }

    #[test]
    fn inline_quote_lines_are_dropped_and_answers_kept() {
        let mail = "> Which device?\nAn iPhone 15.\n> Which version?\n30.1.0";
        assert_eq!(strip_quoted(mail), "An iPhone 15.\n30.1.0");
    }

    #[test]
    fn a_mail_that_is_all_quote_keeps_its_text() {
        assert_eq!(strip_quoted("> only a quote"), "> only a quote");
    }
}
