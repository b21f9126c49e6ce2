//! portal-auth as the other services see it, for two things: who the customer is (the caller's
//! `Authorization: Bearer` token checked by its `GET /auth/verify`, the check Traefik's
//! `customer-auth` makes, so a token logged out or signed out everywhere is refused here too; no
//! identity header sent by a client is ever believed), and fresh customer tokens
//! (`POST /internal/customer-tokens`, with the shared `INTERNAL_API_SECRET`) for Stripe's return
//! page, payment links and quote links.

use std::time::Duration;

use actix_web::HttpRequest;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::json;

/// A token longer than this is not one of ours (they are a few hundred bytes).
const MAX_TOKEN_BYTES: usize = 4096;

/// Why there is no customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotCustomer {
    /// No token, or portal-auth refused it.
    #[error("no valid customer token")]
    Unauthorized,
    /// portal-auth did not answer.
    #[error("portal-auth unavailable")]
    Unavailable,
}

/// Why a fresh token was minted (portal-auth's audit log keeps it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Stripe sent the customer back to us.
    PaymentReturn,
    /// A payment link sent by staff.
    PaymentLink,
    /// A quote to accept, sent by staff.
    QuoteLink,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::PaymentReturn => "payment_return",
            Self::PaymentLink => "payment_link",
            Self::QuoteLink => "quote_link",
        }
    }
}

/// A token portal-auth minted.
#[derive(Debug, Clone, Deserialize)]
pub struct Minted {
    /// The customer token.
    pub token: String,
    /// When it expires (Unix seconds).
    pub expires_at: i64,
    /// For a payment or quote link: a short link to the same session, for SMS.
    #[serde(default)]
    pub short_url: Option<String>,
}

/// A client of portal-auth.
#[derive(Clone)]
pub struct PortalAuth {
    http: reqwest::Client,
    base: String,
    internal_secret: Option<SecretString>,
}

impl PortalAuth {
    /// portal-auth at `base`; minting needs `internal_secret`.
    pub fn new(base: &str, internal_secret: Option<SecretString>) -> Self {
        Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
            base: base.to_owned(),
            internal_secret,
        }
    }

    /// A fresh token for `customer`; `None` (logged) when minting is not configured or fails: the
    /// customer then logs in again, nothing else is lost.
    pub async fn mint(&self, customer: &str, purpose: Purpose, context: &str) -> Option<Minted> {
        let secret = self.internal_secret.as_ref()?;
        let answer = self
            .http
            .post(format!("{}/internal/customer-tokens", self.base))
            .bearer_auth(secret.expose_secret())
            .json(&json!({"customer": customer, "purpose": purpose.as_str(), "context": context}))
            .send()
            .await;
        match answer {
            Ok(a) if a.status().is_success() => a.json().await.ok(),
            Ok(a) => {
                tracing::warn!(status = a.status().as_u16(), "portal-auth minted no token");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e.without_url(), "portal-auth did not answer a token request");
                None
            }
        }
    }

    /// The ERPNext Customer whose token `req` carries.
    pub async fn customer(&self, req: &HttpRequest) -> Result<String, NotCustomer> {
        let header = req
            .headers()
            .get("Authorization")
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.starts_with("Bearer ") && v.len() <= MAX_TOKEN_BYTES)
            .ok_or(NotCustomer::Unauthorized)?;
        let answer = self
            .http
            .get(format!("{}/auth/verify", self.base))
            .header("Authorization", header)
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "portal-auth did not answer a token check");
                NotCustomer::Unavailable
            })?;
        match answer.status().as_u16() {
            200 => answer
                .headers()
                .get("X-Customer-Id")
                .and_then(|v| v.to_str().ok())
                .filter(|id| !id.is_empty())
                .map(str::to_owned)
                .ok_or(NotCustomer::Unavailable),
            401 | 403 => Err(NotCustomer::Unauthorized),
            status => {
                tracing::warn!(status, "portal-auth answered a token check with an error");
                Err(NotCustomer::Unavailable)
            }
        }
    }
}
