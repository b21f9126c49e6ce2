//! One `generateContent` call: the request, the attempts with their backoff, and the reading of
//! Google's envelope (the answer as a JSON string in the text parts) and error bodies.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Gemini, GeminiError, fields};
use crate::input::Checked;

/// Largest answer read (an invoice of a few hundred lines is well under this).
const MAX_ANSWER_BYTES: usize = 4 * 1024 * 1024;
/// Longest Google message kept in [`GeminiError::Refused`].
const MESSAGE_CHARS: usize = 120;

/// What one attempt ended with.
enum Attempt {
    /// The answer's JSON text.
    Answered(String),
    /// Worth another attempt after at least this long (Google's hint, if any); `error` if it was
    /// the last.
    Retry {
        error: GeminiError,
        hint: Option<Duration>,
    },
    /// Not worth another attempt.
    Failed(GeminiError),
}

impl Gemini {
    /// The JSON text Gemini answers for `doc` with `prompt` and `schema`, after up to
    /// `settings.attempts` attempts.
    pub(super) async fn generate(
        &self,
        doc: &Checked,
        prompt: &str,
        schema: &Value,
    ) -> Result<String, GeminiError> {
        // Serialised once: the file's base64 is most of it, and a retry sends the same bytes.
        let body = bytes::Bytes::from(request_body(doc, prompt, schema).to_string());
        let attempts = self.settings.attempts.max(1);
        let mut wait = self.settings.backoff;
        for attempt in 1..=attempts {
            let started = Instant::now();
            let outcome = self.attempt(body.clone()).await;
            let elapsed_ms = started.elapsed().as_millis() as u64;
            let (error, hint) = match outcome {
                Attempt::Answered(text) => {
                    tracing::info!(attempt, elapsed_ms, "gemini answered");
                    return Ok(text);
                }
                Attempt::Failed(error) => {
                    tracing::warn!(attempt, elapsed_ms, reason = %error.reason(), "gemini failed");
                    return Err(error);
                }
                Attempt::Retry { error, hint } => (error, hint),
            };
            if attempt == attempts {
                tracing::warn!(attempt, elapsed_ms, reason = %error.reason(), "gemini gave up");
                return Err(error);
            }
            let pause = pause(wait, hint, self.settings.max_backoff);
            let pause_ms = pause.as_millis() as u64;
            tracing::warn!(attempt, elapsed_ms, pause_ms, reason = %error.reason(), "gemini retried");
            tokio::time::sleep(pause).await;
            wait = wait.saturating_mul(2);
        }
        Err(GeminiError::Transport("no attempt was made".to_owned()))
    }

    async fn attempt(&self, body: bytes::Bytes) -> Attempt {
        let sent = self
            .http
            .post(&self.endpoint)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(self.settings.timeout)
            .body(body)
            .send()
            .await;
        let answer = match sent {
            Ok(answer) => answer,
            Err(e) if e.is_timeout() => return Attempt::Failed(GeminiError::Timeout),
            // Nothing reached Google: as transient as a 503.
            Err(e) if e.is_connect() => {
                return Attempt::Retry {
                    error: self.transport(e),
                    hint: None,
                };
            }
            Err(e) => return Attempt::Failed(self.transport(e)),
        };
        let status = answer.status();
        let retry_after = retry_after(answer.headers());
        match read_capped(answer).await {
            Ok(bytes) => self.judge(status, retry_after, &bytes),
            Err(error) => Attempt::Failed(error),
        }
    }

    /// What an answer with `status` and `body` means.
    fn judge(&self, status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> Attempt {
        if status.is_success() {
            return match answer_text(body) {
                Ok(text) => Attempt::Answered(text),
                Err(error) => Attempt::Failed(error),
            };
        }
        let error = GoogleError::read(body);
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Attempt::Retry {
                error: GeminiError::Unavailable {
                    status: status.as_u16(),
                },
                hint: retry_after.or(error.retry_delay),
            };
        }
        Attempt::Failed(GeminiError::Refused {
            status: status.as_u16(),
            google_status: fields::clip(&error.status, 40),
            message: self.redact(&fields::clip(&error.message, MESSAGE_CHARS)),
        })
    }

