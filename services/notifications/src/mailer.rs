//! Email through SMTP with lettre: STARTTLS or implicit TLS and AUTH from `SMTP_URL`, pooled connections.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

use crate::domain::{OutgoingEmail, SendError};

/// A pooled SMTP client.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    reply_to: Option<Mailbox>,
    message_id_domain: String,
}

/// A configuration problem of the mailer.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    /// `SMTP_URL` cannot be used.
    #[error("SMTP_URL: {0}")]
    Url(String),
    /// `MAIL_FROM` / `MAIL_REPLY_TO` is not a mailbox.
    #[error("MAIL_FROM or MAIL_REPLY_TO: {0}")]
    Sender(String),
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://user:pass@host:587?tls=required`, `smtps://host:465`, `smtp://127.0.0.1:2525`).
    pub fn new(
        smtp_url: &SecretString,
        from: &str,
        reply_to: Option<&str>,
        message_id_domain: &str,
    ) -> Result<Self, MailerError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.expose_secret())
            // Never echo the URL: it may carry the password.
            .map_err(|e| {
                MailerError::Url(format!(
                    "cannot be used ({})",
                    e.to_string().replace(smtp_url.expose_secret(), "…")
                ))
            })?
            .pool_config(
                PoolConfig::new()
                    .max_size(16)
                    .idle_timeout(Duration::from_secs(60)),
            )
            .timeout(Some(Duration::from_secs(20)))
            .build();
        Ok(Self {
            transport,
            from: from
                .parse()
                .map_err(|e| MailerError::Sender(format!("{e}")))?,
            reply_to: reply_to
                .map(str::parse)
                .transpose()
                .map_err(|e| MailerError::Sender(format!("{e}")))?,
            message_id_domain: message_id_domain.to_owned(),
        })
    }

    /// The `Message-ID` of an event: stable, so a resend after a crash is recognisably the same message.
    pub fn message_id(&self, event_id: &str) -> String {
        format!("<{event_id}@{}>", self.message_id_domain)
    }

    /// Sends one email; returns its Message-ID.
    pub async fn send(&self, event_id: &str, email: &OutgoingEmail) -> Result<String, SendError> {
        let message = self.build(event_id, email)?;
        match self.transport.send(message).await {
            Ok(_) => Ok(self.message_id(event_id)),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) if e.is_transient() => Err(SendError::Temporary(e.to_string())),
            Err(e) => Err(SendError::Unavailable(e.to_string())),
        }
    }

    /// Checks that the relay answers (readiness).
    pub async fn ping(&self) -> Result<(), String> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err("SMTP relay refused the connection test".into()),
            Err(e) => Err(format!("SMTP relay: {e}")),
        }
    }

    fn build(&self, event_id: &str, email: &OutgoingEmail) -> Result<Message, SendError> {
        let address = email
            .to
            .parse()
            .map_err(|e| SendError::Permanent(format!("recipient: {e}")))?;
        let to = Mailbox::new(email.to_name.clone(), address);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(email.subject.clone())
            .message_id(Some(self.message_id(event_id)))
            .date_now();
        let reply_to = match &email.reply_to {
            Some(r) => Some(
                r.parse()
                    .map_err(|e| SendError::Permanent(format!("reply-to: {e}")))?,
            ),
            None => self.reply_to.clone(),
        };
        if let Some(r) = reply_to {
            builder = builder.reply_to(r);
        }
        let body = MultiPart::alternative_plain_html(email.text.clone(), email.html.clone());
        let result = if email.attachments.is_empty() {
            builder.multipart(body)
        } else {
            let mut mixed = MultiPart::mixed().multipart(body);
            for a in &email.attachments {
                let content_type = ContentType::parse(&a.content_type)
                    .map_err(|e| SendError::Permanent(format!("attachment type: {e}")))?;
                let part: SinglePart =
                    Attachment::new(a.filename.clone()).body(a.bytes.clone(), content_type);
                mixed = mixed.singlepart(part);
            }
            builder.multipart(mixed)
        };
        result.map_err(|e| SendError::Permanent(format!("message: {e}")))
    }
}
