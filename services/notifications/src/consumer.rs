//! The consumer: takes `notify.email.send` and `notify.sms.send` off the bus (a durable consumer shared
//! by all replicas), and for each command claims its delivery row, captures or sends it, records the
//! outcome, and only then acknowledges. A redelivered command finds its row done and is acknowledged
//! without sending again. Bad commands go to `notify.dead` with the reason, and are acknowledged.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use sea_orm::{DbErr, TransactionTrait};
use sha2::{Digest, Sha256};
use shared::config::OutboundMode;
use shared::events::{
    DeadLetter, Delivery, EmailSend, Envelope, Event, EventBus, SmsSend, Subscription, outbox,
    subjects,
};
use tokio::sync::Notify;

use crate::config::Settings;
use crate::domain::{OutgoingEmail, OutgoingSms, SendError, is_allowed, retry_delay};
use crate::mailer::Mailer;
use crate::store::{Claim, Finish, NewDelivery, Store};
use crate::twilio::Twilio;

const SOURCE: &str = "/notifications";
/// Durable consumer names, shared by every replica.
pub const EMAIL_DURABLE: &str = "notifications-email";
/// See [`EMAIL_DURABLE`].
pub const SMS_DURABLE: &str = "notifications-sms";
const MAX_ORIGINAL_BYTES: usize = 64 * 1024;

/// What to tell the bus about one delivery.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Ack,
    RetryIn(Duration),
}

/// The delivery worker.
pub struct Consumer {
    pub(crate) store: Store,
    pub(crate) mailer: Option<Arc<Mailer>>,
    pub(crate) twilio: Option<Twilio>,
    pub(crate) settings: Arc<Settings>,
    pub(crate) outbox_written: Arc<Notify>,
}

/// A command read off the bus, whatever its channel.
struct Command<'a> {
    envelope: &'a Envelope,
    channel: &'static str,
    recipient: String,
    template: String,
    customer: Option<String>,
}

