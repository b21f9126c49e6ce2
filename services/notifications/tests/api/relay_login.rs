//! The relay's login as `SMTP_URL` gives it: the password is a URL component, percent-decoded.

use testkit::SmtpSink;

use crate::helpers::{
    ALLOWLIST, Backend, MAILJET_KEY, TestApp, email, envelope, spawn_app_with_sink,
};

const OPS: &str = "ops@gigafibre.ca";
/// Every character a form decoder or a URL parser could misread.
const PASSWORD: &str = "p+ss&w%rd@x:y";

/// The service against a sink that takes only [`PASSWORD`], `SMTP_URL` giving `written` as the
/// password (as it stands in the URL).
async fn spawn_with_password(written: &str) -> TestApp {
    let sink = SmtpSink::start().await;
    sink.require_login(MAILJET_KEY, PASSWORD);
    let url = sink
        .url()
        .replacen("://", &format!("://{MAILJET_KEY}:{written}@"), 1);
    spawn_app_with_sink(
        Backend::Sqlite,
        sink,
        &[("SMTP_URL", &url), ("OUTBOUND_ALLOWLIST", ALLOWLIST)],
    )
    .await
}

/// Issue 16, finding 12: a password with `+`, `&`, `%`, `@` and `:` reaches the relay's AUTH
/// unchanged (`+` stays `+`, `&` does not end it, `%25`, `%40` and `%3A` are decoded).
#[tokio::test]
async fn a_password_with_url_characters_authenticates_against_the_relay() {
    // `+` and `&` may stand in the URL's user information as they are; `%`, `@`, `:` may not.
    let app = spawn_with_password("p+ss&w%25rd%40x%3Ay").await;
    let e = envelope(&email(OPS));
    app.publish(&e).await;
    app.wait_for_status(&e, "sent").await;
    assert_eq!(app.sink.messages()[0].login.as_deref(), Some(MAILJET_KEY));
    app.cleanup().await;
}

/// The sink's check itself: a wrong password sends nothing and the email waits.
#[tokio::test]
async fn a_wrong_password_is_refused_by_the_relay_and_nothing_is_sent() {
    let app = spawn_with_password("p%20ss&w%25rd%40x%3Ay").await;
    let e = envelope(&email(OPS));
    let publishing = app.publish_in_background(&e);
    app.wait_for_error(&e, "535").await;
    assert_eq!(app.sink.count(), 0);
    publishing.abort();
    app.cleanup().await;
}
