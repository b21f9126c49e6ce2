//! Events and their delivery, DocuSeal's way: each event is queued in the database and POSTed
//! (`User-Agent: DocuSeal.com Webhook`, the secret headers, `X-Docuseal-Signature`) until the
//! receiver answers below 400 or the retry schedule runs out; every attempt is logged in
//! `webhook_attempts`. The same loop announces expired submissions.

use std::time::Duration;

use actix_web::web;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::error::DocusealError;
use crate::model::ts;
use crate::store::Delivery;
use crate::{AppState, SandboxSettings};

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
        .enqueue(event_type, url, &body.to_string(), now_ms())
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

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// The delivery and expiry loop of one sandbox.
pub struct Worker {
    state: web::Data<AppState>,
    headers: Vec<(String, SecretString)>,
    hmac_secret: SecretString,
    schedule: Vec<Duration>,
    poll: Duration,
    http: reqwest::Client,
}

impl Worker {
    pub fn new(state: web::Data<AppState>, settings: &SandboxSettings) -> anyhow::Result<Self> {
        // DocuSeal's timeouts: 8 s to connect, 15 s to read.
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(8))
            .timeout(Duration::from_secs(23))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            state,
            headers: settings.webhook_headers.clone(),
            hmac_secret: settings.webhook_hmac_secret.clone(),
            schedule: settings.retry_schedule.clone(),
            poll: settings.poll_interval,
            http,
        })
    }

    /// Announces expiries and delivers what is due, forever.
    pub async fn run(self) {
        loop {
            if let Err(e) = crate::control::announce_expiries(&self.state).await {
                tracing::error!(error = %e, "announcing expired submissions");
            }
            match self.state.store.due_deliveries(now_ms()).await {
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
        let outcome = self.post(&delivery.url, &delivery.body).await;
        let attempt = delivery.attempts + 1;
        let (text, state, next_at) = match &outcome {
            // DocuSeal counts any answer below 400 as delivered.
            Ok(status) if *status < 400 => (status.to_string(), "delivered", 0),
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
            tracing::info!(event = %delivery.event_type, attempt, outcome = %text, "webhook delivered");
        } else {
            tracing::warn!(event = %delivery.event_type, attempt, outcome = %text, state, "webhook delivery failed");
        }
        if let Err(e) = self
            .state
            .store
            .record_attempt(delivery, &text, state, now_ms(), next_at)
            .await
        {
            tracing::error!(error = %e, "recording a webhook delivery");
        }
    }

    async fn post(&self, url: &str, body: &str) -> Result<u16, String> {
        let mut request = self
            .http
            .post(url)
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
                signature(&self.hmac_secret, time, body),
            );
        }
        request
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
