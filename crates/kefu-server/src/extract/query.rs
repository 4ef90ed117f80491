//! Query strings into request types, every error naming the parameter with a message for
//! people — never the parser's text.

use crate::problem::ApiError;
use kefu_service::{FieldError, ServiceError};
use serde::de::DeserializeOwned;

/// Parses `query` (without the `?`) into `T`.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // No parameter of this API holds control characters; a NUL would reach the database.
    let bad: Vec<FieldError> = form_urlencoded::parse(query.as_bytes())
        .filter(|(_, value)| value.chars().any(char::is_control))
        .map(|(name, _)| FieldError {
            field: name.into_owned(),
            message: "must not contain control characters".into(),
        })
        .collect();
    if !bad.is_empty() {
        return Err(ApiError(ServiceError::fields(bad)));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let (field, message) = explain(&path, &e.into_inner().to_string());
        ApiError::field(field, message)
    })
}

/// The parameter and a message for people, from serde's error text.
fn explain(path: &str, error: &str) -> (String, String) {
    let quoted = || error.split('`').nth(1).unwrap_or("query").to_owned();
    let here = if path == "." || path.is_empty() {
        "query".to_owned()
    } else {
        path.to_owned()
    };
    if error.starts_with("unknown field") {
        let known: Vec<&str> = error
            .split_once("expected")
            .map(|(_, rest)| rest.split('`').skip(1).step_by(2).collect())
            .unwrap_or_default();
        let message = if known.is_empty() {
            "is not a parameter of this route".to_owned()
        } else {
            format!(
                "is not a parameter of this route (it takes {})",
                known.join(", ")
            )
        };
        return (quoted(), message);
    }
    if error.starts_with("missing field") {
        return (quoted(), "is required".into());
    }
    if error.starts_with("duplicate field") {
        return (quoted(), "is given more than once".into());
    }
    let message = if error.contains("invalid digit") {
        "must be a whole number"
    } else if error.contains("too large") || error.contains("too small") {
        "is out of range"
    } else if error.contains("empty string") {
        "must not be empty"
    } else if error.contains("float") {
        "must be a number"
    } else if error.contains("true") {
        "must be true or false"
    } else {
        "is not valid here"
    };
    (here, message.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "only the errors are looked at")]
    struct Q {
        limit: Option<u32>,
        team: Option<String>,
        flag: Option<bool>,
    }

    fn error(query: &str) -> (String, String) {
        let e = parse_query::<Q>(query).unwrap_err().0;
        (e.errors[0].field.clone(), e.errors[0].message.clone())
    }

    #[test]
    fn each_error_names_its_parameter() {
        assert_eq!(
            error("limit=abc"),
            ("limit".into(), "must be a whole number".into())
        );
        assert_eq!(error("limit=-1").0, "limit");
        assert_eq!(
            error("limit=99999999999"),
            ("limit".into(), "is out of range".into())
        );
        assert_eq!(
            error("flag=maybe"),
            ("flag".into(), "must be true or false".into())
        );
        assert_eq!(error("team=a%00b").0, "team");
        let (field, message) = error("color=red");
        assert_eq!(field, "color");
        assert!(message.contains("limit, team, flag"), "{message}");
        assert_eq!(error("team=a&team=b").0, "team");
        assert!(parse_query::<Q>("limit=5&team=x").is_ok());
    }
}
