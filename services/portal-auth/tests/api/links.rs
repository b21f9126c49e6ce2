//! The answer of request-link (identical whether or not the identifier matches), the email link,
//! the SMS short link, and links built from configuration only.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;

use crate::helpers::{Backend, claims_of, link_token, short_code, spawn_app};
use crate::on_both_backends;

fn header_names(r: &reqwest::Response) -> BTreeSet<String> {
    r.headers()
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k != "date" && k != "content-length")
        .collect()
}

#[tokio::test]
async fn a_matching_and_a_non_matching_identifier_get_the_same_answer() {
    let app = spawn_app(Backend::Sqlite).await;
    for (matching, unknown) in [
        ("marie.tremblay@example.ca", "marie.tremblai@example.ca"),
        ("514 555-0147", "514 555-0198"),
        ("CUST-2024-00001", "CUST-2024-09999"),
    ] {
        let (a, b) = (
            app.request_link_for(matching).await,
            app.request_link_for(unknown).await,
        );
        assert_eq!(a.status(), 200);
        assert_eq!(a.status(), b.status());
        assert_eq!(header_names(&a), header_names(&b));
        let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&a), ["hint", "kind", "ok"]);
        assert_eq!(keys(&a), keys(&b));
        assert_eq!(a["ok"], true);
        assert_eq!(a["kind"], b["kind"]);
        assert_eq!(
            a["hint"].as_str().unwrap().len(),
            b["hint"].as_str().unwrap().len()
        );
    }
}

#[tokio::test]
async fn the_answer_names_the_kind_and_masks_the_identifier() {
    let app = spawn_app(Backend::Sqlite).await;
    for (identifier, kind) in [
        ("marie.tremblay@example.ca", "email"),
        ("(514) 555-0147", "phone"),
        ("10001", "customer_id"),
    ] {
        let body: Value = app.request_link_for(identifier).await.json().await.unwrap();
        assert_eq!(body["kind"], kind, "{identifier}");
        let hint = body["hint"].as_str().unwrap();
        assert_ne!(hint, identifier, "the hint must be masked");
    }
}

async fn the_email_link_and_the_short_link_log_the_same_customer_in(backend: Backend) {
    let app = spawn_app(backend).await;
    assert_eq!(app.request_link_for("5145550147").await.status(), 200);
    let email = app
        .wait_for_emails("marie.tremblay@example.ca", 1)
        .await
        .remove(0);
    let sms = app.wait_for_sms("+15145550147", 1).await.remove(0);
    let token = link_token(&email.text);
    assert!(email.html.contains(&token));
    assert_eq!(app.auth_verify(&token).await.status(), 200);

    let code = short_code(&sms.body);
    assert!(code.len() >= 11, "short code {code} has under 64 bits");
    assert!(URL_SAFE_NO_PAD.decode(&code).unwrap().len() >= 8);
    let followed = app.follow_short_link(&code).await;
    assert_eq!(followed.status(), 302);
    let location = followed.headers()["location"].to_str().unwrap().to_owned();
    let from_sms = link_token(&location);
    assert_eq!(claims_of(&from_sms)["sub"], "CUST-2024-00001");
    assert_eq!(claims_of(&from_sms)["jti"], claims_of(&token)["jti"]);
    assert_eq!(app.auth_verify(&from_sms).await.status(), 200);
    // Following again still works: scanners fetch links before the customer does.
    assert_eq!(app.follow_short_link(&code).await.status(), 302);
    app.cleanup().await;
}
on_both_backends!(
    the_email_link_and_the_short_link_log_the_same_customer_in_,
    the_email_link_and_the_short_link_log_the_same_customer_in
);

#[tokio::test]
async fn an_unknown_or_garbage_short_code_goes_to_the_login_page() {
    let app = spawn_app(Backend::Sqlite).await;
    let long = "a".repeat(300);
    for code in [
        "AAAAAAAAAAAAAAAA",
        "short",
        "%3Cscript%3E",
        long.as_str(),
        "..%2F..%2Fetc",
    ] {
        let r = app.follow_short_link(code).await;
        assert_eq!(r.status(), 302, "{code}");
        assert_eq!(
            r.headers()["location"],
            "https://portail.example.ca/#/login?expired=1"
        );
    }
}

#[tokio::test]
async fn an_expired_short_link_goes_to_the_login_page() {
    let app = spawn_app(Backend::Sqlite).await;
    assert_eq!(app.request_link_for("5145550147").await.status(), 200);
    let sms = app.wait_for_sms("+15145550147", 1).await.remove(0);
    let code = short_code(&sms.body);
    let db = app.database().await;
    use sea_orm::ConnectionTrait;
    db.execute_unprepared("UPDATE short_link SET expires_at = 0")
        .await
        .unwrap();
    let r = app.follow_short_link(&code).await;
    assert_eq!(
        r.headers()["location"],
        "https://portail.example.ca/#/login?expired=1"
    );
}

#[tokio::test]
async fn a_forged_host_header_changes_no_link() {
    let app = spawn_app(Backend::Sqlite).await;
    let r = app
        .client
        .post(app.url("/portal/request-link"))
        .header("Host", "evil.example")
        .header("X-Forwarded-Host", "evil.example")
        .header("X-Forwarded-Proto", "http")
        .header("Forwarded", "host=evil.example;proto=http")
        .json(&serde_json::json!({ "identifier": "514 555-0147" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let email = app
        .wait_for_emails("marie.tremblay@example.ca", 1)
        .await
        .remove(0);
    let sms = app.wait_for_sms("+15145550147", 1).await.remove(0);
    for text in [&email.text, &email.html, &sms.body] {
        assert!(!text.contains("evil"), "{text}");
    }
    link_token(&email.text);
    short_code(&sms.body);
    let followed = app
        .client
        .get(app.url(&format!("/portal/l/{}", short_code(&sms.body))))
        .header("Host", "evil.example")
        .header("X-Forwarded-Host", "evil.example")
        .send()
        .await
        .unwrap();
    let location = followed.headers()["location"].to_str().unwrap();
    assert!(location.starts_with("https://portail.example.ca/#/?token="));
}
