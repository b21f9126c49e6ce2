//! A fake of Gemini's `generateContent` (`POST /v1beta/models/{model}:generateContent`) that follows
//! the documented wire format (third-party-contracts.md §6): the `x-goog-api-key` header, the body
//! with one `inline_data` part (raw base64) and a text part, `generationConfig.responseMimeType`
//! `application/json` with a `responseSchema` (camelCase and snake_case both accepted), the 200
//! envelope whose answer is a JSON *string* in the first candidate's text part, and Google's error
//! bodies (`{"error": {code, message, status, details}}`).
//!
//! ```no_run
//! # async fn demo() {
//! let gemini = testkit::FakeGemini::spawn().await;
//! gemini.answer(serde_json::json!({"supplier": "Câblage Laurentides inc."}));
//! gemini.fail_next(429, 1);
//! // GEMINI_API_URL=gemini.url(), GEMINI_API_KEY=gemini.key(), read an invoice…
//! assert_eq!(gemini.calls(), 2);
//! # }
//! ```

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

mod wire;

pub use wire::GeminiRequest;

/// The models the fake knows; any other is 404 `NOT_FOUND`.
pub const KNOWN_MODELS: [&str; 3] = [
    "gemini-2.5-flash",
    "gemini-2.5-flash-lite",
    "gemini-2.5-pro",
];

/// The key the fake accepts.
const KEY: &str = "AIzaSyFAKE-gemini-test-key-0123456789";
/// Largest body read (Google's inline limit is 20 MB).
const MAX_BODY_BYTES: usize = 21 * 1024 * 1024;

/// What the fake answers with.
#[derive(Debug, Clone)]
enum Answer {
    /// A JSON value, sent as the text part (a string).
    Json(Value),
    /// Raw text, JSON or not.
    Text(String),
}

impl Answer {
    fn text(&self) -> String {
        match self {
            Self::Json(value) => value.to_string(),
            Self::Text(text) => text.clone(),
        }
    }
}

#[derive(Debug)]
struct Script {
    answer: Answer,
    per_image: HashMap<String, Answer>,
    /// (status, how many requests left to fail).
    failures: Option<(u16, usize)>,
    retry_delay: Duration,
    delay: Duration,
    block: Option<String>,
    thoughts: bool,
}

#[derive(Debug)]
struct State {
    key: String,
    script: Mutex<Script>,
    requests: Mutex<Vec<GeminiRequest>>,
    calls: AtomicUsize,
}

/// Locks a mutex even if a panicking test thread poisoned it: the data stays usable.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running Gemini fake on `127.0.0.1`; stopped when dropped. Every setting holds until changed.
#[derive(Debug)]
pub struct FakeGemini {
    state: Arc<State>,
    base_url: String,
    handle: ServerHandle,
}

impl FakeGemini {
    /// Starts the fake on a free port; it answers `{}` until told otherwise.
    ///
    /// # Panics
    /// When no port can be bound.
    pub async fn spawn() -> FakeGemini {
        let state = Arc::new(State {
            key: KEY.to_owned(),
            script: Mutex::new(Script {
                answer: Answer::Json(json!({})),
                per_image: HashMap::new(),
                failures: None,
                retry_delay: Duration::from_secs(1),
                delay: Duration::ZERO,
                block: None,
                thoughts: false,
            }),
            requests: Mutex::new(Vec::new()),
            calls: AtomicUsize::new(0),
        });
        let data = web::Data::from(Arc::clone(&state));
        let (base_url, handle) = crate::fake_http::serve(move |cfg| {
            cfg.app_data(data.clone())
                .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
                .route("/v1beta/models/{target}", web::post().to(generate));
        });
        FakeGemini {
            state,
            base_url,
            handle,
        }
    }

    /// `http://127.0.0.1:<port>/v1beta`, in place of `https://generativelanguage.googleapis.com/v1beta`.
    pub fn url(&self) -> String {
        format!("{}/v1beta", self.base_url)
    }

    /// The API key the fake accepts.
    pub fn key(&self) -> String {
        self.state.key.clone()
    }

    /// The answer to any file without an answer of its own ([`FakeGemini::answer_for_image`]).
    pub fn answer(&self, json: Value) {
        lock(&self.state.script).answer = Answer::Json(json);
    }

