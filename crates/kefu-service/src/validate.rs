//! Field checks shared by every use-case: lengths in characters, never silent truncation.

use crate::error::{FieldError, ServiceError};

/// Collects field errors so one response names every bad field.
#[derive(Default)]
pub struct Checks(Vec<FieldError>);

impl Checks {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
    }

    /// Trims; requires `min..=max` characters and no control characters except newlines/tabs.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) -> String {
        let trimmed = value.trim();
        let len = trimmed.chars().count();
        if len < min {
            self.fail(
                field,
                if min == 1 {
                    "must not be empty".to_owned()
                } else {
                    format!("must have at least {min} characters")
                },
            );
        } else if len > max {
            self.fail(
                field,
                format!("must have at most {max} characters, has {len}"),
            );
        } else if trimmed
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
        {
            self.fail(field, "must not contain control characters");
        }
        trimmed.to_owned()
    }

    /// Like [`Checks::text`] for optional fields; empty becomes `None`.
    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        Some(self.text(field, v, 1, max))
    }

    /// A plausible e-mail address (one `@`, a dot in the domain, no spaces).
    pub fn email(&mut self, field: &str, value: &str) -> String {
        let v = self.text(field, value, 3, 254).to_lowercase();
        let ok = v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        }) && !v.contains(char::is_whitespace)
            && v.matches('@').count() == 1;
        if !ok && !v.is_empty() {
            self.fail(field, "is not an e-mail address");
        }
        v
    }

    pub fn finish(self) -> Result<(), ServiceError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::fields(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        let mut c = Checks::default();
        assert_eq!(c.text("subject", "  登录不了  ", 1, 4), "登录不了");
        assert!(c.finish().is_ok());
        let mut c = Checks::default();
        c.text("subject", "登录不了了", 1, 4);
        c.text("body", "   ", 1, 10);
        let err = c.finish().unwrap_err();
        assert_eq!(err.errors.len(), 2);
        assert_eq!(err.errors[0].field, "subject");
    }

    #[test]
    fn emails_need_one_at_and_a_domain() {
        for bad in ["a", "a@b", "a@@b.c", "a b@c.d"] {
            let mut c = Checks::default();
            c.email("email", bad);
            assert!(c.finish().is_err(), "{bad}");
        }
        let mut c = Checks::default();
        assert_eq!(c.email("email", "Li@Example.com"), "li@example.com");
        assert!(c.finish().is_ok());
    }
}
