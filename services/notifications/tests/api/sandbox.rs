//! Sandbox mode (the default): every message is captured in the outbox, nothing leaves.

use serde_json::Value;

use crate::helpers::{Backend, email, envelope, sms, spawn_app};
use crate::on_both_backends;

async fn emails_and_sms_are_captured_and_not_sent(backend: Backend) {
    let app = spawn_app(backend, &[]).await;
    let mut first = email("marie@example.ca");
    first.subject = "Premier".into();
    let mut second = email("Marie@Example.CA");
    second.subject = "Deuxième".into();
    second.text = "Texte du deuxième".into();
    let text = sms("+15145550147");

    for e in [envelope(&first), envelope(&second)] {
        app.publish(&e).await;
    }
    app.publish(&envelope(&text)).await;

    assert_eq!(app.sink.count(), 0, "nothing may reach the SMTP server");
    assert!(app.twilio.messages().is_empty(), "nothing may reach Twilio");
    let emails = app.outbox_json("marie@example.ca").await;
    assert_eq!(emails.len(), 2);
    assert_eq!(emails[0]["subject"], "Deuxième", "newest first");
    assert_eq!(emails[0]["text"], "Texte du deuxième");
    assert_eq!(emails[0]["status"], "captured");
    assert_eq!(emails[1]["subject"], "Premier");
    let texts = app.outbox_json("+15145550147").await;
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0]["channel"], "sms");
    assert_eq!(texts[0]["text"], "Gigafibre : votre code est 123456");
    assert_eq!(texts[0]["segments"], 1);
    assert!(app.outbox_json("nobody@example.ca").await.is_empty());
    app.cleanup().await;
}
on_both_backends!(
    emails_and_sms_are_captured_and_not_sent,
    emails_and_sms_are_captured_and_not_sent
);

#[tokio::test]
async fn a_long_sms_counts_its_segments() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    let mut long = sms("+15145550147");
    // "ê" is not in the GSM-7 alphabet: the message goes as UCS-2, 70 characters a segment.
    long.body = "ê".repeat(100);
    app.publish(&envelope(&long)).await;
    let mut plain = sms("+15145550147");
    plain.body = "a".repeat(161);
    app.publish(&envelope(&plain)).await;
    let rows = app.outbox_json("+15145550147").await;
    assert_eq!(rows[0]["segments"], 2, "161 GSM-7 characters");
    assert_eq!(rows[1]["segments"], 2, "100 UCS-2 characters");
    app.cleanup().await;
}

#[tokio::test]
async fn the_outbox_page_lists_messages_with_a_filter_form() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    app.publish(&envelope(&email("marie@example.ca"))).await;
    app.publish(&envelope(&sms("+15145550147"))).await;

    let r = app.get("/notifications/outbox").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = r.text().await.unwrap();
    assert!(page.contains("<form method=get"), "{page}");
    assert!(page.contains("name=to"));
    assert!(page.contains("Votre lien de connexion"));
    assert!(page.contains("Gigafibre : votre code est 123456"));

    let filtered = app.get("/notifications/outbox?to=%2B15145550147").await;
    let filtered = filtered.text().await.unwrap();
    assert!(filtered.contains("value=\"+15145550147\""));
    assert!(!filtered.contains("Votre lien de connexion"));
    app.cleanup().await;
}

#[tokio::test]
async fn a_captured_email_renders_in_a_sandboxed_iframe() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    let e = envelope(&email("marie@example.ca"));
    app.publish(&e).await;

    let page = app.get(&format!("/notifications/outbox/{}", e.id)).await;
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(
        page.contains(&format!(
            "<iframe sandbox src=\"/notifications/outbox/{}/html\"",
            e.id
        )),
        "{page}"
    );
    assert!(page.contains("voici votre lien : https://portail.example.ca/l/abc"));

    let html = app
        .get(&format!("/notifications/outbox/{}/html", e.id))
        .await;
    assert_eq!(html.status(), 200);
    let csp = html.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.starts_with("sandbox"), "{csp}");
    assert!(
        html.text()
            .await
            .unwrap()
            .contains("<a href=\"https://portail.example.ca/l/abc\">")
    );

    let missing = app.get("/notifications/outbox/no-such-id").await;
    assert_eq!(missing.status(), 404);
    app.cleanup().await;
}

#[tokio::test]
async fn the_outbox_page_answers_json_when_asked() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    app.publish(&envelope(&email("marie@example.ca"))).await;
    let r = app
        .client
        .get(app.url("/notifications/outbox?to=marie@example.ca"))
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let rows: Vec<Value> = r.json().await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["to"], "marie@example.ca");
    app.cleanup().await;
}

#[tokio::test]
async fn markup_in_a_message_is_escaped_in_the_page() {
    let app = spawn_app(Backend::Sqlite, &[]).await;
    let mut hostile = email("marie@example.ca");
    hostile.to_name = Some("<script>alert(1)</script>".into());
    hostile.subject = "<script>alert(2)</script>".into();
    hostile.text = "<script>alert(3)</script>".into();
    let e = envelope(&hostile);
    app.publish(&e).await;

    for path in [
        "/notifications/outbox".to_owned(),
        format!("/notifications/outbox/{}", e.id),
    ] {
        let page = app.get(&path).await.text().await.unwrap();
        assert!(!page.contains("<script>"), "{path}: {page}");
        assert!(page.contains("&lt;script&gt;alert(2)"), "{path}");
    }
    app.cleanup().await;
}
