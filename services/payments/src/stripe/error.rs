//! Stripe's error answers: `{"error":{"type","code","decline_code","message","param"}}` with the
//! HTTP status (400, 401 bad key, 402 card declined, 403, 404, 409 a request with the same key still
//! running, 429, 5xx). The same key with other parameters is a 400 `idempotency_error`: the type, not
//! the status, says which.

use serde::Deserialize;

/// What the service does about a failed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The card was declined or needs the customer (402 `card_error`): tell the customer.
    Card,
    /// We sent something Stripe refuses (400, 404 `invalid_request_error`): a bug or a stale id.
    InvalidRequest,
    /// The same `Idempotency-Key` with other parameters (400 `idempotency_error`), or while the first
    /// request with it is still running (409).
    Idempotency,
    /// The secret key is wrong or lacks the permission (401, 403).
    Authentication,
    /// Throttled (429) or Stripe failed (5xx, `api_error`): try again later, same key.
    Retry,
}

/// A failed Stripe call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Stripe answered {status} ({kind:?}): {message}")]
pub struct ApiError {
    /// The HTTP status.
    pub status: u16,
    /// What to do about it.
    pub kind: ErrorKind,
    /// Stripe's `code` (`resource_missing`, `card_declined`, …).
    pub code: Option<String>,
    /// Stripe's `decline_code` for card errors (`insufficient_funds`, `do_not_honor`, …).
    pub decline_code: Option<String>,
    /// Stripe's message, in English, for operators (never shown to customers as is).
    pub message: String,
}

#[derive(Deserialize)]
struct Body {
    error: Detail,
}

#[derive(Deserialize)]
struct Detail {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
}

impl ApiError {
    /// Reads an error answer; a body that is not Stripe's error JSON still gives an error by status.
    pub fn from_response(status: u16, body: &[u8]) -> Self {
        let detail = serde_json::from_slice::<Body>(body).ok().map(|b| b.error);
        let kind_text = detail.as_ref().and_then(|d| d.kind.as_deref());
        let kind = match (status, kind_text) {
            (402, _) | (_, Some("card_error")) => ErrorKind::Card,
            (409, _) | (_, Some("idempotency_error")) => ErrorKind::Idempotency,
            (401 | 403, _) => ErrorKind::Authentication,
            (429, _) | (500..=599, _) | (_, Some("api_error")) => ErrorKind::Retry,
            _ => ErrorKind::InvalidRequest,
        };
        Self {
            status,
            kind,
            code: detail.as_ref().and_then(|d| d.code.clone()),
            decline_code: detail.as_ref().and_then(|d| d.decline_code.clone()),
            message: detail
                .and_then(|d| d.message)
                .unwrap_or_else(|| format!("HTTP {status}")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_resource_is_an_invalid_request_with_its_code() {
        let body = br#"{"error":{"type":"invalid_request_error","code":"resource_missing","message":"No such customer: 'cus_x'","param":"customer"}}"#;
        let e = ApiError::from_response(404, body);
        assert_eq!(e.kind, ErrorKind::InvalidRequest);
        assert_eq!(e.code.as_deref(), Some("resource_missing"));
        assert_eq!(e.message, "No such customer: 'cus_x'");
    }

    #[test]
    fn a_declined_card_keeps_its_decline_code() {
        let body = br#"{"error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"Your card has insufficient funds."}}"#;
        let e = ApiError::from_response(402, body);
        assert_eq!(e.kind, ErrorKind::Card);
        assert_eq!(e.decline_code.as_deref(), Some("insufficient_funds"));
    }

    /// Bad input tried: an HTML page, an empty body, JSON of another shape.
    #[test]
    fn statuses_decide_when_the_body_is_not_stripes() {
        for (status, kind) in [
            (401, ErrorKind::Authentication),
            (409, ErrorKind::Idempotency),
            (429, ErrorKind::Retry),
            (502, ErrorKind::Retry),
            (400, ErrorKind::InvalidRequest),
        ] {
            for body in [&b"<html>bad gateway</html>"[..], b"", br#"{"message":"x"}"#] {
                let e = ApiError::from_response(status, body);
                assert_eq!(e.kind, kind, "{status} {body:?}");
                assert_eq!(e.message, format!("HTTP {status}"));
            }
        }
    }
}
