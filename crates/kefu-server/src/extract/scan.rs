//! One pass over a JSON body before it becomes a request type, for what no field's type
//! says: every string — object keys too — is free of control characters other than tab,
//! newline and carriage return (a NUL reaches PostgreSQL as an error), and every number
//! keeps its value — integers fit an `i64`, other numbers fit an `f64` without losing
//! digits (free-form `context` objects would otherwise store `99999999999999999999` as
//! `1e20`). Each finding names its JSON path the way the parser's errors do
//! (`attachments[0].url`). A body that is not JSON stops the scan; the parser reports it.

/// One value the body must not hold.
#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    pub path: String,
    pub message: &'static str,
}

const CONTROL: &str = "must not contain control characters";
const BIG_INTEGER: &str = "must be a whole number from -9223372036854775808 to 9223372036854775807";
const PRECISION: &str = "has more digits than a 64-bit number keeps (at most 17)";
const RANGE: &str = "is out of range";
/// Deeper than the parser accepts: stop and let it say so.
const MAX_DEPTH: usize = 128;
/// Enough to show the client what is wrong without building a long answer.
const MAX_FINDINGS: usize = 20;

/// Everything wrong with the body's values; empty when nothing is (or it is not JSON).
pub fn scan(bytes: &[u8]) -> Vec<Finding> {
    let mut s = Scanner {
        b: bytes,
        i: 0,
        path: Vec::new(),
        found: Vec::new(),
    };
    // `None` means the body is not JSON after all: what was found so far still stands.
    let _ = s.value(0);
    s.found
}

enum Segment {
    Key(String),
    Index(usize),
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    path: Vec<Segment>,
    found: Vec<Finding>,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.ws();
        (self.peek()? == byte).then(|| self.i += 1)
    }

    fn report(&mut self, message: &'static str, key: Option<&str>) {
        if self.found.len() >= MAX_FINDINGS {
            return;
        }
        let mut path = String::new();
        for segment in &self.path {
            match segment {
                Segment::Index(i) => path.push_str(&format!("[{i}]")),
                Segment::Key(k) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                }
            }
        }
        if let Some(k) = key {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(k);
        }
        if path.is_empty() {
            path.push_str("body");
        }
        self.found.push(Finding { path, message });
    }

    fn value(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match self.peek()? {
            b'{' => self.object(depth),
            b'[' => self.array(depth),
            b'"' => {
                let (_, control) = self.string(false)?;
                if control {
                    self.report(CONTROL, None);
                }
                Some(())
            }
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.b.get(self.i..end)? == word).then(|| self.i = end)
    }

    fn object(&mut self, depth: usize) -> Option<()> {
        self.i += 1;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            self.ws();
            if self.peek()? != b'"' {
                return None;
            }
            let (key, control) = self.string(true)?;
            if control {
                self.report(CONTROL, Some(&key));
            }
            self.eat(b':')?;
            self.path.push(Segment::Key(key));
            self.value(depth + 1)?;
            self.path.pop();
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, depth: usize) -> Option<()> {
        self.i += 1;
        self.ws();
        if self.peek()? == b']' {
            self.i += 1;
            return Some(());
        }
        let mut index = 0;
        loop {
            self.path.push(Segment::Index(index));
            self.value(depth + 1)?;
            self.path.pop();
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
            index += 1;
        }
    }

    /// Reads a string; returns its text when `keep` (keys, for the path) and whether it
    /// holds a control character other than tab, newline and carriage return.
    fn string(&mut self, keep: bool) -> Option<(String, bool)> {
        self.i += 1;
        let start = self.i;
        let mut text = String::new();
        let mut control = false;
        let mut plain_from = start;
        loop {
            let byte = self.peek()?;
            match byte {
                b'"' => {
                    if keep {
                        text.push_str(std::str::from_utf8(self.b.get(plain_from..self.i)?).ok()?);
                    }
                    self.i += 1;
                    return Some((text, control));
                }
                b'\\' => {
                    if keep {
                        text.push_str(std::str::from_utf8(self.b.get(plain_from..self.i)?).ok()?);
                    }
                    let c = self.escape()?;
                    control |= is_forbidden(c);
                    if keep {
                        text.push(c);
                    }
                    plain_from = self.i;
                }
                // Raw C0 controls are not JSON at all: the parser refuses the body.
                0x00..=0x1f => return None,
                0x7f => {
                    control = true;
                    self.i += 1;
                }
                // U+0080–U+009F (C1 controls) are 0xC2 0x80–0x9F in UTF-8.
                0xc2 if matches!(self.b.get(self.i + 1), Some(0x80..=0x9f)) => {
                    control = true;
                    self.i += 2;
                }
                _ => self.i += 1,
            }
        }
    }

    /// Reads one escape after its backslash, returning the character (surrogate pairs
    /// joined; a lone surrogate is not JSON the parser accepts).
    fn escape(&mut self) -> Option<char> {
        self.i += 1;
        let c = match self.peek()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xd800..0xdc00).contains(&high) {
                    if self.b.get(self.i + 1..self.i + 3)? != b"\\u" {
                        return None;
                    }
                    self.i += 2;
                    let low = self.hex4()?;
                    let code = 0x10000 + ((high - 0xd800) << 10) + low.checked_sub(0xdc00)?;
                    return char::from_u32(code).inspect(|_| self.i += 1);
                }
                return char::from_u32(high).inspect(|_| self.i += 1);
            }
            _ => return None,
        };
        self.i += 1;
        Some(c)
    }

    /// The four hex digits after `\u` (at `self.i`); leaves `self.i` on the last digit.
    fn hex4(&mut self) -> Option<u32> {
        let digits = std::str::from_utf8(self.b.get(self.i + 1..self.i + 5)?).ok()?;
        let value = u32::from_str_radix(digits, 16).ok()?;
        self.i += 4;
        Some(value)
    }

    fn number(&mut self) -> Option<()> {
        let start = self.i;
        while matches!(
            self.peek(),
            Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
        ) {
            self.i += 1;
        }
        let token = std::str::from_utf8(self.b.get(start..self.i)?).ok()?;
        if !token.contains(['.', 'e', 'E']) {
            if token.parse::<i64>().is_err() {
                self.report(BIG_INTEGER, None);
            }
            return Some(());
        }
        let mantissa = token.split(['e', 'E']).next().unwrap_or(token);
        let digits = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .skip_while(|d| *d == b'0')
            .collect::<Vec<u8>>();
        let significant = digits.len() - digits.iter().rev().take_while(|d| **d == b'0').count();
        if significant > 17 {
            self.report(PRECISION, None);
        } else if !token.parse::<f64>().is_ok_and(f64::is_finite) {
            self.report(RANGE, None);
        }
        Some(())
    }
}

