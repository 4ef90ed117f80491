//! How mails find their ticket and how kefu's mails say where they belong: the ticket
//! number in the subject (`[#261124-3820-1957-4] …`), `Re:`/`回复：` prefixes, Message-IDs.

use kefu_domain::TicketNumber;

/// The ticket number a subject quotes as `[#…]` or `#…` (digits with optional dashes or
/// spaces; the check digit must match).
pub fn ticket_number_in(subject: &str) -> Option<TicketNumber> {
    subject.match_indices('#').find_map(|(i, _)| {
        let rest = &subject[i + 1..];
        let candidate: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-' || *c == ' ')
            .collect();
        candidate.trim().parse().ok()
    })
}

/// The subject without reply and forward prefixes (`Re:`, `RE:`, `Fwd:`, `回复：`, `答复:`,
/// `转发：`) or kefu's `[#number]` tag: the customer's own words.
pub fn clean_subject(subject: &str) -> String {
    let mut s = subject.trim();
    loop {
        let before = s;
        for prefix in [
            "re:",
            "re：",
            "aw:",
            "fw:",
            "fwd:",
            "回复:",
            "回复：",
            "答复:",
            "答复：",
            "转发:",
            "转发：",
        ] {
            if s.len() >= prefix.len()
                && s.is_char_boundary(prefix.len())
                && s[..prefix.len()].eq_ignore_ascii_case(prefix)
            {
                s = s[prefix.len()..].trim_start();
            }
        }
        if let Some(rest) = s.strip_prefix("[#")
            && let Some(end) = rest.find(']')
        {
            s = rest[end + 1..].trim_start();
        }
        if s == before {
            return s.trim().to_owned();
        }
    }
}

/// The subject of kefu's mails on a ticket: `[#number] Re: subject`.
pub fn reply_subject(number: &TicketNumber, subject: &str) -> String {
    let subject = clean_subject(subject);
    if subject.is_empty() {
        format!("[#{}]", number.grouped())
    } else {
        format!("[#{}] Re: {subject}", number.grouped())
    }
}

/// A Message-ID without its angle brackets and surrounding space, or `None` when it is not
/// one (empty, spaces or brackets inside, too long).
pub fn clean_message_id(raw: &str) -> Option<String> {
    let id = raw
        .trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim();
    let ok = !id.is_empty()
        && id.len() <= 200
        && !id
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>'));
    ok.then(|| id.to_owned())
}

/// The domain of an address (`support@kefu.test` → `kefu.test`), for kefu's Message-IDs.
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("localhost", |(_, d)| d)
}

/// The Message-ID of a mail kefu sends on a ticket: `kefu.<number>.<tag>@<domain>`, so a
/// reply naming it in `In-Reply-To` or `References` finds its ticket without a lookup.
/// `tag` tells kefu's mails on one ticket apart (the same on every retry of one mail).
pub fn outbound_message_id(number: &TicketNumber, tag: &str, domain: &str) -> String {
    format!("kefu.{}.{tag}@{domain}", number.as_string())
}

/// The ticket number inside one of kefu's own Message-IDs ([`outbound_message_id`]).
pub fn ticket_number_in_id(id: &str) -> Option<TicketNumber> {
    let rest = id.strip_prefix("kefu.")?;
    let (digits, _) = rest.split_once('.')?;
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number() -> TicketNumber {
        TicketNumber::new(jiff::civil::date(2026, 11, 24), 38_201_957)
    }

    #[test]
    fn the_number_is_found_in_kefus_tag_and_in_a_bare_hash() {
        let n = number();
        let tagged = format!("Re: [#{}] Re: 登录不了", n.grouped());
        assert_eq!(ticket_number_in(&tagged), Some(n));
        let bare = format!("about #{} again", n.as_string());
        assert_eq!(ticket_number_in(&bare), Some(n));
    }

    #[test]
    fn a_wrong_check_digit_or_no_number_finds_nothing() {
        let mut s = number().as_string();
        let last = s.pop().map_or('0', |c| if c == '9' { '0' } else { '9' });
        s.push(last);
        assert_eq!(ticket_number_in(&format!("[#{s}] hi")), None);
        assert_eq!(ticket_number_in("issue #12 again"), None);
        assert_eq!(ticket_number_in("no number"), None);
    }

    #[test]
    fn prefixes_and_tag_are_removed_from_subjects() {
        let n = number();
        assert_eq!(clean_subject("Re: RE: Fwd: login"), "login");
        assert_eq!(clean_subject("回复：答复: 登录不了"), "登录不了");
        assert_eq!(
            clean_subject(&format!("Re: [#{}] Re: 登录不了", n.grouped())),
            "登录不了"
        );
        assert_eq!(clean_subject("Reset my password"), "Reset my password");
    }

    #[test]
    fn reply_subjects_carry_the_grouped_number_once() {
        let n = number();
        let once = reply_subject(&n, "登录不了");
        assert_eq!(once, format!("[#{}] Re: 登录不了", n.grouped()));
        assert_eq!(reply_subject(&n, &once), once);
    }

    #[test]
    fn message_ids_lose_their_brackets_and_bad_ones_are_refused() {
        assert_eq!(clean_message_id(" <a.b@c> ").as_deref(), Some("a.b@c"));
        assert_eq!(clean_message_id("<>"), None);
        assert_eq!(clean_message_id("a b@c"), None);
        assert_eq!(domain_of("support@kefu.test"), "kefu.test");
    }

    #[test]
    fn kefus_message_ids_name_their_ticket() {
        let n = number();
        let id = outbound_message_id(&n, "d7", "kefu.test");
        assert_eq!(ticket_number_in_id(&id), Some(n));
        assert_eq!(ticket_number_in_id("kefu.123.d7@kefu.test"), None);
        assert_eq!(ticket_number_in_id("m1@example.com"), None);
    }
}