    fn transport(&self, e: reqwest::Error) -> GeminiError {
        let e = e.without_url();
        let mut text = e.to_string();
        if let Some(source) = std::error::Error::source(&e) {
            text = format!("{text}: {source}");
        }
        GeminiError::Transport(self.redact(&fields::clip(&text, MESSAGE_CHARS)))
    }

    /// `text` with the key blotted out, should Google (or a proxy) ever echo it.
    fn redact(&self, text: &str) -> String {
        let key = self.settings.api_key.expose_secret();
        if key.is_empty() {
            text.to_owned()
        } else {
            text.replace(key, "[key]")
        }
    }
}

/// The wait before the next attempt: the backoff, or Google's hint when longer, at most `max`.
fn pause(backoff: Duration, hint: Option<Duration>, max: Duration) -> Duration {
    hint.map_or(backoff, |h| h.max(backoff)).min(max)
}

/// The `generateContent` body: the file inline (raw base64), the prompt, a JSON answer shaped by
/// `schema`, temperature 0 (the same page reads the same way twice).
fn request_body(doc: &Checked, prompt: &str, schema: &Value) -> Value {
    json!({
        "contents": [{
            "role": "user",
            "parts": [
                {"inline_data": {"mime_type": doc.media.mime(), "data": STANDARD.encode(&doc.bytes)}},
                {"text": prompt},
            ],
        }],
        "generationConfig": {
            "temperature": 0,
            "responseMimeType": "application/json",
            "responseSchema": schema,
        },
    })
}

async fn read_capped(answer: reqwest::Response) -> Result<bytes::Bytes, GeminiError> {
    if answer
        .content_length()
        .is_some_and(|n| n > MAX_ANSWER_BYTES as u64)
    {
        return Err(GeminiError::Garbage("the answer is too large".to_owned()));
    }
    let bytes = answer.bytes().await.map_err(|e| {
        if e.is_timeout() {
            GeminiError::Timeout
        } else {
            GeminiError::Transport("the answer was cut short".to_owned())
        }
    })?;
    if bytes.len() > MAX_ANSWER_BYTES {
        return Err(GeminiError::Garbage("the answer is too large".to_owned()));
    }
    Ok(bytes)
}

/// The 200 envelope, as much of it as is read.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    #[serde(default)]
    candidates: Vec<Candidate>,
    prompt_feedback: Option<PromptFeedback>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Candidate {
    content: Option<Content>,
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    #[serde(default)]
    parts: Vec<Part>,
}

#[derive(Deserialize)]
struct Part {
    text: Option<String>,
    #[serde(default)]
    thought: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PromptFeedback {
    block_reason: Option<String>,
}

/// The answer's JSON text: the first candidate's text parts that are not thoughts, joined.
fn answer_text(body: &[u8]) -> Result<String, GeminiError> {
    let envelope: Envelope = serde_json::from_slice(body)
        .map_err(|_| GeminiError::Garbage("the body is not Gemini's answer".to_owned()))?;
    let Some(candidate) = envelope.candidates.into_iter().next() else {
        let reason = envelope
            .prompt_feedback
            .and_then(|f| f.block_reason)
            .unwrap_or_else(|| "no candidate".to_owned());
        return Err(GeminiError::Blocked(fields::clip(&reason, 40)));
    };
    let finish = candidate.finish_reason.unwrap_or_default();
    if finish != "STOP" {
        return Err(GeminiError::Blocked(fields::clip(
            &format!("finishReason {finish}"),
            60,
        )));
    }
    let text: String = candidate
        .content
        .map(|c| c.parts)
        .unwrap_or_default()
        .into_iter()
        .filter(|p| !p.thought)
        .filter_map(|p| p.text)
        .collect();
    if text.trim().is_empty() {
        return Err(GeminiError::Garbage("the answer is empty".to_owned()));
    }
    Ok(text)
}

/// Google's error body, `{"error": {code, message, status, details}}`, or what stands in for it.
struct GoogleError {
    status: String,
    message: String,
    retry_delay: Option<Duration>,
}

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorFields,
}

