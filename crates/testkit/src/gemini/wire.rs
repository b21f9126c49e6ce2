//! Gemini's wire format as the fake reads and writes it: the request's parts, the 200 envelope, the
//! blocked answer and Google's error bodies.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rand::Rng as _;
use rand::distr::Alphanumeric;
use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

/// The media types Gemini reads inline.
const KNOWN_MIME_TYPES: [&str; 7] = [
    "image/jpeg",
    "image/png",
    "image/webp",
    "image/heic",
    "image/heif",
    "application/pdf",
    "text/plain",
];

/// One request as the fake received it (the file itself is not kept, only its size and digest).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GeminiRequest {
    /// The model in the path (`gemini-2.5-flash`).
    pub model: String,
    /// The `inline_data` part's `mime_type`.
    pub mime_type: Option<String>,
    /// How many bytes the base64 decodes to (0 when absent or invalid).
    pub bytes: usize,
    /// SHA-256 of the decoded bytes, lowercase hex.
    pub sha256: Option<String>,
    /// The text parts, joined by a new line.
    pub prompt: Option<String>,
    /// Whether `generationConfig.responseSchema` is there.
    pub has_schema: bool,
    /// `generationConfig.responseSchema`, as sent.
    pub schema: Option<Value>,
    /// `generationConfig.responseMimeType`.
    pub response_mime_type: Option<String>,
    /// `generationConfig.temperature`.
    pub temperature: Option<f64>,
    /// Whether an `x-goog-api-key` header was sent.
    pub has_key_header: bool,
    /// Whether the query string carries a `key` (it should not: URLs are logged).
    pub key_in_url: bool,
}

/// `obj[camel]` or `obj[snake]`: Gemini takes both spellings.
fn field<'a>(obj: &'a Value, camel: &str, snake: &str) -> Option<&'a Value> {
    obj.get(camel).or_else(|| obj.get(snake))
}

