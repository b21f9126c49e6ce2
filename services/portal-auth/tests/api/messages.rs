//! What the messages say: escaped names, one-segment SMS, SMS only to +1 numbers, language; the
//! daily caps of SMS per number and emails per address.

use portal_auth::domain::sms::{SmsEncoding, count_segments};
use serde_json::{Value, json};

use crate::helpers::{Backend, spawn_app};

#[tokio::test]
async fn a_customer_name_with_markup_is_escaped_in_the_email() {
    let app = spawn_app(Backend::Sqlite).await;
    let created: Value = app
        .erp
        .client()
        .create(
            "Customer",
            &json!({
                "customer_name": "<b>Bob</b> & Fils <script>alert(1)</script>",
                "customer_type": "Company",
                "email_id": "bob.markup@example.ca",
                "language": "fr",
            }),
        )
        .await
        .unwrap();
    assert!(created["name"].is_string());
    let email = app
        .login_email("bob.markup@example.ca", "bob.markup@example.ca")
        .await;
    assert!(!email.html.contains("<b>Bob"), "{}", email.html);
    assert!(!email.html.contains("<script>"));
    assert!(
        email.html.contains("&lt;b&gt;Bob&lt;/b&gt; &amp; Fils"),
        "{}",
        email.html
    );
    // The plain-text part is not HTML: the name stays as written there.
    assert!(email.text.contains("<b>Bob</b> & Fils"));
}

#[tokio::test]
async fn the_sms_fits_one_gsm7_segment_in_both_languages() {
    let app = spawn_app(Backend::Sqlite).await;
    // Marie is French, Patrick O'Brien English.
    for (identifier, number) in [
        ("514 555-0147", "+15145550147"),
        ("514-555-0121", "+15145550121"),
    ] {
        assert_eq!(app.request_link_for(identifier).await.status(), 200);
        let sms = app.wait_for_sms(number, 1).await.remove(0);
        let segments = count_segments(&sms.body);
        assert_eq!(segments.encoding, SmsEncoding::Gsm7, "{}", sms.body);
        assert!(segments.is_single(), "{} is {segments:?}", sms.body);
    }
}

#[tokio::test]
async fn no_sms_goes_to_a_number_outside_north_america() {
    let app = spawn_app(Backend::Sqlite).await;
    app.erp
        .client()
        .create::<Value>(
            "Customer",
            &json!({
                "customer_name": "Jean Dupont",
                "email_id": "jean.dupont@example.fr",
                "cell_phone": "+33 6 12 34 56 78",
            }),
        )
        .await
        .unwrap();
    app.login_email("jean.dupont@example.fr", "jean.dupont@example.fr")
        .await;
    app.wait_until_idle().await;
    let sms: Vec<_> = app
        .envelopes()
        .into_iter()
        .filter(|e| e.subject == "notify.sms.send")
        .collect();
    assert!(sms.is_empty(), "{sms:?}");
}

#[tokio::test]
async fn the_customer_language_chooses_the_message_language() {
    let app = spawn_app(Backend::Sqlite).await;
    let en = app
        .login_email("emily.smith@example.com", "emily.smith@example.com")
        .await;
    let fr = app
        .login_email("marie.tremblay@example.ca", "marie.tremblay@example.ca")
        .await;
    assert_eq!(en.lang, "en");
    assert_eq!(fr.lang, "fr");
    assert_ne!(en.subject, fr.subject);
}

#[tokio::test]
async fn the_requested_language_applies_when_the_erp_has_none() {
    let app = spawn_app(Backend::Sqlite).await;
    assert_eq!(
        app.request_link(&json!({ "identifier": "mathieu.roy@example.ca", "lang": "en" }))
            .await
            .status(),
        200
    );
    let email = app
        .wait_for_emails("mathieu.roy@example.ca", 1)
        .await
        .remove(0);
    assert_eq!(email.lang, "en");
}

#[tokio::test]
async fn the_email_has_a_subject_a_button_the_raw_url_and_a_text_part() {
    let app = spawn_app(Backend::Sqlite).await;
    let email = app
        .login_email("marie.tremblay@example.ca", "marie.tremblay@example.ca")
        .await;
    let token = crate::helpers::link_token(&email.text);
    assert!(!email.subject.is_empty());
    assert!(
        email
            .html
            .contains("href=\"https://portail.example.ca/#/?token=")
    );
    assert!(
        email.html.matches(&token).count() >= 2,
        "button and raw URL"
    );
    let code = crate::helpers::typed_code(&email.text);
    assert!(
        email.html.contains(&format!(">{code}<")),
        "the code is in the HTML too"
    );
    assert_eq!(email.to_name.as_deref(), Some("Marie Tremblay"));
}

/// A customer of the sandbox ERP with an address and a mobile number.
async fn create_customer(app: &crate::helpers::TestApp, name: &str, email: &str, phone: &str) {
    let created: Value = app
        .erp
        .client()
        .create(
            "Customer",
            &json!({"customer_name": name, "email_id": email, "cell_phone": phone}),
        )
        .await
        .unwrap();
    assert!(created["name"].is_string());
}

#[tokio::test]
async fn a_number_gets_at_most_ten_login_sms_a_day_then_email_only() {
    use crate::helpers::{Bus, spawn_app_with};
    let app = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[
            ("LINK_LIMIT_PER_IDENTIFIER", "100"),
            ("LINK_LIMIT_PER_IP", "100"),
        ],
    )
    .await;
    create_customer(&app, "Pompage Test", "pompage@example.ca", "514 555-0166").await;
    for _ in 0..11 {
        assert_eq!(app.request_link_for("514-555-0166").await.status(), 200);
    }
    app.wait_for_emails("pompage@example.ca", 11).await;
    app.wait_until_idle().await;
    assert_eq!(app.sms_to("+15145550166").len(), 10);
    app.cleanup().await;
}

/// Issue 16, finding 10: at most `EMAIL_CAP_PER_ADDRESS` login emails per address per day, whatever
/// identifier asked (here the customer's number and the address itself); the SMS still go.
#[tokio::test]
async fn an_address_gets_at_most_its_daily_cap_of_login_emails() {
    use crate::helpers::{Bus, spawn_app_with};
    let app = spawn_app_with(
        Backend::Sqlite,
        Bus::InProcess,
        &[
            ("LINK_LIMIT_PER_IDENTIFIER", "100"),
            ("LINK_LIMIT_PER_IP", "100"),
            ("EMAIL_CAP_PER_ADDRESS", "3"),
        ],
    )
    .await;
    create_customer(&app, "Inonde Test", "inonde@example.ca", "514 555-0167").await;
    for _ in 0..4 {
        assert_eq!(app.request_link_for("514-555-0167").await.status(), 200);
    }
    assert_eq!(
        app.request_link_for("Inonde@Example.ca").await.status(),
        200
    );
    app.wait_for_sms("+15145550167", 5).await;
    app.wait_until_idle().await;
    assert_eq!(app.emails_to("inonde@example.ca").len(), 3);
    assert_eq!(app.sms_to("+15145550167").len(), 5);
    app.cleanup().await;
}
