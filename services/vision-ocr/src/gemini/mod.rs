//! The Gemini provider: `generateContent` with the file inline and a response schema
//! (third-party-contracts.md §6). The answer is parsed into a private wire struct, then checked
//! (formats, numbers) and converted into an [`Invoice`] or a [`Label`] before anyone sees it.
//!
//! The key travels in the `x-goog-api-key` header, never in the URL; neither the key nor the
//! file's bytes are logged (each attempt logs its status, number and duration only).

mod call;
mod fields;
mod invoice;
mod label;

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::equipment::Label;
use crate::input::Checked;
use crate::invoice::Invoice;

pub use label::LabelReading;

/// Google's endpoint, version included.
pub const DEFAULT_API_URL: &str = "https://generativelanguage.googleapis.com/v1beta";
/// The model asked.
pub const DEFAULT_MODEL: &str = "gemini-2.5-flash";

/// How the provider reaches Gemini.
#[derive(Debug, Clone)]
pub struct GeminiSettings {
    /// The API's base, `…/v1beta` (a fake's URL in tests).
    pub api_url: String,
    /// The model, `gemini-2.5-flash`.
    pub model: String,
    /// The API key, sent as `x-goog-api-key`.
    pub api_key: SecretString,
    /// How long one attempt may take.
    pub timeout: Duration,
    /// How many attempts on 429 and 5xx (at least one is made).
    pub attempts: u32,
    /// The wait before the second attempt, doubled before each next one; a `Retry-After` header or
    /// Google's `RetryInfo.retryDelay` replaces it when longer.
    pub backoff: Duration,
    /// The longest wait between two attempts, whatever Google asks: a person is waiting.
    pub max_backoff: Duration,
}

impl GeminiSettings {
    /// Google's endpoint and model with `api_key`: 30 s per attempt, 3 attempts, 500 ms backoff
    /// doubled each time, at most 5 s between attempts.
    pub fn new(api_key: SecretString) -> Self {
        Self {
            api_url: DEFAULT_API_URL.to_owned(),
            model: DEFAULT_MODEL.to_owned(),
            api_key,
            timeout: Duration::from_secs(30),
            attempts: 3,
            backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
        }
    }
}

/// Why the settings cannot make a client.
#[derive(Debug, thiserror::Error)]
pub enum InvalidSettings {
    /// The key has characters a header cannot carry.
    #[error("GEMINI_API_KEY is not a valid header value")]
    Key,
    /// The model's name has characters a URL path cannot carry.
    #[error("the Gemini model name {0:?} is not a plain name")]
    Model(String),
    /// The HTTP client could not be built (no TLS roots).
    #[error("the HTTP client for Gemini cannot be built: {0}")]
    Client(String),
}

/// Why Gemini gave no usable answer; the caller falls back to the local provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeminiError {
    /// An attempt took longer than the timeout.
    #[error("Gemini did not answer in time")]
    Timeout,
    /// A 4xx other than 429: the request itself is wrong (key, model, body); not retried.
    #[error("Gemini refused the request ({status} {google_status}): {message}")]
    Refused {
        /// The HTTP status.
        status: u16,
        /// Google's `error.status`, `INVALID_ARGUMENT`.
        google_status: String,
        /// Google's `error.message`, shortened.
        message: String,
    },
    /// 429 or 5xx on the last attempt.
    #[error("Gemini unavailable (HTTP {status}) after every attempt")]
    Unavailable {
        /// The last HTTP status.
        status: u16,
    },
    /// No candidate (`promptFeedback.blockReason`) or a `finishReason` other than `STOP`.
    #[error("Gemini gave no answer: {0}")]
    Blocked(String),
    /// The answer's text is not JSON (or the body is not Gemini's envelope).
    #[error("Gemini's answer is not JSON: {0}")]
    Garbage(String),
    /// JSON that does not fit the schema, or values that fail the checks.
    #[error("Gemini's answer does not fit: {0}")]
    Schema(String),
    /// Gemini could not be reached, or the connection broke.
    #[error("Gemini unreachable: {0}")]
    Transport(String),
}

/// Longest [`GeminiError::reason`], in characters.
const REASON_CHARS: usize = 160;

impl GeminiError {
    /// A short sentence for the warning staff see (`PROVIDER_FELL_BACK`): never the key, never the
    /// file, and at most a few characters of what the model wrote.
    pub fn reason(&self) -> String {
        fields::clip(&fields::clip_quotes(&self.to_string()), REASON_CHARS)
    }
}

/// A client of Gemini's `generateContent`; cheap to clone.
#[derive(Clone)]
pub struct Gemini {
    http: reqwest::Client,
    endpoint: String,
    settings: GeminiSettings,
}

impl std::fmt::Debug for Gemini {
    // The default headers and the settings hold the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gemini")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

impl Gemini {
    /// A client for `settings`; fails on a key or a model name that cannot be sent.
    pub fn new(settings: GeminiSettings) -> Result<Self, InvalidSettings> {
        let plain = |c: char| c.is_ascii_alphanumeric() || "-._".contains(c);
        if settings.model.is_empty() || !settings.model.chars().all(plain) {
            return Err(InvalidSettings::Model(settings.model));
        }
        let mut key = HeaderValue::from_str(settings.api_key.expose_secret())
            .map_err(|_| InvalidSettings::Key)?;
        key.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("x-goog-api-key", key);
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .connect_timeout(settings.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| InvalidSettings::Client(e.to_string()))?;
        let endpoint = format!(
            "{}/models/{}:generateContent",
            settings.api_url.trim_end_matches('/'),
            settings.model
        );
        Ok(Self {
            http,
            endpoint,
            settings,
        })
    }

    /// Reads a supplier invoice (an image or a PDF).
    #[tracing::instrument(name = "gemini.invoice", skip_all, fields(media = doc.media.mime(), pages = doc.pages))]
    pub async fn invoice(&self, doc: &Checked) -> Result<Invoice, GeminiError> {
        let text = self
            .generate(doc, invoice::PROMPT, &invoice::schema())
            .await?;
        invoice::parse(&text)
    }

    /// Reads an equipment label; MACs and a GPON serial that are not well formed are left out
    /// (see [`Gemini::label_reading`] to know which).
    pub async fn label(&self, doc: &Checked) -> Result<Label, GeminiError> {
        Ok(self.label_reading(doc).await?.label)
    }

    /// Reads an equipment label, with what was left out because it is not well formed (for the
    /// `INVALID_MAC` warning).
    #[tracing::instrument(name = "gemini.label", skip_all, fields(media = doc.media.mime()))]
    pub async fn label_reading(&self, doc: &Checked) -> Result<LabelReading, GeminiError> {
        let text = self.generate(doc, label::PROMPT, &label::schema()).await?;
        label::parse(&text)
    }
}
