//! Events and their delivery: each event is stored, queued once per endpoint in the database, and
//! POSTed signed (`Stripe-Signature: t=…,v1=…`) until the endpoint answers 2xx or the retry
//! schedule runs out; every attempt is logged in `webhook_attempts`.

use std::time::Duration;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::error::StripeError;
use crate::objects::{new_id, now, public};
use crate::store::{Delivery, Store};
use crate::{API_VERSION, AppState, SandboxSettings, WebhookEndpoint};

/// Stores an event of `kind` about `object` and queues it for every endpoint.
pub async fn emit(state: &AppState, kind: &str, object: &Value) -> Result<(), StripeError> {
    let event = json!({
        "id": new_id("evt_"),
        "object": "event",
        "api_version": API_VERSION,
        "created": now(),
        "data": {"object": public(object.clone())},
        "livemode": false,
        "pending_webhooks": state.endpoints.len(),
        "request": {"id": null, "idempotency_key": null},
        "type": kind,
    });
    state.store.create(&event).await?;
    let body = event.to_string();
    let event_id = event["id"].as_str().unwrap_or_default();
    for endpoint in &state.endpoints {
        state
            .store
            .enqueue(event_id, &endpoint.url, &body, now_ms())
            .await?;
    }
    Ok(())
}

/// The `Stripe-Signature` header of `body` signed with `secret` at `t`.
pub fn signature_header(secret: &SecretString, t: i64, body: &[u8]) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={t},v1={}", hex::encode(mac.finalize().into_bytes()))
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The delivery loop of one sandbox.
pub struct Worker {
    store: Store,
    endpoints: Vec<WebhookEndpoint>,
    schedule: Vec<Duration>,
    poll: Duration,
    http: reqwest::Client,
}

impl Worker {
    pub fn new(store: Store, settings: &SandboxSettings) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            store,
            endpoints: settings.webhook_endpoints.clone(),
            schedule: settings.retry_schedule.clone(),
            poll: settings.poll_interval,
            http,
        })
    }

    /// Delivers what is due, forever.
    pub async fn run(self) {
        loop {
            match self.store.due_deliveries(now_ms()).await {
                Ok(due) => {
                    for delivery in due {
                        self.deliver(&delivery).await;
                    }
                }
                Err(e) => tracing::error!(error = %e, "reading the webhook queue"),
            }
            tokio::time::sleep(self.poll).await;
        }
    }

    async fn deliver(&self, delivery: &Delivery) {
        let outcome = match self.endpoints.iter().find(|e| e.url == delivery.url) {
            None => Err("endpoint no longer configured".to_owned()),
            Some(endpoint) => self.post(endpoint, &delivery.body).await,
        };
        let attempt = delivery.attempts + 1;
        let (text, state, next_at) = match &outcome {
            Ok(status) if (200..300).contains(status) => (status.to_string(), "delivered", 0),
            failed => {
                let text = match failed {
                    Ok(status) => status.to_string(),
                    Err(e) => e.clone(),
                };
                match usize::try_from(delivery.attempts)
                    .ok()
                    .and_then(|n| self.schedule.get(n))
                {
                    Some(wait) => {
                        let wait = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
                        (text, "pending", now_ms().saturating_add(wait))
                    }
                    None => (text, "failed", 0),
                }
            }
        };
        if state == "delivered" {
            tracing::info!(event = %delivery.event_id, url = %delivery.url, attempt, outcome = %text, "webhook delivered");
        } else {
            tracing::warn!(event = %delivery.event_id, url = %delivery.url, attempt, outcome = %text, state, "webhook delivery failed");
        }
        if let Err(e) = self
            .store
            .record_attempt(delivery, &text, state, now_ms(), next_at)
            .await
        {
            tracing::error!(error = %e, "recording a webhook delivery");
        }
    }

    async fn post(&self, endpoint: &WebhookEndpoint, body: &str) -> Result<u16, String> {
        let header = signature_header(&endpoint.secret, now(), body.as_bytes());
        self.http
            .post(&endpoint.url)
            .header("Content-Type", "application/json; charset=utf-8")
            .header(
                "User-Agent",
                "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            )
            .header("Stripe-Signature", header)
            .body(body.to_owned())
            .send()
            .await
            .map(|response| response.status().as_u16())
            .map_err(|e| format!("no answer: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_the_contracts_vector() {
        let secret = SecretString::from("whsec_test_secret");
        let body = br#"{"id":"evt_test_webhook","object":"event"}"#;
        assert_eq!(
            signature_header(&secret, 1_700_000_000, body),
            "t=1700000000,v1=d95c6b7477fbd7e9f90b1b0ef5f9c7ac25abca5382460e0d988c2b2a5b71b990"
        );
    }
}
