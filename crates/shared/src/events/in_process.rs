//! The in-process bus of the embedded mode: the same contract as JetStream, in memory.

use std::{
    sync::{Arc, Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use async_trait::async_trait;
use bytes::Bytes;
use tokio::sync::{mpsc, oneshot};

use super::{
    BusError, ConsumerBacklog, Envelope, EventBus, Subscription,
    bus::{Acker, Delivery, Outcome, subject_matches},
};

/// How long a publish waits, by default, for every subscriber group to ack (JetStream's ack wait).
const DEFAULT_ACK_TIMEOUT: Duration = Duration::from_secs(30);
/// Floor of a redelivery delay, so a consumer that naks at once does not spin the CPU.
const MIN_REDELIVERY_DELAY: Duration = Duration::from_millis(10);

/// In-memory bus: `publish` hands the envelope to one subscriber of every durable group whose
/// filter matches, and returns once each group acked it (redelivering on nak or drop).
///
/// Nothing is stored: the outbox keeps an event until `publish` returns, which is what makes
/// delivery at-least-once. A durable group with no live subscriber is skipped.
#[derive(Clone)]
pub struct InProcessBus {
    groups: Arc<Mutex<Vec<Group>>>,
    ack_timeout: Duration,
}

struct Group {
    durable: String,
    filter: String,
    members: Vec<mpsc::UnboundedSender<Delivery>>,
    next: usize,
    /// Deliveries handed out and not yet settled, and how many of them are redeliveries.
    in_flight: u64,
    redelivered: u64,
}

impl Default for InProcessBus {
    fn default() -> Self {
        Self::new()
    }
}

impl InProcessBus {
    /// A bus with no subscriptions and a 30 s ack timeout.
    pub fn new() -> Self {
        Self::with_ack_timeout(DEFAULT_ACK_TIMEOUT)
    }

    /// A bus whose `publish` fails when a group has not acked within `ack_timeout`
    /// (the outbox then retries it later).
    pub fn with_ack_timeout(ack_timeout: Duration) -> Self {
        Self {
            groups: Arc::new(Mutex::new(Vec::new())),
            ack_timeout,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Vec<Group>> {
        // The guarded data stays consistent even if a holder panicked: every change is one push/remove.
        self.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hands `delivery` to the next live member of `durable`; `false` if none is left.
    fn dispatch(&self, durable: &str, mut delivery: Delivery) -> bool {
        let mut groups = self.lock();
        let Some(group) = groups.iter_mut().find(|g| g.durable == durable) else {
            return false;
        };
        while !group.members.is_empty() {
            let index = group.next % group.members.len();
            group.next = group.next.wrapping_add(1);
            match group.members[index].send(delivery) {
                Ok(()) => return true,
                Err(mpsc::error::SendError(back)) => {
                    // That subscription was dropped: forget it and try the next replica.
                    group.members.remove(index);
                    delivery = back;
                }
            }
        }
        false
    }

    /// Counts a delivery of `durable` handed out (`start`) or settled.
    fn count_in_flight(&self, durable: &str, redelivery: bool, start: bool) {
        let mut groups = self.lock();
        if let Some(group) = groups.iter_mut().find(|g| g.durable == durable) {
            let change = |n: u64| if start { n + 1 } else { n.saturating_sub(1) };
            group.in_flight = change(group.in_flight);
            if redelivery {
                group.redelivered = change(group.redelivered);
            }
        }
    }

    async fn deliver_to_group(&self, durable: String, envelope: Envelope, raw: Bytes) {
        let mut attempt = 1;
        loop {
            let (tx, rx) = oneshot::channel();
            let delivery = Delivery {
                envelope: Ok(envelope.clone()),
                raw: raw.clone(),
                subject: envelope.subject.clone(),
                redelivered: attempt > 1,
                attempt,
                acker: Acker::InProcess(tx),
            };
            if !self.dispatch(&durable, delivery) {
                return;
            }
            self.count_in_flight(&durable, attempt > 1, true);
            let outcome = rx.await;
            self.count_in_flight(&durable, attempt > 1, false);
            match outcome {
                Ok(Outcome::Ack) => return,
                Ok(Outcome::Nak(delay)) => {
                    tokio::time::sleep(delay.unwrap_or_default().max(MIN_REDELIVERY_DELAY)).await;
                }
                // Dropped without ack or nak: redeliver, like an expired ack wait.
                Err(_) => tokio::time::sleep(MIN_REDELIVERY_DELAY).await,
            }
            attempt += 1;
        }
    }
}

#[async_trait]
impl EventBus for InProcessBus {
    async fn publish(&self, envelope: &Envelope) -> Result<(), BusError> {
        let raw = Bytes::from(envelope.to_bytes()?);
        let durables: Vec<String> = self
            .lock()
            .iter()
            .filter(|g| subject_matches(&g.filter, &envelope.subject))
            .map(|g| g.durable.clone())
            .collect();
        let deliveries = durables
            .into_iter()
            .map(|durable| self.deliver_to_group(durable, envelope.clone(), raw.clone()));
        tokio::time::timeout(self.ack_timeout, futures::future::join_all(deliveries))
            .await
            .map(|_| ())
            .map_err(|elapsed| BusError::Publish {
                subject: envelope.subject.clone(),
                source: Box::new(elapsed),
            })
    }

    async fn subscribe(
        &self,
        filter_subject: &str,
        durable: &str,
    ) -> Result<Subscription, BusError> {
        let (tx, rx) = mpsc::unbounded_channel();
        {
            let mut groups = self.lock();
            match groups.iter_mut().find(|g| g.durable == durable) {
                Some(group) if group.filter != filter_subject => {
                    return Err(BusError::DurableConflict {
                        durable: durable.to_owned(),
                        existing: group.filter.clone(),
                    });
                }
                Some(group) => group.members.push(tx),
                None => groups.push(Group {
                    durable: durable.to_owned(),
                    filter: filter_subject.to_owned(),
                    members: vec![tx],
                    next: 0,
                    in_flight: 0,
                    redelivered: 0,
                }),
            }
        }
        Ok(Subscription::new(futures::stream::unfold(
            rx,
            |mut rx| async move { rx.recv().await.map(|delivery| (delivery, rx)) },
        )))
    }

    async fn ready(&self) -> Result<(), BusError> {
        Ok(())
    }

    async fn consumer_backlog(&self) -> Result<Vec<ConsumerBacklog>, BusError> {
        Ok(self
            .lock()
            .iter()
            .map(|g| ConsumerBacklog {
                durable: g.durable.clone(),
                pending: 0,
                ack_pending: g.in_flight,
                redelivered: g.redelivered,
            })
            .collect())
    }
}
