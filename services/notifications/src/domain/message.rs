//! Delivery commands parsed into messages that can be sent: valid recipients, header-safe text,
//! bodies within limits. "Parse, don't validate": a `OutgoingEmail` cannot hold an injected header.

use base64::Engine as _;
use shared::events::{EmailSend, SmsSend};
use shared::sms::{SmsSegments, count_segments};

/// Largest text or HTML body of an email.
pub const MAX_EMAIL_BODY_BYTES: usize = 512 * 1024;
/// Longest subject, in characters.
pub const MAX_SUBJECT_CHARS: usize = 255;
/// Twilio's limit on an SMS body, in characters.
pub const MAX_SMS_CHARS: usize = 1600;

/// Why a command can never be delivered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidMessage {
    /// No recipient at all.
    #[error("missing recipient")]
    MissingRecipient,
    /// Not an email address.
    #[error("invalid email address")]
    InvalidEmail,
    /// Not an E.164 number.
    #[error("invalid phone number (E.164 expected)")]
    InvalidPhone,
    /// Nothing to send.
    #[error("empty body")]
    EmptyBody,
    /// Over a size limit.
    #[error("{0} over its limit")]
    TooLarge(&'static str),
    /// An attachment that cannot be decoded or named.
    #[error("bad attachment: {0}")]
    BadAttachment(String),
}

/// A decoded attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingAttachment {
    /// Header-safe file name.
    pub filename: String,
    /// Media type.
    pub content_type: String,
    /// Content.
    pub bytes: Vec<u8>,
}

/// An email ready for SMTP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingEmail {
    /// Lowercased, valid address.
    pub to: String,
    /// Header-safe display name.
    pub to_name: Option<String>,
    /// Header-safe subject.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part.
    pub html: String,
    /// Valid Reply-To address, if any.
    pub reply_to: Option<String>,
    /// Attachments.
    pub attachments: Vec<OutgoingAttachment>,
}

/// An SMS ready for Twilio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingSms {
    /// E.164 number.
    pub to: String,
    /// Text.
    pub body: String,
    /// Its segment count.
    pub segments: SmsSegments,
}

/// Header values keep no control characters: CR/LF would start a new header (injection).
pub fn neutralise(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn email_address(raw: &str) -> Result<String, InvalidMessage> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(InvalidMessage::MissingRecipient);
    }
    if raw.chars().any(char::is_control) {
        return Err(InvalidMessage::InvalidEmail);
    }
    raw.to_lowercase()
        .parse::<lettre::Address>()
        .map(|a| a.to_string())
        .map_err(|_| InvalidMessage::InvalidEmail)
}

