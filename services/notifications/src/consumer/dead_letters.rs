//! Failures: a retry later, or a dead letter (`notify.dead`, through this service's outbox) with
//! the reason, for commands that can never go.

use super::*;

impl Consumer {
    pub(super) async fn failed(
        &self,
        c: &Command<'_>,
        attempts: u32,
        error: SendError,
    ) -> Result<Verdict, DbErr> {
        let id = c.envelope.id.to_string();
        let unit = rand::random::<f64>();
        let (base, cap) = (self.settings.retry_base, self.settings.retry_cap);
        let out_of_attempts = attempts + 1 >= self.settings.max_attempts;
        self.metrics.delivery(
            c.channel,
            match &error {
                SendError::Permanent(_) => Outcome::Failed,
                SendError::Temporary(_) if out_of_attempts => Outcome::Dead,
                _ => Outcome::Retried,
            },
        );
        match error {
            SendError::Permanent(e) => self.dead(c, Some(&id), &e, attempts + 1).await,
            SendError::Temporary(e) if out_of_attempts => {
                self.dead(c, Some(&id), &format!("out of attempts: {e}"), attempts + 1)
                    .await
            }
            SendError::Temporary(e) => {
                tracing::warn!(channel = c.channel, attempts = attempts + 1, error = %e, "temporary failure; will retry");
                self.store
                    .record(
                        &id,
                        &Finish::Retry {
                            error: &e,
                            count_attempt: true,
                        },
                    )
                    .await?;
                Ok(Verdict::RetryIn(retry_delay(attempts, base, cap, unit)))
            }
            SendError::Uncertain(e) => {
                tracing::warn!(channel = c.channel, error = %e, "the provider's verdict was lost; its records are asked after the lease, before any resend");
                self.store
                    .record(&id, &Finish::Uncertain { error: &e })
                    .await?;
                // Past the lease, so that the next claim takes the row over as interrupted.
                Ok(Verdict::RetryIn(
                    self.settings.lease + Duration::from_secs(1),
                ))
            }
            SendError::Unavailable(e) => {
                tracing::warn!(channel = c.channel, error = %e, "provider unavailable; will retry");
                self.store
                    .record(
                        &id,
                        &Finish::Retry {
                            error: &e,
                            count_attempt: false,
                        },
                    )
                    .await?;
                Ok(Verdict::RetryIn(retry_delay(
                    attempts.max(3),
                    base,
                    cap.min(Duration::from_secs(30)),
                    unit,
                )))
            }
        }
    }

    /// A command that can never go (no recipient, a bad address): given up at once.
    pub(super) async fn invalid(&self, c: &Command<'_>, reason: &str) -> Result<Verdict, DbErr> {
        self.metrics.delivery(c.channel, Outcome::Dead);
        self.dead(c, None, reason, 0).await
    }

    /// Gives a command up: its row says why and a `notify.dead` fact goes out, in one transaction.
    pub(super) async fn dead(
        &self,
        c: &Command<'_>,
        claimed: Option<&str>,
        reason: &str,
        attempts: u32,
    ) -> Result<Verdict, DbErr> {
        let id = c.envelope.id.to_string();
        tracing::warn!(
            channel = c.channel,
            reason,
            "delivery given up (notify.dead)"
        );
        let original = c
            .envelope
            .to_bytes()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let letter = DeadLetter {
            event_id: Some(id.clone()),
            subject: c.envelope.subject.clone(),
            channel: c.channel.to_owned(),
            recipient: Some(c.recipient.clone()),
            reason: reason.to_owned(),
            attempts,
            original: truncate(original),
        };
        let txn = self.store.connection().begin().await?;
        let first_time = match claimed {
            Some(_) => {
                Store::finish(&txn, &id, &Finish::Dead { error: reason }).await?;
                true
            }
            None => {
                let new = NewDelivery {
                    event_id: &id,
                    channel: c.channel,
                    recipient: &c.recipient,
                    template: &c.template,
                    customer: c.customer.as_deref(),
                };
                Store::record_dead(&txn, &new, reason).await?
            }
        };
        // A redelivered bad command was dead-lettered the first time: one alert per command.
        if first_time {
            Store::keep_dead_command(&txn, &id, c.envelope).await?;
            outbox::enqueue(&txn, &dead_envelope(&letter)?).await?;
        }
        txn.commit().await?;
        self.outbox_written.notify_one();
        Ok(Verdict::Ack)
    }

    /// A message that is not a readable command at all: dead-lettered under a hash of its bytes.
    pub(super) async fn dead_unreadable(
        &self,
        d: &Delivery,
        reason: &str,
    ) -> Result<Verdict, DbErr> {
        let id = match &d.envelope {
            Ok(e) => e.id.to_string(),
            Err(_) => format!("raw-{}", hex_prefix(&Sha256::digest(&d.raw))),
        };
        let channel = if d.subject.ends_with(".sms.send") {
            "sms"
        } else {
            "email"
        };
        tracing::warn!(subject = %d.subject, reason, "malformed command (notify.dead)");
        self.metrics.delivery(channel, Outcome::Dead);
        let letter = DeadLetter {
            event_id: d.envelope.as_ref().ok().map(|e| e.id.to_string()),
            subject: d.subject.clone(),
            channel: channel.to_owned(),
            recipient: None,
            reason: reason.to_owned(),
            attempts: 0,
            original: truncate(String::from_utf8_lossy(&d.raw).into_owned()),
        };
        let txn = self.store.connection().begin().await?;
        let new = NewDelivery {
            event_id: &id,
            channel,
            recipient: "",
            template: "",
            customer: None,
        };
        if Store::record_dead(&txn, &new, reason).await? {
            outbox::enqueue(&txn, &dead_envelope(&letter)?).await?;
        }
        txn.commit().await?;
        self.outbox_written.notify_one();
        Ok(Verdict::Ack)
    }
}

fn dead_envelope(letter: &DeadLetter) -> Result<Envelope, DbErr> {
    Envelope::new(SOURCE, letter).map_err(|e| DbErr::Custom(e.to_string()))
}

fn truncate(mut s: String) -> String {
    if s.len() > MAX_ORIGINAL_BYTES {
        let mut end = MAX_ORIGINAL_BYTES;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
    }
    s
}

fn hex_prefix(bytes: &[u8]) -> String {
    bytes.iter().take(16).map(|b| format!("{b:02x}")).collect()
}
