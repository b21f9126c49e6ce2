//! The message itself: lettre builds it, with the stable `Message-ID` and Mailjet's custom id.

use lettre::Message;
use lettre::message::header::{ContentType, Header, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};

use super::Mailer;
use crate::domain::{OutgoingEmail, SendError};
use crate::mailjet::CUSTOM_ID_HEADER;

impl Mailer {
    /// The message of `email` for event `event_id`.
    pub(super) fn build(
        &self,
        event_id: &str,
        email: &OutgoingEmail,
    ) -> Result<Message, SendError> {
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
            .header(MailjetCustomId(event_id.to_owned()))
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

/// `X-MJ-CustomID`: the event id, the key of Mailjet's record of the message.
#[derive(Clone)]
struct MailjetCustomId(String);

impl Header for MailjetCustomId {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str(CUSTOM_ID_HEADER)
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), self.0.clone())
    }
}