#[derive(Deserialize)]
struct ErrorFields {
    #[serde(default)]
    message: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    details: Vec<Value>,
}

impl GoogleError {
    fn read(body: &[u8]) -> Self {
        match serde_json::from_slice::<ErrorBody>(body) {
            Ok(ErrorBody { error }) => Self {
                retry_delay: error.details.iter().find_map(retry_info),
                status: error.status,
                message: error.message,
            },
            Err(_) => Self {
                status: "UNKNOWN".to_owned(),
                message: "the error body is not Google's".to_owned(),
                retry_delay: None,
            },
        }
    }
}

/// `{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}` → 37 s.
fn retry_info(detail: &Value) -> Option<Duration> {
    let kind = detail.get("@type")?.as_str()?;
    if !kind.ends_with("google.rpc.RetryInfo") {
        return None;
    }
    let seconds: f64 = detail
        .get("retryDelay")?
        .as_str()?
        .strip_suffix('s')?
        .parse()
        .ok()?;
    Duration::try_from_secs_f64(seconds).ok()
}

/// `Retry-After: 7` → 7 s (the HTTP-date form is not used by Google).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let seconds: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    Some(Duration::from_secs(seconds))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn thoughts_are_left_out_and_text_parts_joined() {
        let body = json!({"candidates": [{"content": {"role": "model", "parts": [
            {"text": "thinking…", "thought": true}, {"text": "{\"a\":"}, {"text": "1}"}]},
            "finishReason": "STOP", "index": 0}]});
        let text = answer_text(body.to_string().as_bytes()).unwrap();
        assert_eq!(text, "{\"a\":1}");
    }

    #[test]
    fn a_finish_reason_other_than_stop_is_a_block() {
        let body = json!({"candidates": [{"content": {"parts": [{"text": "{\"a\""}]},
            "finishReason": "MAX_TOKENS"}]});
        let error = answer_text(body.to_string().as_bytes()).unwrap_err();
        assert_eq!(
            error,
            GeminiError::Blocked("finishReason MAX_TOKENS".to_owned())
        );
    }

    #[test]
    fn no_candidate_is_a_block_with_google_reason() {
        let body = json!({"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}});
        let error = answer_text(body.to_string().as_bytes()).unwrap_err();
        assert_eq!(error, GeminiError::Blocked("PROHIBITED_CONTENT".to_owned()));
    }

    #[test]
    fn retry_info_is_read_in_seconds_with_fractions() {
        let detail =
            json!({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "1.5s"});
        assert_eq!(retry_info(&detail), Some(Duration::from_millis(1500)));
        let other = json!({"@type": "type.googleapis.com/google.rpc.Help", "retryDelay": "1s"});
        assert_eq!(retry_info(&other), None);
    }

    #[test]
    fn google_s_hint_lengthens_the_backoff_within_the_cap() {
        let ms = Duration::from_millis;
        assert_eq!(pause(ms(500), None, ms(5000)), ms(500));
        assert_eq!(pause(ms(500), Some(ms(2000)), ms(5000)), ms(2000));
        assert_eq!(pause(ms(500), Some(ms(100)), ms(5000)), ms(500));
        assert_eq!(pause(ms(500), Some(ms(37_000)), ms(5000)), ms(5000));
    }

    #[test]
    fn retry_after_is_read_in_seconds() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2026 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn an_error_body_that_is_not_google_s_still_reads() {
        let error = GoogleError::read(b"<html>bad gateway</html>");
        assert_eq!(error.status, "UNKNOWN");
        assert_eq!(error.retry_delay, None);
    }
}
