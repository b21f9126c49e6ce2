//! Stripe's webhook events: the envelope (`{"id":"evt_…","object":"event","type",…,"data":{"object"}}`)
//! and what each type we act on means for us. Unknown types are acknowledged and ignored.

use serde::Deserialize;
use serde_json::Value;

/// One event as Stripe posts it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Event {
    /// `evt_…`: the dedupe key (Stripe delivers at least once, in no particular order).
    pub id: String,
    /// `checkout.session.completed`, …
    #[serde(rename = "type")]
    pub kind: String,
    /// When Stripe created it (Unix seconds).
    pub created: i64,
    /// Test or live mode.
    #[serde(default)]
    pub livemode: bool,
    /// `data.object`: the object the event is about.
    pub data: EventData,
}

/// `data` of an event.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventData {
    /// The object (a Checkout Session, a PaymentIntent, a Charge, …).
    pub object: Value,
}

/// Why a webhook body is not an event (answered 400; nothing written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// Not JSON, or not Stripe's event shape.
    #[error("not a Stripe event: {0}")]
    Malformed(String),
}

/// What an event tells the service to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Meaning {
    /// Money arrived for this PaymentIntent: book it (once, whichever event says so first).
    Paid {
        /// `pi_…`.
        payment_intent: String,
    },
    /// A Checkout Session completed with a delayed method (`payment_status=unpaid`): nothing to book yet.
    AwaitingPayment,
    /// The payment failed (a card declined, a delayed method refused).
    PaymentFailed {
        /// `pi_…`, when the event names one.
        payment_intent: Option<String>,
    },
    /// A charge was refunded (in part or whole).
    Refunded {
        /// `pi_…` of the refunded charge.
        payment_intent: Option<String>,
    },
    /// A setup finished: what it saved is read from this SetupIntent (a bank account enrols).
    SetUp {
        /// `seti_…`.
        setup_intent: String,
    },
    /// A mandate changed (revoked, made inactive): read it from Stripe.
    MandateChanged {
        /// `mandate_…`.
        mandate: String,
    },
    /// A card was detached: refresh the customer's methods.
    MethodsChanged,
    /// A type we do not act on.
    Ignored,
}

impl Event {
    /// Parses a webhook body.
    pub fn parse(body: &[u8]) -> Result<Self, EventError> {
        let event: Self =
            serde_json::from_slice(body).map_err(|e| EventError::Malformed(e.to_string()))?;
        if !event.id.starts_with("evt_") || event.kind.is_empty() {
            return Err(EventError::Malformed("no evt_ id or no type".to_owned()));
        }
        Ok(event)
    }

    /// What the event means for us.
    pub fn meaning(&self) -> Meaning {
        let object = &self.data.object;
        let text = |field: &str| object.get(field).and_then(Value::as_str).map(str::to_owned);
        // A session's `payment_intent` and a charge's are ids; a PaymentIntent's own is `id`.
        let intent = || text("payment_intent");
        match self.kind.as_str() {
            "checkout.session.completed" if text("mode").as_deref() == Some("setup") => {
                match text("setup_intent") {
                    Some(setup_intent) => Meaning::SetUp { setup_intent },
                    None => Meaning::Ignored,
                }
            }
            "checkout.session.completed" | "checkout.session.async_payment_succeeded" => {
                match (text("payment_status").as_deref(), intent()) {
                    (Some("paid"), Some(payment_intent)) => Meaning::Paid { payment_intent },
                    _ => Meaning::AwaitingPayment,
                }
            }
            "payment_intent.succeeded" => match text("id") {
                Some(payment_intent) => Meaning::Paid { payment_intent },
                None => Meaning::Ignored,
            },
            "checkout.session.async_payment_failed" => Meaning::PaymentFailed {
                payment_intent: intent(),
            },
            "payment_intent.payment_failed" => Meaning::PaymentFailed {
                payment_intent: text("id"),
            },
            "charge.refunded" => Meaning::Refunded {
                payment_intent: intent(),
            },
            "setup_intent.succeeded" => match text("id") {
                Some(setup_intent) => Meaning::SetUp { setup_intent },
                None => Meaning::Ignored,
            },
            "mandate.updated" => match text("id") {
                Some(mandate) => Meaning::MandateChanged { mandate },
                None => Meaning::Ignored,
            },
            "payment_method.detached" => Meaning::MethodsChanged,
            _ => Meaning::Ignored,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(kind: &str, object: Value) -> Event {
        let body = json!({"id": "evt_1", "object": "event", "type": kind, "created": 1_700_000_000,
            "livemode": false, "api_version": "2024-06-20", "data": {"object": object}});
        Event::parse(body.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn a_paid_session_and_a_succeeded_intent_mean_the_same_payment() {
        let session = event(
            "checkout.session.completed",
            json!({"id": "cs_test_1", "object": "checkout.session", "payment_status": "paid", "payment_intent": "pi_1"}),
        );
        let intent = event(
            "payment_intent.succeeded",
            json!({"id": "pi_1", "object": "payment_intent"}),
        );
        let paid = Meaning::Paid {
            payment_intent: "pi_1".into(),
        };
        assert_eq!(session.meaning(), paid);
        assert_eq!(intent.meaning(), paid);
    }

    #[test]
    fn a_completed_session_not_yet_paid_books_nothing() {
        let delayed = event(
            "checkout.session.completed",
            json!({"id": "cs_test_2", "payment_status": "unpaid", "payment_intent": "pi_2"}),
        );
        assert_eq!(delayed.meaning(), Meaning::AwaitingPayment);
        let later = event(
            "checkout.session.async_payment_succeeded",
            json!({"id": "cs_test_2", "payment_status": "paid", "payment_intent": "pi_2"}),
        );
        assert_eq!(
            later.meaning(),
            Meaning::Paid {
                payment_intent: "pi_2".into()
            }
        );
    }

    #[test]
    fn failures_refunds_methods_and_unknown_types() {
        assert_eq!(
            event("payment_intent.payment_failed", json!({"id": "pi_3"})).meaning(),
            Meaning::PaymentFailed {
                payment_intent: Some("pi_3".into())
            }
        );
        assert_eq!(
            event(
                "charge.refunded",
                json!({"id": "ch_1", "payment_intent": "pi_4"})
            )
            .meaning(),
            Meaning::Refunded {
                payment_intent: Some("pi_4".into())
            }
        );
        assert_eq!(
            event("mandate.updated", json!({"id": "mandate_1"})).meaning(),
            Meaning::MandateChanged {
                mandate: "mandate_1".into()
            }
        );
        let setup = Meaning::SetUp {
            setup_intent: "seti_1".into(),
        };
        assert_eq!(
            event("setup_intent.succeeded", json!({"id": "seti_1"})).meaning(),
            setup
        );
        assert_eq!(
            event(
                "checkout.session.completed",
                json!({"id": "cs_1", "mode": "setup", "payment_status": "no_payment_required", "setup_intent": "seti_1"})
            )
            .meaning(),
            setup
        );
        assert_eq!(
            event("customer.created", json!({"id": "cus_1"})).meaning(),
            Meaning::Ignored
        );
    }

    /// Bad input tried: not JSON, JSON of another shape, an id that is not an event's, no type.
    #[test]
    fn what_is_not_a_stripe_event_is_refused() {
        for body in [
            &b"not json"[..],
            br#"{"id":"evt_1"}"#,
            br#"{"id":"cs_1","type":"x","created":1,"data":{"object":{}}}"#,
            br#"{"id":"evt_1","type":"","created":1,"data":{"object":{}}}"#,
            br#"[]"#,
        ] {
            assert!(
                Event::parse(body).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
