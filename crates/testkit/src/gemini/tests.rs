use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::*;

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0 not really a photo";

fn body(mime: &str, data: &str) -> Value {
    json!({
        "contents": [{"role": "user", "parts": [
            {"inline_data": {"mime_type": mime, "data": data}},
            {"text": "Extract the invoice fields."}]}],
        "generationConfig": {"temperature": 0, "responseMimeType": "application/json",
            "responseSchema": {"type": "OBJECT", "properties": {"total": {"type": "NUMBER"}}}},
    })
}

fn jpeg_body() -> Value {
    body("image/jpeg", &STANDARD.encode(JPEG))
}

async fn post(fake: &FakeGemini, model: &str, key: Option<&str>, body: &Value) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(format!("{}/models/{model}:generateContent", fake.url()))
        .json(body);
    if let Some(key) = key {
        request = request.header("x-goog-api-key", key);
    }
    let answer = request.send().await.expect("the fake answers");
    let status = answer.status().as_u16();
    (status, answer.json().await.expect("a JSON body"))
}

fn answer_text(body: &Value) -> &str {
    body["candidates"][0]["content"]["parts"]
        .as_array()
        .and_then(|parts| parts.last())
        .and_then(|p| p["text"].as_str())
        .expect("a text part")
}

#[tokio::test]
async fn a_good_request_gets_its_answer_as_a_json_string() {
    let fake = FakeGemini::spawn().await;
    fake.answer(json!({"total": 129.62}));
    let (status, body) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &jpeg_body()).await;
    assert_eq!(status, 200);
    assert_eq!(answer_text(&body), r#"{"total":129.62}"#);
    assert_eq!(body["candidates"][0]["finishReason"], "STOP");
    assert_eq!(body["modelVersion"], "gemini-2.5-flash");
    assert!(body["usageMetadata"]["totalTokenCount"].as_u64().unwrap() > 0);
    assert_eq!(body["responseId"].as_str().unwrap().len(), 22);
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_refused_as_google_does() {
    let fake = FakeGemini::spawn().await;
    for key in [None, Some("AIza-wrong")] {
        let (status, body) = post(&fake, "gemini-2.5-flash", key, &jpeg_body()).await;
        assert_eq!(status, 400);
        assert_eq!(
            body,
            json!({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "API_KEY_INVALID"}]}})
        );
    }
    let requests = fake.requests();
    assert!(!requests[0].has_key_header);
    assert!(requests[1].has_key_header);
    assert_eq!(fake.calls(), 2);
}

#[tokio::test]
async fn an_unknown_model_is_not_found() {
    let fake = FakeGemini::spawn().await;
    let (status, body) = post(&fake, "gemini-0.1-slow", Some(&fake.key()), &jpeg_body()).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["status"], "NOT_FOUND");
}

#[tokio::test]
async fn a_malformed_body_is_an_invalid_argument() {
    let fake = FakeGemini::spawn().await;
    let mut no_schema = jpeg_body();
    no_schema["generationConfig"] = json!({"temperature": 0});
    let mut no_text = jpeg_body();
    no_text["contents"][0]["parts"] = json!([no_text["contents"][0]["parts"][0].clone()]);
    for bad in [
        body("image/gif", &STANDARD.encode(JPEG)),
        body("image/jpeg", "not base64!"),
        no_schema,
        no_text,
        json!({"contents": []}),
    ] {
        let (status, body) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &bad).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(body["error"]["status"], "INVALID_ARGUMENT");
    }
}

#[tokio::test]
async fn camel_case_is_accepted_as_well() {
    let fake = FakeGemini::spawn().await;
    let camel = json!({
        "contents": [{"parts": [{"inlineData": {"mimeType": "application/pdf", "data": STANDARD.encode(b"%PDF-1.7")}},
            {"text": "Read it."}]}],
        "generationConfig": {"responseMimeType": "application/json", "responseSchema": {"type": "OBJECT"}},
    });
    let (status, _) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &camel).await;
    assert_eq!(status, 200);
    assert_eq!(
        fake.requests()[0].mime_type.as_deref(),
        Some("application/pdf")
    );
}

#[tokio::test]
async fn each_image_can_have_its_own_answer() {
    let fake = FakeGemini::spawn().await;
    let sha = hex::encode(Sha256::digest(JPEG));
    fake.answer_for_image(&sha, json!({"serial": "A1"}));
    let (_, body) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &jpeg_body()).await;
    assert_eq!(answer_text(&body), r#"{"serial":"A1"}"#);
    let other = body_for(b"\x89PNG\r\n\x1a\n other");
    let (_, body) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &other).await;
    assert_eq!(answer_text(&body), "{}");
    let recorded = &fake.requests()[0];
    assert_eq!(recorded.sha256.as_deref(), Some(sha.as_str()));
    assert_eq!(recorded.bytes, JPEG.len());
    assert_eq!(recorded.mime_type.as_deref(), Some("image/jpeg"));
    assert_eq!(
        recorded.prompt.as_deref(),
        Some("Extract the invoice fields.")
    );
    assert!(recorded.has_schema);
    assert_eq!(recorded.temperature, Some(0.0));
    assert!(!recorded.key_in_url);
}

fn body_for(bytes: &[u8]) -> Value {
    body("image/png", &STANDARD.encode(bytes))
}

#[tokio::test]
async fn injected_failures_carry_google_bodies_then_stop() {
    let fake = FakeGemini::spawn().await;
    fake.retry_delay(Duration::from_millis(1500));
    fake.fail_next(429, 1);
    let (status, body) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &jpeg_body()).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["status"], "RESOURCE_EXHAUSTED");
    let details = body["error"]["details"].as_array().unwrap();
    assert!(details.iter().any(|d| d["retryDelay"] == "1.5s"));
    fake.fail_next(503, 1);
    let (status, body) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &jpeg_body()).await;
    assert_eq!(
        (status, body["error"]["status"].as_str()),
        (503, Some("UNAVAILABLE"))
    );
    let (status, _) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &jpeg_body()).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn blocks_thoughts_and_garbage_are_scripted() {
    let fake = FakeGemini::spawn().await;
    fake.thoughts(true);
    fake.answer_text("Voici la facture : total 12 $");
    let (_, body) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &jpeg_body()).await;
    let parts = body["candidates"][0]["content"]["parts"]
        .as_array()
        .unwrap();
    assert_eq!(parts[0]["thought"], true);
    assert_eq!(parts[1]["text"], "Voici la facture : total 12 $");
    assert!(
        body["usageMetadata"]["thoughtsTokenCount"]
            .as_u64()
            .is_some()
    );
    fake.block("PROHIBITED_CONTENT");
    let (status, body) = post(&fake, "gemini-2.5-flash", Some(&fake.key()), &jpeg_body()).await;
    assert_eq!(status, 200);
    assert!(body.get("candidates").is_none());
    assert_eq!(body["promptFeedback"]["blockReason"], "PROHIBITED_CONTENT");
}
