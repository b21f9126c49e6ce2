//! DocuSeal's webhook: the secret header set in DocuSeal's UI (compared in constant time with each
//! accepted value), and the event read from the body: `{"event_type", "timestamp", "data"}`.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use subtle::ConstantTimeEq as _;

/// Why a webhook's secret is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// No secret header.
    #[error("the secret header is missing")]
    Missing,
    /// A value none of ours matches.
    #[error("the secret does not match")]
    Wrong,
}

/// Checks `sent` (the header's value) against every accepted secret, each in constant time and
/// all of them every time, so the answer's timing says nothing of which one was close.
pub fn check_secret(sent: Option<&[u8]>, secrets: &[SecretString]) -> Result<(), SecretError> {
    let sent = sent.ok_or(SecretError::Missing)?;
    let matched = secrets.iter().fold(false, |found, secret| {
        let equal: bool = secret.expose_secret().as_bytes().ct_eq(sent).into();
        found | equal
    });
    match matched {
        true => Ok(()),
        false => Err(SecretError::Wrong),
    }
}

/// Why a body is not a DocuSeal event.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not JSON, or not an object with `event_type` and `data.id`.
    #[error("not a DocuSeal event: {0}")]
    Malformed(String),
}

/// A DocuSeal event, as much of it as the inbox needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// `form.completed`, `form.viewed`, `submission.expired`, …
    pub event_type: String,
    /// `data.id`: the submitter of a form event, the submission of a submission event.
    pub object_id: String,
    /// The submission (`data.submission_id`, `data.submission.id`, or `data.id` of a submission
    /// event).
    pub envelope_id: Option<String>,
    /// `data`.
    pub data: Value,
}

#[derive(Deserialize)]
struct Raw {
    event_type: String,
    data: Value,
}

impl Event {
    /// Reads `body`.
    pub fn parse(body: &[u8]) -> Result<Self, EventError> {
        let raw: Raw =
            serde_json::from_slice(body).map_err(|e| EventError::Malformed(e.to_string()))?;
        let object_id = id_text(&raw.data["id"])
            .ok_or_else(|| EventError::Malformed("data.id is missing".to_owned()))?;
        if raw.event_type.is_empty() || raw.event_type.len() > 64 {
            return Err(EventError::Malformed("bad event_type".to_owned()));
        }
        let envelope_id = match raw.event_type.starts_with("submission.") {
            true => Some(object_id.clone()),
            false => id_text(&raw.data["submission_id"])
                .or_else(|| id_text(&raw.data["submission"]["id"])),
        };
        Ok(Self {
            event_type: raw.event_type,
            object_id,
            envelope_id,
            data: raw.data,
        })
    }

    /// Who signed or declined, as DocuSeal's form events tell it.
    pub fn signer(&self) -> SignerData {
        let text = |key: &str| {
            self.data[key]
                .as_str()
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        SignerData {
            name: text("name"),
            email: text("email"),
            ip: text("ip"),
            user_agent: text("ua"),
            audit_log_url: text("audit_log_url").or_else(|| {
                self.data["submission"]["audit_log_url"]
                    .as_str()
                    .map(str::to_owned)
            }),
            document_url: self.data["documents"][0]["url"].as_str().map(str::to_owned),
            decline_reason: text("decline_reason"),
            at: text("completed_at").or_else(|| text("declined_at")),
        }
    }
}

/// What a form event says of the signer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignerData {
    /// The name given.
    pub name: Option<String>,
    /// Their email address.
    pub email: Option<String>,
    /// Their address.
    pub ip: Option<String>,
    /// Their browser.
    pub user_agent: Option<String>,
    /// DocuSeal's audit log.
    pub audit_log_url: Option<String>,
    /// The signed document.
    pub document_url: Option<String>,
    /// Why they declined.
    pub decline_reason: Option<String>,
    /// When they completed or declined (RFC 3339).
    pub at: Option<String>,
}

/// An id DocuSeal sends as a number (or, defensively, a short string).
fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        Value::String(s) if !s.is_empty() && s.len() <= 64 => Some(s.clone()),
        _ => None,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn secrets() -> Vec<SecretString> {
        vec![
            SecretString::from("old-secret-0123456789"),
            SecretString::from("new-secret-0123456789"),
        ]
    }

    #[test]
    fn either_secret_of_a_roll_passes_anything_else_not() {
        assert_eq!(
            check_secret(Some(b"old-secret-0123456789"), &secrets()),
            Ok(())
        );
        assert_eq!(
            check_secret(Some(b"new-secret-0123456789"), &secrets()),
            Ok(())
        );
        for wrong in [&b"old-secret-012345678"[..], b"", b"new-secret-01234567890"] {
            assert_eq!(
                check_secret(Some(wrong), &secrets()),
                Err(SecretError::Wrong)
            );
        }
        assert_eq!(check_secret(None, &secrets()), Err(SecretError::Missing));
        assert_eq!(check_secret(Some(b"x"), &[]), Err(SecretError::Wrong));
    }

    #[test]
    fn a_form_event_names_its_submitter_and_submission() {
        let body = br#"{"event_type":"form.completed","timestamp":"2025-04-19T08:49:19Z",
            "data":{"id":7,"submission_id":3,"email":"ana@example.ca","name":"Ana",
            "ip":"203.0.113.9","ua":"Mozilla/5.0","completed_at":"2025-04-19T08:49:18Z",
            "documents":[{"name":"quote","url":"http://x/file/t/quote.pdf"}],
            "audit_log_url":"http://x/file/t/audit.pdf"}}"#;
        let e = Event::parse(body).unwrap();
        assert_eq!(
            (e.object_id.as_str(), e.envelope_id.as_deref()),
            ("7", Some("3"))
        );
        let s = e.signer();
        assert_eq!(s.ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(s.document_url.as_deref(), Some("http://x/file/t/quote.pdf"));
    }

    #[test]
    fn a_submission_event_is_its_own_envelope() {
        let e = Event::parse(br#"{"event_type":"submission.expired","data":{"id":3}}"#).unwrap();
        assert_eq!(e.envelope_id.as_deref(), Some("3"));
    }

    #[test]
    fn bad_bodies_are_refused() {
        for body in [
            &b"not json"[..],
            b"[]",
            br#"{"event_type":"form.viewed"}"#,
            br#"{"event_type":"form.viewed","data":{}}"#,
            br#"{"event_type":"form.viewed","data":{"id":null}}"#,
            br#"{"event_type":"","data":{"id":1}}"#,
            br#"{"data":{"id":1}}"#,
        ] {
            assert!(
                Event::parse(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