fn is_forbidden(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(body: &str) -> Vec<String> {
        scan(body.as_bytes()).into_iter().map(|f| f.path).collect()
    }

    #[test]
    fn clean_bodies_have_no_findings() {
        let body = r#"{"a": "x\ty\n\u4f60\ud83d\ude00 \"q\" \\u0000", "b": [1, -2, 3.5, 1e3, true, null],
            "c": {"d": 9223372036854775807, "e": -9223372036854775808, "f": 0.1}}"#;
        assert_eq!(paths(body), Vec::<String>::new());
    }

    #[test]
    fn control_characters_are_named_by_path() {
        assert_eq!(paths(r#"{"email": "a\u0000b"}"#), ["email"]);
        assert_eq!(
            paths(r#"{"attachments": [{"url": "ok"}, {"url": "x\u001b"}]}"#),
            ["attachments[1].url"]
        );
        assert_eq!(paths("{\"a\": {\"b\": \"x\u{7f}\"}}"), ["a.b"]);
        assert_eq!(paths("{\"a\": \"x\u{85}\"}"), ["a"]);
        assert_eq!(paths(r#"{"a": "\b"}"#), ["a"]);
        assert_eq!(paths(r#"{"context": {"k\u0001": 1}}"#), ["context.k\u{1}"]);
    }

    #[test]
    fn numbers_must_keep_their_value() {
        assert_eq!(paths(r#"{"agent_id": 99999999999999999999}"#), ["agent_id"]);
        assert_eq!(paths(r#"{"a": [-9223372036854775809]}"#), ["a[0]"]);
        assert_eq!(paths(r#"{"n": 1.00000000000000000001}"#), ["n"]);
        assert_eq!(paths(r#"{"n": 1e400}"#), ["n"]);
        assert_eq!(
            paths(r#"{"n": 1.5000000000000000000000}"#),
            Vec::<String>::new()
        );
    }

    #[test]
    fn bodies_that_are_not_json_are_left_to_the_parser() {
        for body in [
            "",
            "{",
            "{\"a\" 1}",
            "{\"a\": \"\u{1}\"}",
            "[1,",
            "{\"a\": \"\\ud800\"}",
        ] {
            assert_eq!(paths(body), Vec::<String>::new(), "{body:?}");
        }
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        assert!(scan(deep.as_bytes()).is_empty());
    }
}
