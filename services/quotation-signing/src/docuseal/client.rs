//! DocuSeal's API: `X-Auth-Token: <key>`, JSON bodies and answers, errors as `{"error": "<msg>"}`.
//! DocuSeal takes no idempotency key, so the caller holds a lease on the quote while it creates a
//! submission (docs/quotation-signing.md, "Generate").

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest signed document fetched (a quote of a few pages is well under a MiB).
const MAX_DOCUMENT_BYTES: usize = 20 * 1024 * 1024;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// DocuSeal answered an error (`{"error": …}`).
    #[error("DocuSeal answered {status}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// DocuSeal's message.
        message: String,
    },
    /// DocuSeal could not be reached or did not answer in time.
    #[error("DocuSeal unreachable: {0}")]
    Transport(String),
    /// A 2xx answer that is not what was asked for.
    #[error("unexpected DocuSeal answer: {0}")]
    Decode(String),
}

/// A submission to create: one submitter, the customer.
#[derive(Debug, Clone, Serialize)]
pub struct NewSubmission {
    /// The template (French or English).
    pub template_id: u64,
    /// Always false: we send the link ourselves, in the customer's language.
    pub send_email: bool,
    /// When DocuSeal stops taking the signature (RFC 3339).
    pub expire_at: String,
    /// Where DocuSeal sends the customer once signed.
    pub completed_redirect_url: String,
    /// The customer.
    pub submitters: Vec<Submitter>,
}

/// The customer as a submitter.
#[derive(Debug, Clone, Serialize)]
pub struct Submitter {
    /// The template's role.
    pub role: String,
    /// The customer's name.
    pub name: String,
    /// Where DocuSeal would write (it does not: `send_email` is false).
    pub email: String,
    /// E.164, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// The ERPNext Quotation.
    pub external_id: String,
    /// `{"quotation": …}`.
    pub metadata: Value,
    /// Prefilled fields, by the template's field names.
    pub values: Value,
}

/// A submitter as DocuSeal answers it.
#[derive(Debug, Clone, Deserialize)]
struct CreatedSubmitter {
    submission_id: u64,
    #[serde(default)]
    embed_src: Option<String>,
    #[serde(default)]
    slug: Option<String>,
}

/// A submission created: the envelope and where the customer signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// DocuSeal's submission id.
    pub id: u64,
    /// The signing page.
    pub url: String,
}

/// A client of DocuSeal's API at `base_url` (`https://<host>/api`).
#[derive(Clone)]
pub struct DocusealClient {
    http: reqwest::Client,
    base_url: String,
}

impl std::fmt::Debug for DocusealClient {
    // The default headers hold the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocusealClient")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl DocusealClient {
    /// A client sending `key` as `X-Auth-Token`; `None` when the key is not header-safe.
    pub fn new(base_url: &str, key: &SecretString) -> Option<Self> {
        let mut token = HeaderValue::from_str(key.expose_secret()).ok()?;
        token.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert("X-Auth-Token", token);
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

    /// `POST /submissions`: DocuSeal answers the submitters; ours is the first.
    pub async fn create_submission(&self, new: &NewSubmission) -> Result<Submission, CallError> {
        let answer = self
            .http
            .post(format!("{}/submissions", self.base_url))
            .json(new)
            .send()
            .await
            .map_err(transport)?;
        let submitters: Vec<CreatedSubmitter> = read(answer).await?;
        let first = submitters
            .into_iter()
            .next()
            .ok_or_else(|| CallError::Decode("no submitter in the answer".to_owned()))?;
        let url = match (first.embed_src, first.slug) {
            (Some(url), _) => url,
            (None, Some(slug)) => format!("{}/s/{slug}", self.origin()),
            (None, None) => return Err(CallError::Decode("no signing link".to_owned())),
        };
        Ok(Submission {
            id: first.submission_id,
            url,
        })
    }

    /// `GET /submissions/{id}` as JSON.
    pub async fn submission(&self, id: &str) -> Result<Value, CallError> {
        let answer = self
            .http
            .get(format!("{}/submissions/{id}", self.base_url))
            .send()
            .await
            .map_err(transport)?;
        read(answer).await
    }

    /// `https://<host>` of `https://<host>/api`.
    fn origin(&self) -> &str {
        self.base_url.trim_end_matches("/api")
    }
}

/// The bytes of a document DocuSeal links to (the signed PDF). Its URLs carry their own access
/// token, so the API key is never sent with them.
pub async fn download(url: &str) -> Result<Vec<u8>, CallError> {
    let http = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .build()
        .map_err(transport)?;
    let answer = http.get(url).send().await.map_err(transport)?;
    let status = answer.status();
    if !status.is_success() {
        return Err(CallError::Api {
            status: status.as_u16(),
            message: "the document could not be fetched".to_owned(),
        });
    }
    if answer
        .content_length()
        .is_some_and(|n| n > MAX_DOCUMENT_BYTES as u64)
    {
        return Err(CallError::Decode("the document is too large".to_owned()));
    }
    let bytes = answer.bytes().await.map_err(transport)?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(CallError::Decode("the document is too large".to_owned()));
    }
    Ok(bytes.to_vec())
}

fn transport(e: reqwest::Error) -> CallError {
    CallError::Transport(e.without_url().to_string())
}

async fn read<T: serde::de::DeserializeOwned>(answer: reqwest::Response) -> Result<T, CallError> {
    let status = answer.status();
    let body = answer.bytes().await.map_err(transport)?;
    if !status.is_success() {
        let message = serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["error"].as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("HTTP {status}"));
        return Err(CallError::Api {
            status: status.as_u16(),
            message,
        });
    }
    serde_json::from_slice(&body).map_err(|e| CallError::Decode(e.to_string()))
}
