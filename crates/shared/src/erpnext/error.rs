//! Errors of the Frappe client and the parser of Frappe's error bodies.

use reqwest::StatusCode;
use serde::Deserialize;

/// What went wrong talking to ERPNext, by what a caller can do about it.
#[derive(Debug, thiserror::Error)]
pub enum ErpError {
    /// The document or route does not exist (404 `DoesNotExistError`).
    #[error("ERPNext document not found")]
    NotFound,
    /// The API key/secret was refused (401 `AuthenticationError`).
    #[error("ERPNext refused the API credentials")]
    Unauthorized,
    /// The API user lacks the permission (403 `PermissionError`).
    #[error("ERPNext denied permission")]
    Forbidden,
    /// ERPNext refused the data (417 `ValidationError` and its subclasses).
    #[error("ERPNext validation failed: {message}")]
    Validation {
        /// The human message(s) from `_server_messages`, joined by `; `.
        message: String,
    },
    /// The document already exists (409 `DuplicateEntryError`).
    #[error("ERPNext document already exists")]
    Conflict,
    /// ERPNext throttled the caller (429).
    #[error("ERPNext rate limit reached")]
    RateLimited,
    /// ERPNext could not be reached or failed (connect error, timeout, 5xx): worth a retry.
    #[error("ERPNext unavailable: {0}")]
    Unavailable(String),
    /// Anything else: an unexpected status, a body that is not the documented JSON.
    #[error("unexpected ERPNext response: {0}")]
    Unexpected(String),
}

impl ErpError {
    /// The `kind` label of `erpnext_request_errors_total`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::Validation { .. } => "validation",
            Self::Conflict => "conflict",
            Self::RateLimited => "rate_limited",
            Self::Unavailable(_) => "unavailable",
            Self::Unexpected(_) => "unexpected",
        }
    }

    /// Maps an error status and its Frappe body to an [`ErpError`].
    pub(crate) fn from_response(status: StatusCode, body: &[u8]) -> Self {
        let message = || {
            let messages = error_body_messages(body);
            if messages.is_empty() {
                status.to_string()
            } else {
                messages.join("; ")
            }
        };
        match status.as_u16() {
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            409 => Self::Conflict,
            417 => Self::Validation { message: message() },
            429 => Self::RateLimited,
            500..=599 => Self::Unavailable(format!("HTTP {status}")),
            _ => Self::Unexpected(format!("HTTP {status}: {}", message())),
        }
    }

    /// Maps a transport failure (connect, timeout, body read) to an [`ErpError`].
    ///
    /// The message never includes the URL: its query may carry a customer's e-mail.
    pub(crate) fn from_transport(err: &reqwest::Error) -> Self {
        if err.is_timeout() {
            Self::Unavailable("timeout".to_owned())
        } else if err.is_connect() {
            Self::Unavailable("connection failed".to_owned())
        } else if err.is_decode() {
            Self::Unexpected("undecodable response body".to_owned())
        } else {
            Self::Unavailable("transport error".to_owned())
        }
    }
}

#[derive(Deserialize)]
struct FrappeErrorBody {
    #[serde(default)]
    _server_messages: Option<String>,
    #[serde(default)]
    message: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct ServerMessage {
    message: String,
}

/// The human messages of a Frappe v1 error body, in order.
///
/// Reads `_server_messages` (double-encoded: a string holding a JSON array of JSON
/// strings, each an object with a `message`) and falls back to a plain string
/// `message`. Returns an empty list when the body has neither.
fn error_body_messages(body: &[u8]) -> Vec<String> {
    let Ok(parsed) = serde_json::from_slice::<FrappeErrorBody>(body) else {
        return Vec::new();
    };
    let from_server = parsed
        ._server_messages
        .as_deref()
        .map(server_messages)
        .unwrap_or_default();
    if !from_server.is_empty() {
        return from_server;
    }
    match parsed.message {
        Some(serde_json::Value::String(text)) if !text.is_empty() => vec![text],
        _ => Vec::new(),
    }
}

/// Decodes Frappe's double-encoded `_server_messages` into its human messages.
///
/// `raw` is the *value* of the field: a JSON array whose items are JSON strings, each
/// holding an object such as `{"message": "Customer Name is required", "title": ...}`.
/// An item that is a plain string (not an object) is taken as the message itself;
/// anything unreadable is skipped.
pub fn server_messages(raw: &str) -> Vec<String> {
    let Ok(items) = serde_json::from_str::<Vec<String>>(raw) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match serde_json::from_str::<ServerMessage>(item) {
            Ok(decoded) => Some(decoded.message),
            Err(_) if !item.trim_start().starts_with('{') => Some(item.clone()),
            Err(_) => None,
        })
        .filter(|message| !message.is_empty())
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // The exact sample of the contracts doc §1.
    const SAMPLE: &str = r#"{"exc_type":"ValidationError","_server_messages":"[\"{\\\"message\\\": \\\"Customer Name is required\\\", \\\"title\\\": \\\"Message\\\", \\\"indicator\\\": \\\"red\\\", \\\"raise_exception\\\": 1}\"]"}"#;

    #[test]
    fn the_documented_validation_body_yields_its_message() {
        assert_eq!(
            error_body_messages(SAMPLE.as_bytes()),
            vec!["Customer Name is required".to_owned()]
        );
    }

    #[test]
    fn a_417_maps_to_validation_with_the_human_message() {
        let err = ErpError::from_response(StatusCode::EXPECTATION_FAILED, SAMPLE.as_bytes());
        match err {
            ErpError::Validation { message } => assert_eq!(message, "Customer Name is required"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn several_server_messages_are_all_kept_in_order() {
        let raw = serde_json::to_string(&vec![
            r#"{"message": "first"}"#.to_owned(),
            r#"{"message": "second", "title": "Message"}"#.to_owned(),
        ])
        .unwrap();
        assert_eq!(server_messages(&raw), vec!["first", "second"]);
    }

    #[test]
    fn a_plain_string_item_is_taken_as_the_message() {
        assert_eq!(
            server_messages(r#"["Not permitted"]"#),
            vec!["Not permitted"]
        );
    }

    #[test]
    fn garbage_yields_no_message_and_the_status_is_used() {
        assert!(server_messages("not json").is_empty());
        let err = ErpError::from_response(StatusCode::EXPECTATION_FAILED, b"<html>");
        assert!(matches!(err, ErpError::Validation { message } if message.contains("417")));
    }

    #[test]
    fn statuses_map_to_their_variants() {
        let map = |code: u16| ErpError::from_response(StatusCode::from_u16(code).unwrap(), b"{}");
        assert!(matches!(map(401), ErpError::Unauthorized));
        assert!(matches!(map(403), ErpError::Forbidden));
        assert!(matches!(map(404), ErpError::NotFound));
        assert!(matches!(map(409), ErpError::Conflict));
        assert!(matches!(map(429), ErpError::RateLimited));
        assert!(matches!(map(502), ErpError::Unavailable(_)));
        assert!(matches!(map(400), ErpError::Unexpected(_)));
    }
}
