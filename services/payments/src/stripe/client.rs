//! The Stripe API client: form-encoded bodies with bracketed keys, `Authorization: Bearer <secret>`,
//! an `Idempotency-Key` on every POST (the caller derives it from what the call means, so a retry or a
//! double click never makes a second charge), JSON answers, Stripe's error bodies mapped.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::de::DeserializeOwned;

use super::ApiError;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Stripe's own guidance: calls can take up to tens of seconds (3-D Secure lookups, Klarna).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// A form body as Stripe reads it: `line_items[0][price_data][unit_amount]=1000`, in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form(Vec<(String, String)>);

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `key=value`.
    pub fn set(mut self, key: impl Into<String>, value: impl ToString) -> Self {
        self.0.push((key.into(), value.to_string()));
        self
    }

    /// Adds `metadata[key]=value`.
    pub fn metadata(self, key: &str, value: impl ToString) -> Self {
        self.set(format!("metadata[{key}]"), value)
    }

    /// The `application/x-www-form-urlencoded` body.
    pub fn encode(&self) -> String {
        serde_urlencoded::to_string(&self.0).unwrap_or_default()
    }
}

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// Stripe answered an error ([`ApiError::kind`] says what to do).
    #[error(transparent)]
    Api(#[from] ApiError),
    /// Stripe could not be reached, or did not answer in time: retry with the same idempotency key.
    #[error("Stripe unreachable: {0}")]
    Transport(String),
    /// Stripe answered 2xx with a body that is not the object asked for.
    #[error("unexpected Stripe answer: {0}")]
    Decode(String),
}

/// A client of Stripe's API at `base_url` (`https://api.stripe.com`, or the stand-in's origin).
#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base_url: String,
}

impl std::fmt::Debug for StripeClient {
    // The default headers hold the secret key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl StripeClient {
    /// A client sending `secret_key` as its bearer token; `None` when the key is not header-safe.
    pub fn new(base_url: &str, secret_key: &SecretString) -> Option<Self> {
        let mut bearer =
            HeaderValue::from_str(&format!("Bearer {}", secret_key.expose_secret())).ok()?;
        bearer.set_sensitive(true);
        let mut headers = HeaderMap::new();
        // No `Stripe-Version`: the account's pinned version answers, as the dashboard shows it.
        headers.insert(AUTHORIZATION, bearer);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .build()
            .ok()?;
        Some(Self {
            http,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// `POST {base}{path}` with `form` and `Idempotency-Key: idempotency_key`.
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &Form,
        idempotency_key: &str,
    ) -> Result<T, CallError> {
        let request = self
            .http
            .post(format!("{}{path}", self.base_url))
            .header("Idempotency-Key", idempotency_key)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(form.encode());
        self.send(request).await
    }

    /// `GET {base}{path}?query`.
    pub async fn get<T: DeserializeOwned>(&self, path: &str, query: &Form) -> Result<T, CallError> {
        let url = match query.encode() {
            q if q.is_empty() => format!("{}{path}", self.base_url),
            q => format!("{}{path}?{q}", self.base_url),
        };
        self.send(self.http.get(url)).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, CallError> {
        let response = request
            .send()
            .await
            .map_err(|e| CallError::Transport(e.without_url().to_string()))?;
        let status = response.status();
        let body = response
            .bytes()
            .await
            .map_err(|e| CallError::Transport(e.without_url().to_string()))?;
        if !status.is_success() {
            return Err(ApiError::from_response(status.as_u16(), &body).into());
        }
        serde_json::from_slice(&body).map_err(|e| CallError::Decode(e.to_string()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_form_keeps_brackets_order_and_escapes_values() {
        let form = Form::new()
            .set("mode", "payment")
            .set("line_items[0][price_data][unit_amount]", 11_498)
            .metadata("invoice", "ACC-SINV-2026-00001")
            .set("success_url", "https://hub.example.ca/payments/return?status=success&session_id={CHECKOUT_SESSION_ID}");
        assert_eq!(
            form.encode(),
            "mode=payment&line_items%5B0%5D%5Bprice_data%5D%5Bunit_amount%5D=11498\
             &metadata%5Binvoice%5D=ACC-SINV-2026-00001\
             &success_url=https%3A%2F%2Fhub.example.ca%2Fpayments%2Freturn%3Fstatus%3Dsuccess%26session_id%3D%7BCHECKOUT_SESSION_ID%7D"
        );
    }

    #[test]
    fn the_debug_output_hides_the_key() {
        let client =
            StripeClient::new("http://127.0.0.1:8002", &SecretString::from("sk_test_x")).unwrap();
        assert!(!format!("{client:?}").contains("sk_test"));
    }

    #[test]
    fn a_key_that_is_not_header_safe_is_refused() {
        assert!(
            StripeClient::new("http://127.0.0.1:8002", &SecretString::from("sk\ntest")).is_none()
        );
    }
}
