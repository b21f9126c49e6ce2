//! An SMS command: captured in the sandbox, or sent through Twilio.

use super::*;

impl Consumer {
    pub(super) async fn sms(&self, envelope: &Envelope, cmd: SmsSend) -> Result<Verdict, DbErr> {
        let c = Command {
            envelope,
            channel: "sms",
            recipient: cmd.to.trim().to_owned(),
            template: cmd.template.clone(),
            customer: cmd.customer.clone(),
        };
        let sms = match OutgoingSms::parse(&cmd) {
            Ok(s) => s,
            Err(invalid) => return self.invalid(&c, &invalid.to_string()).await,
        };
        let (attempts, interrupted) = match self.claim(&c).await? {
            Ok(claimed) => claimed,
            Err(verdict) => return Ok(verdict),
        };
        let twilio = match &self.twilio {
            Some(t) if self.may_leave(&sms.to) => t,
            _ => {
                let segments = u32::try_from(sms.segments.segments).ok();
                let finish = Finish::Captured {
                    subject: None,
                    text: &sms.body,
                    html: None,
                    segments,
                };
                return self.record(&c, &finish).await;
            }
        };
        if interrupted {
            let began = self.store.created_at(&envelope.id.to_string()).await?;
            let earlier = twilio.find(&sms, began.unwrap_or_default()).await;
            if let Some(verdict) = self.taken_over(&c, earlier, None).await? {
                return Ok(verdict);
            }
        }
        let started = std::time::Instant::now();
        let sent = twilio.send(&sms).await;
        self.metrics.provider_call("twilio", started, &sent);
        match sent {
            Ok(sid) => {
                self.record(
                    &c,
                    &Finish::Sent {
                        provider_id: &sid,
                        subject: None,
                    },
                )
                .await
            }
            Err(e) => self.failed(&c, attempts, e).await,
        }
    }
}
