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
use tracing::Instrument as _;

use crate::config::Settings;
use crate::domain::{OutgoingEmail, OutgoingSms, SendError, is_allowed, retry_delay};
use crate::mailer::Mailer;
use crate::metrics::{NotifyMetrics, Outcome};
use crate::store::{Claim, Finish, NewDelivery, Store};
use crate::twilio::Twilio;

mod dead_letters;
mod email;
mod sms;

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
    pub(crate) metrics: NotifyMetrics,
}

/// The consumer span of one delivery, continuing the trace of its publish (the same on NATS and on
/// the in-process bus: the context travels in the envelope).
fn delivery_span(d: &Delivery) -> tracing::Span {
    let span = tracing::info_span!(
        parent: None,
        "delivery",
        otel.name = %format_args!("process {}", d.subject),
        otel.kind = "consumer",
        messaging.destination.name = %d.subject,
        messaging.message.id = tracing::field::Empty,
        attempt = d.attempt,
        trace_id = tracing::field::Empty,
    );
    let envelope = d.envelope.as_ref().ok();
    if let Some(e) = envelope {
        span.record("messaging.message.id", tracing::field::display(e.id));
    }
    let traceparent = envelope.and_then(|e| e.traceparent.as_deref());
    shared::telemetry::continue_trace(&span, traceparent);
    span
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
        match self.process(&d).instrument(delivery_span(&d)).await {
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

    /// Records a delivery done (sent or captured).
    async fn record(&self, c: &Command<'_>, finish: &Finish<'_>) -> Result<Verdict, DbErr> {
        self.store
            .record(&c.envelope.id.to_string(), finish)
            .await?;
        if let Finish::Captured { .. } = finish {
            self.metrics.delivery(c.channel, Outcome::Captured);
        } else {
            self.metrics.delivery(c.channel, Outcome::Sent);
        }
        Ok(Verdict::Ack)
    }
}