fn parts(body: &Value) -> &[Value] {
    body.get("contents")
        .and_then(|c| c.get(0))
        .and_then(|c| c.get("parts"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn inline_data(part: &Value) -> Option<&Value> {
    field(part, "inlineData", "inline_data")
}

fn generation_config(body: &Value) -> Option<&Value> {
    field(body, "generationConfig", "generation_config")
}

impl GeminiRequest {
    /// What a request to `model` carried.
    pub(super) fn read(model: &str, has_key_header: bool, query: &str, raw: &[u8]) -> Self {
        let body: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
        let inline = parts(&body).iter().find_map(inline_data);
        let decoded = inline
            .and_then(|d| d.get("data"))
            .and_then(Value::as_str)
            .and_then(|data| STANDARD.decode(data).ok());
        let texts: Vec<&str> = parts(&body)
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect();
        let config = generation_config(&body);
        let schema = config.and_then(|c| field(c, "responseSchema", "response_schema"));
        Self {
            model: model.to_owned(),
            mime_type: inline
                .and_then(|d| field(d, "mimeType", "mime_type"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            bytes: decoded.as_ref().map_or(0, Vec::len),
            sha256: decoded.map(|b| hex::encode(Sha256::digest(&b))),
            prompt: (!texts.is_empty()).then(|| texts.join("\n")),
            has_schema: schema.is_some(),
            schema: schema.cloned(),
            response_mime_type: config
                .and_then(|c| field(c, "responseMimeType", "response_mime_type"))
                .and_then(Value::as_str)
                .map(str::to_owned),
            temperature: config
                .and_then(|c| c.get("temperature"))
                .and_then(Value::as_f64),
            has_key_header,
            key_in_url: query.split('&').any(|kv| kv.starts_with("key=")),
        }
    }
}

/// The body's faults, as Google words an `INVALID_ARGUMENT`.
pub(super) fn check_body(raw: &[u8]) -> Result<(), String> {
    let body: Value = serde_json::from_slice(raw)
        .map_err(|_| "Invalid JSON payload received. Unexpected token.".to_owned())?;
    let parts = parts(&body);
    if parts.is_empty() {
        return Err("* GenerateContentRequest.contents: contents is not specified".to_owned());
    }
    let inline: Vec<&Value> = parts.iter().filter_map(inline_data).collect();
    let [data] = inline.as_slice() else {
        return Err(format!(
            "* GenerateContentRequest.contents[0].parts: expected one inline_data part, got {}",
            inline.len()
        ));
    };
    let mime = field(data, "mimeType", "mime_type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !KNOWN_MIME_TYPES.contains(&mime) {
        return Err(format!("Unsupported MIME type: {mime}"));
    }
    let encoded = data.get("data").and_then(Value::as_str).unwrap_or_default();
    if encoded.is_empty() || STANDARD.decode(encoded).is_err() {
        return Err(
            "Invalid value at 'contents[0].parts[0].inline_data.data' (TYPE_BYTES), \
                    Base64 decoding failed"
                .to_owned(),
        );
    }
    let has_text = parts.iter().any(|p| {
        p.get("text")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.trim().is_empty())
    });
    if !has_text {
        return Err(
            "* GenerateContentRequest.contents[0].parts: a text part is required".to_owned(),
        );
    }
    check_config(generation_config(&body))
}

fn check_config(config: Option<&Value>) -> Result<(), String> {
    let config = config.ok_or("* GenerateContentRequest.generation_config: missing")?;
    let mime = field(config, "responseMimeType", "response_mime_type").and_then(Value::as_str);
    if mime != Some("application/json") {
        return Err(
            "* GenerateContentRequest.generation_config.response_mime_type: \
                    application/json is required with a response schema"
                .to_owned(),
        );
    }
    let schema = field(config, "responseSchema", "response_schema");
    if schema.is_none_or(|s| s.get("type").and_then(Value::as_str).is_none()) {
        return Err(
            "* GenerateContentRequest.generation_config.response_schema: \
                    a schema with a type is required"
                .to_owned(),
        );
    }
    Ok(())
}

/// Google's error body.
pub(super) fn error(
    status: StatusCode,
    google: &str,
    message: &str,
    details: Vec<Value>,
) -> HttpResponse {
    let mut error = json!({"code": status.as_u16(), "message": message, "status": google});
    if !details.is_empty() {
        error["details"] = Value::Array(details);
    }
    HttpResponse::build(status).json(json!({ "error": error }))
}

/// A missing or wrong key, exactly as Google answers it.
pub(super) fn api_key_invalid() -> HttpResponse {
    error(
        StatusCode::BAD_REQUEST,
        "INVALID_ARGUMENT",
        "API key not valid. Please pass a valid API key.",
        vec![
            json!({"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}),
        ],
    )
}

/// An injected failure with `status`'s Google status and message.
pub(super) fn injected(status: u16, retry_delay: std::time::Duration) -> HttpResponse {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let (google, message) = match status {
        429 => (
            "RESOURCE_EXHAUSTED",
            "You exceeded your current quota, please check your plan and billing details. For \
             more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.",
        ),
        500 => (
            "INTERNAL",
            "An internal error has occurred. Please retry or report in \
             https://developers.generativeai.google/guide/troubleshooting",
        ),
        503 => (
            "UNAVAILABLE",
            "The model is overloaded. Please try again later.",
        ),
        504 => (
            "DEADLINE_EXCEEDED",
            "Deadline expired before operation could complete.",
        ),
        403 => ("PERMISSION_DENIED", "The caller does not have permission"),
        400 => (
            "FAILED_PRECONDITION",
            "User location is not supported for the API use.",
        ),
        _ => ("UNKNOWN", "Unknown error."),
    };
    let details = if status == 429 {
        vec![
            json!({"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{
                "quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                "quotaId": "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]}),
            json!({"@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": format!("{}s", retry_delay.as_secs_f64())}),
        ]
    } else {
        vec![]
    };
    error(code, google, message, details)
}

fn usage(prompt_tokens: usize, answer: &str, thoughts: usize) -> Value {
    let candidates = answer.len().div_ceil(4);
    let mut usage = json!({
        "promptTokenCount": prompt_tokens,
        "candidatesTokenCount": candidates,
        "totalTokenCount": prompt_tokens + candidates + thoughts,
    });
    if thoughts > 0 {
        usage["thoughtsTokenCount"] = json!(thoughts);
    }
    usage
}

fn response_id() -> String {
    rand::rng()
        .sample_iter(Alphanumeric)
        .take(22)
        .map(char::from)
        .collect()
}

/// The 200 envelope with `text` as the answer (a thought part first when `thoughts`).
pub(super) fn answered(model: &str, text: &str, thoughts: bool) -> HttpResponse {
    let mut parts = Vec::new();
    if thoughts {
        parts.push(json!({"text": "**Reading the page**\n\nI see a supplier invoice; the totals are at the bottom.", "thought": true}));
    }
    parts.push(json!({ "text": text }));
    HttpResponse::Ok().json(json!({
        "candidates": [{
            "content": {"role": "model", "parts": parts},
            "finishReason": "STOP",
            "index": 0,
        }],
        "usageMetadata": usage(1290, text, if thoughts { 212 } else { 0 }),
        "modelVersion": model,
        "responseId": response_id(),
    }))
}

/// A 200 without a candidate: the prompt was blocked.
pub(super) fn blocked(model: &str, reason: &str) -> HttpResponse {
    HttpResponse::Ok().json(json!({
        "promptFeedback": {"blockReason": reason},
        "usageMetadata": {"promptTokenCount": 1290, "totalTokenCount": 1290},
        "modelVersion": model,
        "responseId": response_id(),
    }))
}