impl OutgoingEmail {
    /// Checks and cleans an `EmailSend`.
    pub fn parse(e: &EmailSend, max_attachment_bytes: usize) -> Result<Self, InvalidMessage> {
        let to = email_address(&e.to)?;
        let subject = neutralise(&e.subject);
        if subject.chars().count() > MAX_SUBJECT_CHARS {
            return Err(InvalidMessage::TooLarge("subject"));
        }
        if e.text.trim().is_empty() && e.html.trim().is_empty() {
            return Err(InvalidMessage::EmptyBody);
        }
        if e.text.len() > MAX_EMAIL_BODY_BYTES || e.html.len() > MAX_EMAIL_BODY_BYTES {
            return Err(InvalidMessage::TooLarge("body"));
        }
        let reply_to = e.reply_to.as_deref().map(email_address).transpose()?;
        let mut total = 0;
        let attachments = e
            .attachments
            .iter()
            .map(|a| {
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(a.content_base64.trim())
                    .map_err(|_| {
                        InvalidMessage::BadAttachment(format!(
                            "{}: not base64",
                            neutralise(&a.filename)
                        ))
                    })?;
                total += bytes.len();
                let filename = neutralise(&a.filename).replace(['/', '\\', '"'], "_");
                if filename.is_empty()
                    || a.content_type
                        .parse::<lettre::message::header::ContentType>()
                        .is_err()
                {
                    return Err(InvalidMessage::BadAttachment("name or content type".into()));
                }
                Ok(OutgoingAttachment {
                    filename,
                    content_type: a.content_type.clone(),
                    bytes,
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if total > max_attachment_bytes {
            return Err(InvalidMessage::TooLarge("attachments"));
        }
        Ok(Self {
            to,
            to_name: e
                .to_name
                .as_deref()
                .map(neutralise)
                .filter(|n| !n.is_empty()),
            subject,
            text: e.text.clone(),
            html: e.html.clone(),
            reply_to,
            attachments,
        })
    }
}

impl OutgoingSms {
    /// Checks an `SmsSend`.
    pub fn parse(s: &SmsSend) -> Result<Self, InvalidMessage> {
        let to = s.to.trim();
        if to.is_empty() {
            return Err(InvalidMessage::MissingRecipient);
        }
        let digits = to.strip_prefix('+').unwrap_or("");
        let e164 = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if !e164 {
            return Err(InvalidMessage::InvalidPhone);
        }
        if s.body.trim().is_empty() {
            return Err(InvalidMessage::EmptyBody);
        }
        if s.body.chars().count() > MAX_SMS_CHARS {
            return Err(InvalidMessage::TooLarge("SMS body"));
        }
        Ok(Self {
            to: to.to_owned(),
            body: s.body.clone(),
            segments: count_segments(&s.body),
        })
    }
}

/// Whether `recipient` may leave in sandbox mode: listed exactly, or its email domain listed as `@domain`.
pub fn is_allowed(recipient: &str, allowlist: &[String]) -> bool {
    let r = recipient.to_lowercase();
    allowlist
        .iter()
        .any(|a| *a == r || (a.starts_with('@') && r.ends_with(a.as_str())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn email(to: &str, subject: &str) -> EmailSend {
        EmailSend {
            to: to.into(),
            to_name: Some("Marie\r\nBcc: victim@example.com".into()),
            subject: subject.into(),
            text: "Bonjour".into(),
            html: "<p>Bonjour</p>".into(),
            reply_to: None,
            lang: "fr".into(),
            template: "t".into(),
            customer: None,
            attachments: Vec::new(),
        }
    }

    #[test]
    fn header_injection_in_subject_and_name_is_neutralised() {
        let e = OutgoingEmail::parse(
            &email("a@example.ca", "Salut\r\nBcc: victim@example.com"),
            1024,
        )
        .unwrap();
        assert!(!e.subject.contains('\n') && !e.subject.contains('\r'));
        assert_eq!(e.subject, "Salut Bcc: victim@example.com");
        assert!(!e.to_name.unwrap().contains('\n'));
    }

    #[test]
    fn bad_addresses_are_refused() {
        for to in [
            "",
            "  ",
            "nobody",
            "a@",
            "@b.ca",
            "a@b.ca\r\nBcc: x@y.z",
            "a b@c.ca",
        ] {
            assert!(
                OutgoingEmail::parse(&email(to, "s"), 1024).is_err(),
                "{to:?}"
            );
        }
    }

    #[test]
    fn addresses_are_lowercased() {
        assert_eq!(
            OutgoingEmail::parse(&email("Marie@Example.CA", "s"), 1024)
                .unwrap()
                .to,
            "marie@example.ca"
        );
    }

    #[test]
    fn oversized_bodies_and_attachments_are_refused() {
        let mut e = email("a@example.ca", "s");
        e.html = "x".repeat(MAX_EMAIL_BODY_BYTES + 1);
        assert_eq!(
            OutgoingEmail::parse(&e, 1024),
            Err(InvalidMessage::TooLarge("body"))
        );
        let mut e = email("a@example.ca", "s");
        e.attachments.push(shared::events::Attachment {
            filename: "contrat.pdf".into(),
            content_type: "application/pdf".into(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(vec![0u8; 2048]),
        });
        assert_eq!(
            OutgoingEmail::parse(&e, 1024),
            Err(InvalidMessage::TooLarge("attachments"))
        );
        assert!(OutgoingEmail::parse(&e, 4096).is_ok());
    }

    #[test]
    fn sms_numbers_must_be_e164() {
        let sms = |to: &str| SmsSend {
            to: to.into(),
            body: "Bonjour".into(),
            template: "t".into(),
            customer: None,
        };
        assert!(OutgoingSms::parse(&sms("+15145550147")).is_ok());
        for bad in [
            "",
            "5145550147",
            "+0123456789",
            "+1514555",
            "+1-514-555-0147",
            "+1514555014712345",
        ] {
            assert!(OutgoingSms::parse(&sms(bad)).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_allowlist_takes_addresses_and_domains() {
        let list = vec![
            "ops@gigafibre.ca".to_owned(),
            "@example.org".to_owned(),
            "+15145550100".to_owned(),
        ];
        assert!(is_allowed("OPS@gigafibre.ca", &list));
        assert!(is_allowed("anyone@example.org", &list));
        assert!(is_allowed("+15145550100", &list));
        assert!(!is_allowed("customer@example.ca", &list));
        assert!(!is_allowed("x@evil-example.org.attacker.ca", &list));
    }
}
