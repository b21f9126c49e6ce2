//! Events and their delivery: each event is stored, queued once per endpoint in the database, and
//! POSTed signed (`Stripe-Signature: t=…,v1=…`) until the endpoint answers 2xx or the retry
//! schedule runs out (`stand_in_kit::webhooks`).

use std::time::Duration;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::error::StripeError;
use crate::objects::{new_id, now, public};
use crate::{API_VERSION, AppState, SandboxSettings, WebhookEndpoint};
use stand_in_kit::webhooks::{Delivery, Post, Queue, Worker};

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
            .queue
            .enqueue(event_id, &endpoint.url, &body)
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

/// Stripe's way of POSTing a delivery: signed with its endpoint's secret, delivered on a 2xx.
pub struct StripePost {
    endpoints: Vec<WebhookEndpoint>,
    http: reqwest::Client,
}

/// The delivery loop of one sandbox.
pub fn worker(queue: Queue, settings: &SandboxSettings) -> anyhow::Result<Worker<StripePost>> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let post = StripePost {
        endpoints: settings.webhook_endpoints.clone(),
        http,
    };
    let (schedule, poll) = (settings.retry_schedule.clone(), settings.poll_interval);
    Ok(Worker::new(queue, schedule, poll, post))
}

impl Post for StripePost {
    async fn post(&self, delivery: &Delivery) -> Result<u16, String> {
        let Some(endpoint) = self.endpoints.iter().find(|e| e.url == delivery.url) else {
            return Err("endpoint no longer configured".to_owned());
        };
        let header = signature_header(&endpoint.secret, now(), delivery.body.as_bytes());
        self.http
            .post(&endpoint.url)
            .header("Content-Type", "application/json; charset=utf-8")
            .header(
                "User-Agent",
                "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            )
            .header("Stripe-Signature", header)
            .body(delivery.body.clone())
            .send()
            .await
            .map(|response| response.status().as_u16())
            .map_err(|e| format!("no answer: {e}"))
    }

    fn delivered(&self, status: u16) -> bool {
        (200..300).contains(&status)
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