impl Consumer {
    /// Subscribes (before anything is published, so the in-process bus has a subscriber) and starts
    /// handling deliveries, `concurrency` at a time per channel, until `stop` turns true: then it
    /// takes nothing new and the returned tasks end once the deliveries in hand are done.
    pub async fn start(
        self: Arc<Self>,
        bus: &Arc<dyn EventBus>,
        stop: tokio::sync::watch::Receiver<bool>,
    ) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
        let email = bus
            .subscribe(subjects::NOTIFY_EMAIL_SEND, EMAIL_DURABLE)
            .await?;
        let sms = bus
            .subscribe(subjects::NOTIFY_SMS_SEND, SMS_DURABLE)
            .await?;
        Ok([email, sms]
            .into_iter()
            .map(|sub| tokio::spawn(Arc::clone(&self).run(sub, stop.clone())))
            .collect())
    }

    async fn run(self: Arc<Self>, sub: Subscription, mut stop: tokio::sync::watch::Receiver<bool>) {
        let concurrency = self.settings.concurrency.max(1);
        let stopping = async move {
            let _ = stop.wait_for(|stop| *stop).await;
        };
        sub.take_until(stopping)
            .for_each_concurrent(concurrency, |d| {
                let me = Arc::clone(&self);
                async move { me.handle(d).await }
            })
            .await;
        tracing::info!("notifications consumer stopped");
    }

    async fn handle(&self, d: Delivery) {
        match self.process(&d).await {
            Ok(Verdict::Ack) => d.ack().await,
            Ok(Verdict::RetryIn(delay)) => d.nak(Some(delay)).await,
            Err(e) => {
                tracing::error!(error = %e, "delivery log unavailable; the command will come again");
                d.nak(Some(Duration::from_secs(2))).await;
            }
        }
    }

    async fn process(&self, d: &Delivery) -> Result<Verdict, DbErr> {
        let envelope = match &d.envelope {
            Ok(e) => e,
            Err(e) => {
                return self
                    .dead_unreadable(d, &format!("unreadable envelope: {e}"))
                    .await;
            }
        };
        if envelope.kind == EmailSend::TYPE {
            match envelope.decode::<EmailSend>() {
                Ok(cmd) => self.email(envelope, cmd).await,
                Err(e) => {
                    self.dead_unreadable(d, &format!("invalid {}: {e}", EmailSend::TYPE))
                        .await
                }
            }
        } else if envelope.kind == SmsSend::TYPE {
            match envelope.decode::<SmsSend>() {
                Ok(cmd) => self.sms(envelope, cmd).await,
                Err(e) => {
                    self.dead_unreadable(d, &format!("invalid {}: {e}", SmsSend::TYPE))
                        .await
                }
            }
        } else {
            self.dead_unreadable(
                d,
                &format!("unknown event type or version {:?}", envelope.kind),
            )
            .await
        }
    }

    async fn email(&self, envelope: &Envelope, cmd: EmailSend) -> Result<Verdict, DbErr> {
        let c = Command {
            envelope,
            channel: "email",
            recipient: cmd.to.trim().to_lowercase(),
            template: cmd.template.clone(),
            customer: cmd.customer.clone(),
        };
        let email = match OutgoingEmail::parse(&cmd, self.settings.max_attachment_bytes) {
            Ok(e) => e,
            Err(invalid) => return self.dead(&c, None, &invalid.to_string(), 0).await,
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
        match mailer.send(&id, &email).await {
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

    async fn sms(&self, envelope: &Envelope, cmd: SmsSend) -> Result<Verdict, DbErr> {
        let c = Command {
            envelope,
            channel: "sms",
            recipient: cmd.to.trim().to_owned(),
            template: cmd.template.clone(),
            customer: cmd.customer.clone(),
        };
        let sms = match OutgoingSms::parse(&cmd) {
            Ok(s) => s,
            Err(invalid) => return self.dead(&c, None, &invalid.to_string(), 0).await,
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
        match twilio.send(&sms).await {
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

    /// For a delivery taken over from a sender cut mid-send, what the provider's records said:
    /// `Ok(Some(provider_id))` it has the message (recorded sent, acknowledged), `Ok(None)` it has
    /// not (`None` back: send it), an error: it cannot tell (ask again after the lease, send nothing).
    async fn taken_over(
        &self,
        c: &Command<'_>,
        earlier: Result<Option<String>, SendError>,
        subject: Option<&str>,
    ) -> Result<Option<Verdict>, DbErr> {
        let id = c.envelope.id;
        match earlier {
            Ok(Some(provider_id)) => {
                tracing::info!(event_id = %id, channel = c.channel, %provider_id, "the interrupted send had reached the provider; not sending again");
                let finish = Finish::Sent {
                    provider_id: &provider_id,
                    subject,
                };
                self.record(c, &finish).await.map(Some)
            }
            Ok(None) => Ok(None),
            Err(e) => {
                tracing::warn!(event_id = %id, channel = c.channel, error = %e, "cannot tell whether the interrupted send reached the provider; asking again later");
                let error = format!("interrupted; cannot tell yet whether it went: {e}");
                self.store
                    .record(&id.to_string(), &Finish::Uncertain { error: &error })
                    .await?;
                Ok(Some(Verdict::RetryIn(self.settings.lease)))
            }
        }
    }

    fn may_leave(&self, recipient: &str) -> bool {
        self.settings.mode == OutboundMode::Live || is_allowed(recipient, &self.settings.allowlist)
    }

    /// `Ok((attempts, interrupted))` when this worker should send; otherwise what to tell the bus: done
    /// already (a redelivery: ack), or held by another replica (ask again after its lease).
    async fn claim(&self, c: &Command<'_>) -> Result<Result<(u32, bool), Verdict>, DbErr> {
        let id = c.envelope.id.to_string();
        let new = NewDelivery {
            event_id: &id,
            channel: c.channel,
            recipient: &c.recipient,
            template: &c.template,
            customer: c.customer.as_deref(),
        };
        Ok(match self.store.claim(&new, self.settings.lease).await? {
            Claim::Mine {
                attempts,
                interrupted,
            } => Ok((attempts, interrupted)),
            Claim::Done => Err(Verdict::Ack),
            Claim::Busy => Err(Verdict::RetryIn(self.settings.lease)),
        })
    }

    async fn record(&self, c: &Command<'_>, finish: &Finish<'_>) -> Result<Verdict, DbErr> {
        self.store
            .record(&c.envelope.id.to_string(), finish)
            .await?;
        Ok(Verdict::Ack)
    }

    async fn failed(
        &self,
        c: &Command<'_>,
        attempts: u32,
        error: SendError,
    ) -> Result<Verdict, DbErr> {
        let id = c.envelope.id.to_string();
        let unit = rand::random::<f64>();
        let (base, cap) = (self.settings.retry_base, self.settings.retry_cap);
        match error {
            SendError::Permanent(e) => self.dead(c, Some(&id), &e, attempts + 1).await,
            SendError::Temporary(e) if attempts + 1 >= self.settings.max_attempts => {
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

    /// Gives a command up: its row says why and a `notify.dead` fact goes out, in one transaction.
    async fn dead(
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
    async fn dead_unreadable(&self, d: &Delivery, reason: &str) -> Result<Verdict, DbErr> {
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
