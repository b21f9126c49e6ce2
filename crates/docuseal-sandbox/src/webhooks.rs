//! Events and their delivery, DocuSeal's way: each event is queued in the database and POSTed
//! (`User-Agent: DocuSeal.com Webhook`, the secret headers, `X-Docuseal-Signature`) until the
//! receiver answers below 400 or the retry schedule runs out (`stand_in_kit::webhooks`). The same
//! loop announces expired submissions.

use std::time::Duration;

use actix_web::web;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::error::DocusealError;
use crate::model::ts;
use crate::{AppState, SandboxSettings};
use stand_in_kit::webhooks::{Delivery, Post, Worker};

/// DocuSeal's webhook `User-Agent`.
pub const USER_AGENT: &str = "DocuSeal.com Webhook";

/// Queues an event of `event_type` with `data` for the webhook URL, if one is configured.
pub async fn emit(state: &AppState, event_type: &str, data: Value) -> Result<(), DocusealError> {
    let Some(url) = &state.webhook_url else {
        return Ok(());
    };
    if !state.webhook_events.iter().any(|e| e == event_type) {
        return Ok(());
    }
    let body = json!({
        "event_type": event_type,
        "timestamp": ts(chrono::Utc::now()),
        "data": data,
    });
    state
        .store
        .queue
        .enqueue(event_type, url, &body.to_string())
        .await?;
    Ok(())
}

/// `<time>.<hex HMAC-SHA256 of "<time>.<body>">`, DocuSeal's `X-Docuseal-Signature`.
pub fn signature(secret: &SecretString, time: i64, body: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(format!("{time}.{body}").as_bytes());
    format!("{time}.{}", hex::encode(mac.finalize().into_bytes()))
}

/// DocuSeal's way of POSTing a delivery: the secret headers and the signature, delivered on any
/// answer below 400; each round first announces the expired submissions.
pub struct DocusealPost {
    state: web::Data<AppState>,
    headers: Vec<(String, SecretString)>,
    hmac_secret: SecretString,
    http: reqwest::Client,
}

/// The delivery and expiry loop of one sandbox.
pub fn worker(
    state: web::Data<AppState>,
    settings: &SandboxSettings,
) -> anyhow::Result<Worker<DocusealPost>> {
    // DocuSeal's timeouts: 8 s to connect, 15 s to read.
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(8))
        .timeout(Duration::from_secs(23))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let queue = state.store.queue.clone();
    let post = DocusealPost {
        state,
        headers: settings.webhook_headers.clone(),
        hmac_secret: settings.webhook_hmac_secret.clone(),
        http,
    };
    let (schedule, poll) = (settings.retry_schedule.clone(), settings.poll_interval);
    Ok(Worker::new(queue, schedule, poll, post))
}

impl Post for DocusealPost {
    async fn before_round(&self) {
        if let Err(e) = crate::control::announce_expiries(&self.state).await {
            tracing::error!(error = %e, "announcing expired submissions");
        }
    }

    async fn post(&self, delivery: &Delivery) -> Result<u16, String> {
        let mut request = self
            .http
            .post(&delivery.url)
            .header("Content-Type", "application/json")
            .header("User-Agent", USER_AGENT);
        let mut signed = false;
        for (name, value) in &self.headers {
            signed |= name.eq_ignore_ascii_case("X-Docuseal-Signature");
            request = request.header(name.as_str(), value.expose_secret());
        }
        if !signed {
            let time = chrono::Utc::now().timestamp();
            request = request.header(
                "X-Docuseal-Signature",
                signature(&self.hmac_secret, time, &delivery.body),
            );
        }
        request
            .body(delivery.body.clone())
            .send()
            .await
            .map(|response| response.status().as_u16())
            .map_err(|e| format!("no answer: {e}"))
    }

    fn delivered(&self, status: u16) -> bool {
        // DocuSeal counts any answer below 400 as delivered.
        status < 400
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_is_the_time_and_the_hmac_of_time_dot_body() {
        let secret = SecretString::from("whsec_test");
        let header = signature(&secret, 1_700_000_000, "{}");
        let Some((time, hex_mac)) = header.split_once('.') else {
            panic!("no dot in {header}")
        };
        assert_eq!(time, "1700000000");
        assert_eq!(hex_mac.len(), 64);
        assert_ne!(signature(&secret, 1_700_000_001, "{}"), header);
    }
}
