//! Bad input on request-link and verify-code: a 4xx problem+json and no side effect at all.

use serde_json::json;

use crate::helpers::{Backend, Bus, TestApp, problem, spawn_app_with};
use crate::on_both_backends;

const MARIE: &str = "marie.tremblay@example.ca";

/// Every malformed request, as (body, content type).
fn bad_requests() -> Vec<(Vec<u8>, Option<&'static str>)> {
    let json_body =
        |v: serde_json::Value| (serde_json::to_vec(&v).unwrap(), Some("application/json"));
    let long_email = format!("{}@example.ca", "a".repeat(244));
    assert_eq!(long_email.len(), 255);
    vec![
        json_body(json!({})),
        json_body(json!({ "identifier": null })),
        json_body(json!({ "identifier": 42 })),
        json_body(json!({ "identifier": "" })),
        json_body(json!({ "identifier": "   \t " })),
        json_body(json!({ "identifier": long_email })),
        json_body(json!({ "identifier": "a".repeat(255) })),
        json_body(json!({ "identifier": "marie\u{0}@example.ca" })),
        json_body(json!({ "identifier": "marie.tremblay@example.ca\nBcc: x@evil.example" })),
        json_body(json!({ "identifier": MARIE, "lang": "de" })),
        json_body(json!([MARIE])),
        json_body(json!(MARIE)),
        (b"{\"identifier\": ".to_vec(), Some("application/json")),
        (b"identifier=marie".to_vec(), Some("application/json")),
        (
            serde_json::to_vec(&json!({ "identifier": MARIE })).unwrap(),
            Some("text/plain"),
        ),
        (
            serde_json::to_vec(&json!({ "identifier": MARIE })).unwrap(),
            Some("application/x-www-form-urlencoded"),
        ),
        (
            serde_json::to_vec(&json!({ "identifier": MARIE })).unwrap(),
            None,
        ),
        (
            serde_json::to_vec(&json!({ "identifier": MARIE, "pad": "x".repeat(5000) })).unwrap(),
            Some("application/json"),
        ),
    ]
}

async fn assert_all_refused(app: &TestApp, path: &str, extra: serde_json::Value) {
    for (body, ct) in bad_requests() {
        // A `lang` is no field of verify-code: there that body is a well-formed wrong guess.
        if path.ends_with("verify-code") && body.windows(4).any(|w| w == b"lang") {
            continue;
        }
        // verify-code needs a code too: add it to JSON objects so only the identifier is wrong.
        let body = match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(mut o)) if ct == Some("application/json") => {
                if let serde_json::Value::Object(e) = &extra {
                    o.extend(e.clone());
                }
                serde_json::to_vec(&o).unwrap()
            }
            _ => body,
        };
        let shown = String::from_utf8_lossy(&body[..body.len().min(80)]).into_owned();
        let r = app.post_raw(path, body, ct).await;
        let status = r.status().as_u16();
        assert!(
            (400..500).contains(&status) && status != 429,
            "{path} {shown:?} {ct:?} → {status}"
        );
        problem(r, status).await;
    }
}

async fn bad_link_requests_are_refused_without_side_effect(backend: Backend) {
    let app = spawn_app_with(backend, Bus::InProcess, &[("LINK_LIMIT_PER_IP", "3")]).await;
    assert_all_refused(&app, "/portal/request-link", json!({})).await;
    app.wait_until_idle().await;
    assert!(app.envelopes().is_empty(), "{:?}", app.envelopes());
    // Neither the identifier's nor the address's budget was used.
    for _ in 0..3 {
        assert_eq!(app.request_link_for(MARIE).await.status(), 200);
    }
    app.wait_for_emails(MARIE, 3).await;
    app.wait_until_idle().await;
    assert_eq!(app.emails_to(MARIE).len(), 3);
    app.cleanup().await;
}
on_both_backends!(
    bad_link_requests_are_refused_without_side_effect_,
    bad_link_requests_are_refused_without_side_effect
);

#[tokio::test]
async fn bad_code_requests_are_refused_and_burn_nothing() {
    let app = spawn_app_with(Backend::Sqlite, Bus::InProcess, &[]).await;
    let email = app.login_email(MARIE, MARIE).await;
    let code = crate::helpers::typed_code(&email.text);
    assert_all_refused(&app, "/portal/verify-code", json!({ "code": "000000" })).await;
    for bad_code in ["", "12345", "1234567", "abcdef", "12 456", "١٢٣٤٥٦"] {
        let r = app.verify_code(MARIE, bad_code).await;
        problem(r, 400).await;
    }
    assert_eq!(app.verify_code(MARIE, &code).await.status(), 200);
}