    /// The answer to the file whose decoded bytes have this SHA-256 (lowercase hex).
    pub fn answer_for_image(&self, sha256_hex: &str, json: Value) {
        lock(&self.state.script)
            .per_image
            .insert(sha256_hex.to_ascii_lowercase(), Answer::Json(json));
    }

    /// Answers `raw` as the text part, JSON or not (a model that wrote prose).
    pub fn answer_text(&self, raw: &str) {
        lock(&self.state.script).answer = Answer::Text(raw.to_owned());
    }

    /// Answers the next `n` requests with Google's error body for `status` (429
    /// `RESOURCE_EXHAUSTED` with a `RetryInfo`, 500 `INTERNAL`, 503 `UNAVAILABLE`, 504
    /// `DEADLINE_EXCEEDED`, 403 `PERMISSION_DENIED`, 400 `FAILED_PRECONDITION`).
    pub fn fail_next(&self, status: u16, n: usize) {
        lock(&self.state.script).failures = Some((status, n));
    }

    /// The `retryDelay` a 429 carries (1 s unless set).
    pub fn retry_delay(&self, delay: Duration) {
        lock(&self.state.script).retry_delay = delay;
    }

    /// Waits this long before answering each request.
    pub fn delay(&self, delay: Duration) {
        lock(&self.state.script).delay = delay;
    }

    /// Answers without a candidate, `promptFeedback.blockReason` = `reason` (`PROHIBITED_CONTENT`).
    pub fn block(&self, reason: &str) {
        lock(&self.state.script).block = Some(reason.to_owned());
    }

    /// Puts a `"thought": true` part before the answer, as a thinking model does.
    pub fn thoughts(&self, on: bool) {
        lock(&self.state.script).thoughts = on;
    }

    /// Every request received, in order (refused ones included).
    pub fn requests(&self) -> Vec<GeminiRequest> {
        lock(&self.state.requests).clone()
    }

    /// How many requests were received.
    pub fn calls(&self) -> usize {
        self.state.calls.load(Ordering::Relaxed)
    }
}

impl Drop for FakeGemini {
    fn drop(&mut self) {
        crate::fake_http::stop(&self.handle);
    }
}

async fn generate(
    req: HttpRequest,
    state: web::Data<State>,
    target: web::Path<String>,
    body: web::Bytes,
) -> HttpResponse {
    state.calls.fetch_add(1, Ordering::Relaxed);
    let (model, method) = target.split_once(':').unwrap_or((target.as_str(), ""));
    let key = req
        .headers()
        .get("x-goog-api-key")
        .and_then(|v| v.to_str().ok());
    let recorded = GeminiRequest::read(model, key.is_some(), req.query_string(), &body);
    let image_sha256 = recorded.sha256.clone();
    lock(&state.requests).push(recorded);
    let delay = lock(&state.script).delay;
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if key != Some(state.key.as_str()) {
        return wire::api_key_invalid();
    }
    if method != "generateContent" || !KNOWN_MODELS.contains(&model) {
        return wire::error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            &format!(
                "models/{model} is not found for API version v1beta, or is not supported for \
                 generateContent. Call ListModels to see the list of available models and their \
                 supported methods."
            ),
            vec![],
        );
    }
    if let Some(failure) = take_failure(&state) {
        return failure;
    }
    if let Err(message) = wire::check_body(&body) {
        return wire::error(
            StatusCode::BAD_REQUEST,
            "INVALID_ARGUMENT",
            &message,
            vec![],
        );
    }
    let script = lock(&state.script);
    if let Some(reason) = &script.block {
        return wire::blocked(model, reason);
    }
    let answer = image_sha256
        .and_then(|sha| script.per_image.get(&sha))
        .unwrap_or(&script.answer);
    wire::answered(model, &answer.text(), script.thoughts)
}

/// The injected error for this request, if one is due.
fn take_failure(state: &State) -> Option<HttpResponse> {
    let mut script = lock(&state.script);
    let (status, left) = script.failures?;
    if left == 0 {
        return None;
    }
    script.failures = Some((status, left - 1));
    Some(wire::injected(status, script.retry_delay))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;
