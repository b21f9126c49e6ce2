//! An email command: captured in the sandbox, or sent through the relay.

use super::*;

impl Consumer {
    pub(super) async fn email(
        &self,
        envelope: &Envelope,
        cmd: EmailSend,
    ) -> Result<Verdict, DbErr> {
        let c = Command {
            envelope,
            channel: "email",
            recipient: cmd.to.trim().to_lowercase(),
            template: cmd.template.clone(),
            customer: cmd.customer.clone(),
        };
        let email = match OutgoingEmail::parse(&cmd, self.settings.max_attachment_bytes) {
            Ok(e) => e,
            Err(invalid) => return self.invalid(&c, &invalid.to_string()).await,
        };
        let (attempts, interrupted) = match self.claim(&c).await? {
            Ok(claimed) => claimed,
            Err(verdict) => return Ok(verdict),
        };
        let mailer = match &self.mailer {
            Some(m) if self.may_leave(&email.to) => m,
            _ => {
                let finish = Finish::Captured {
                    subject: Some(&email.subject),
                    text: &email.text,
                    html: Some(&email.html),
                    segments: None,
                };
                return self.record(&c, &finish).await;
            }
        };
        let id = envelope.id.to_string();
        if interrupted {
            let earlier = mailer.accepted_earlier(&id).await;
            let provider_id = earlier.map(|found| found.map(|_| mailer.message_id(&id)));
            if let Some(verdict) = self
                .taken_over(&c, provider_id, Some(&email.subject))
                .await?
            {
                return Ok(verdict);
            }
        }
        let started = std::time::Instant::now();
        let sent = mailer.send(&id, &email).await;
        self.metrics.provider_call("smtp", started, &sent);
        match sent {
            Ok(message_id) => {
                self.record(
                    &c,
                    &Finish::Sent {
                        provider_id: &message_id,
                        subject: Some(&email.subject),
                    },
                )
                .await
            }
            Err(e) => self.failed(&c, attempts, e).await,
        }
    }
}
