//! The registry's errors: every HTTP status and Confluent `error_code` mapped once, in
//! [`map_error`], into [`RegistryError`]'s outcomes.

use reqwest::StatusCode;
use serde::Deserialize;

/// Which registry object was not found, from Confluent's `error_code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Subject,
    Version,
    Schema,
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("not found: {message}")]
    NotFound { what: Missing, message: String },
    #[error("the schema is incompatible with earlier versions: {message}")]
    Incompatible { message: String },
    #[error("the registry refused the schema as invalid: {message}")]
    Invalid { message: String },
    /// A version other schemas reference cannot be deleted (Confluent's 42206).
    #[error("other schemas reference it: {message}")]
    Referenced { message: String },
    /// The registry's mode forbids it (read-only; Confluent's 42205).
    #[error("the registry does not permit this now: {message}")]
    NotPermitted { message: String },
    #[error("the registry refused the credentials ({status}): {message}")]
    Unauthorized { status: u16, message: String },
    #[error("the registry at {url} did not answer: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the registry failed ({status}): {message}")]
    Server { status: u16, message: String },
    #[error("the registry's answer could not be read: {0}")]
    Protocol(String),
}

#[derive(Debug, Deserialize)]
struct ErrorBody {
    error_code: Option<u32>,
    message: Option<String>,
}

/// Maps a non-success HTTP answer to a domain outcome. The one place that knows the codes.
pub fn map_error(status: StatusCode, body: &str) -> RegistryError {
    let parsed: Option<ErrorBody> = serde_json::from_str(body).ok();
    let code = parsed.as_ref().and_then(|b| b.error_code);
    let message = crate::dialect::plain_message(
        parsed
            .and_then(|b| b.message)
            .unwrap_or_else(|| if body.is_empty() { status.to_string() } else { body.to_owned() }),
    );
    match status.as_u16() {
        404 => RegistryError::NotFound {
            what: match code {
                Some(40401) => Missing::Subject,
                Some(40402) => Missing::Version,
                Some(40403) => Missing::Schema,
                _ => Missing::Other,
            },
            message,
        },
        409 => RegistryError::Incompatible { message },
        422 if code == Some(42206) => RegistryError::Referenced { message },
        422 if code == Some(42205) => RegistryError::NotPermitted { message },
        422 => RegistryError::Invalid { message },
        s @ (401 | 403) => RegistryError::Unauthorized { status: s, message },
        s => RegistryError::Server { status: s, message },
    }
}

/// A transport error with its causes, for people.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confluent_error_codes_map_to_outcomes() {
        let e = map_error(StatusCode::NOT_FOUND, r#"{"error_code":40401,"message":"Subject 'x' not found."}"#);
        assert!(matches!(e, RegistryError::NotFound { what: Missing::Subject, .. }));
        let e = map_error(StatusCode::NOT_FOUND, r#"{"error_code":40402,"message":"Version 9 not found."}"#);
        assert!(matches!(e, RegistryError::NotFound { what: Missing::Version, .. }));
        let e = map_error(StatusCode::NOT_FOUND, r#"{"error_code":40403,"message":"Schema 7 not found"}"#);
        assert!(matches!(e, RegistryError::NotFound { what: Missing::Schema, .. }));
        let e = map_error(StatusCode::CONFLICT, r#"{"error_code":409,"message":"incompatible: field removed"}"#);
        assert!(matches!(&e, RegistryError::Incompatible { message } if message.contains("field removed")));
        let e = map_error(StatusCode::UNPROCESSABLE_ENTITY, r#"{"error_code":42201,"message":"Invalid schema"}"#);
        assert!(matches!(e, RegistryError::Invalid { .. }));
        let e = map_error(
            StatusCode::UNPROCESSABLE_ENTITY,
            r#"{"error_code":42206,"message":"One or more references exist"}"#,
        );
        assert!(matches!(e, RegistryError::Referenced { .. }));
        let e = map_error(StatusCode::UNPROCESSABLE_ENTITY, r#"{"error_code":42205,"message":"read-only mode"}"#);
        assert!(matches!(e, RegistryError::NotPermitted { .. }));
        let e = map_error(StatusCode::UNAUTHORIZED, "");
        assert!(matches!(e, RegistryError::Unauthorized { status: 401, .. }));
        let e = map_error(StatusCode::BAD_GATEWAY, "<html>proxy</html>");
        assert!(matches!(&e, RegistryError::Server { status: 502, message } if message.contains("proxy")));
    }
}
