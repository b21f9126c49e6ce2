use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{error_of, quote_request, spawn_app};

#[tokio::test]
async fn a_created_submission_answers_its_submitters_and_reads_back() {
    let app = spawn_app().await;
    let response = app.create(&quote_request()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let submitters: Value = response.json().await.unwrap();
    assert_eq!(submitters.as_array().unwrap().len(), 1);
    let submitter = &submitters[0];
    let slug = submitter["slug"].as_str().unwrap();
    assert_eq!(
        submitter["embed_src"],
        json!(format!("{}/s/{slug}", app.base))
    );
    assert_eq!(submitter["status"], "awaiting");
    assert_eq!(submitter["role"], "Client");
    assert_eq!(submitter["email"], "marie@example.ca");
    assert_eq!(submitter["external_id"], "SAL-QTN-2026-00042");
    assert_eq!(submitter["metadata"]["quotation"], "SAL-QTN-2026-00042");
    assert_eq!(submitter["sent_at"], Value::Null);
    assert!(submitter["uuid"].as_str().unwrap().len() == 36);
    assert!(submitter["submission_id"].is_i64());
    assert_eq!(
        submitter["values"],
        json!([
            {"field": "Soumission", "value": "SAL-QTN-2026-00042"},
            {"field": "Client", "value": "Marie Tremblay"},
            {"field": "Total", "value": "1 149,75 $"},
        ])
    );

    let submission = app.submission(&submitter["submission_id"]).await;
    assert_eq!(submission["id"], submitter["submission_id"]);
    assert_eq!(submission["status"], "pending");
    assert_eq!(submission["source"], "api");
    assert_eq!(submission["template"]["id"], 1);
    assert_eq!(submission["template"]["name"], "Soumission Gigafibre");
    assert_eq!(submission["documents"], json!([]));
    assert_eq!(submission["audit_log_url"], Value::Null);
    assert_eq!(submission["expire_at"], "2100-01-01T04:59:00.000Z");
    assert_eq!(submission["submitters"][0]["id"], submitter["id"]);

    let read = app
        .get_json(&format!("/api/submitters/{}", submitter["id"]))
        .await;
    assert_eq!(read["slug"], submitter["slug"]);
    assert_eq!(read["template"]["name"], "Soumission Gigafibre");
    assert_eq!(read["documents"], json!([]));
    assert_eq!(read["submission_events"], json!([]));
}

#[tokio::test]
async fn send_email_true_marks_the_submitter_sent() {
    let app = spawn_app().await;
    let mut body = quote_request();
    body["send_email"] = json!(true);
    body["template_id"] = json!(2);
    let submitter = app.create_quote_with(body).await;
    assert_eq!(submitter["status"], "sent");
    assert!(submitter["sent_at"].is_string());
}

#[tokio::test]
async fn a_missing_or_wrong_key_is_not_authenticated() {
    let app = spawn_app().await;
    let body = quote_request().to_string();
    for key in [None, Some("wrong"), Some("")] {
        let (status, error) = error_of(app.post_raw(&body, key).await).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(error, "Not authenticated");
    }
    let response = app
        .http
        .get(format!("{}/api/submissions/1", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unknown_template_is_not_found() {
    let app = spawn_app().await;
    for template in [json!(99), json!(null), json!("abc")] {
        let mut body = quote_request();
        body["template_id"] = template;
        let (status, error) = error_of(app.create(&body).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(error, "Template not found");
    }
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_parse_error() {
    let app = spawn_app().await;
    let key = secrecy::ExposeSecret::expose_secret(&app.key).to_owned();
    let (status, error) = error_of(app.post_raw("{\"template_id\": 1,", Some(&key)).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error.starts_with("JSON parse error: "), "{error}");
}

#[tokio::test]
async fn missing_or_malformed_submitters_are_refused_as_docuseal_does() {
    let app = spawn_app().await;
    let cases = [
        (json!({"template_id": 1}), "submitters is required"),
        (
            json!({"template_id": 1, "submitters": []}),
            "submitters is required",
        ),
        (
            json!({"template_id": 1, "submitters": "marie@example.ca"}),
            "submitters must be a Array",
        ),
        (
            json!({"template_id": 1, "submitters": [{"role": "Client"}]}),
            "email or phone or name is required in `submitters[0]`.",
        ),
        (
            json!({"template_id": 1, "submitters": [{"email": "not-an-email"}]}),
            "email is invalid in `submitters[0]`.",
        ),
        (
            json!({"template_id": 1, "submitters": [{"email": "a@b.ca", "phone": "514 555"}]}),
            "phone should start with +<country code> and contain only digits in `submitters[0]`.",
        ),
        (
            json!({"template_id": 1, "send_email": "maybe", "submitters": [{"email": "a@b.ca"}]}),
            "send_email must be true or false",
        ),
        (
            json!({"template_id": 1, "submitters": [{"email": "a@b.ca"}, {"email": "c@d.ca"}]}),
            "Defined more signing parties than in template",
        ),
        (
            json!({"template_id": 1, "submitters": [{"email": "a@b.ca", "values": {"Rabais": "5"}}]}),
            "Unknown field: Rabais",
        ),
        (
            json!({"template_id": 1, "submitters": [{"email": "a@b.ca", "role": "Witness"}]}),
            "Unknown submitter role: Witness. Template defines [\"Client\"]",
        ),
    ];
    for (body, expected) in cases {
        let (status, error) = error_of(app.create(&body).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error, expected, "{body}");
    }
}

#[tokio::test]
async fn an_unknown_submission_or_submitter_is_not_found() {
    let app = spawn_app().await;
    for path in [
        "/api/submissions/4242",
        "/api/submissions/abc",
        "/api/submitters/4242",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], 404);
        assert_eq!(body["error"], "Not found");
    }
}

/// The container's health check: 200 without a token once the database answers.
#[tokio::test]
async fn the_health_route_answers_without_a_key() {
    let app = spawn_app().await;
    let answer = app
        .http
        .get(format!("{}/sandbox/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.text().await.unwrap(), "ok");
}
