//! The relay's login as `SMTP_URL` gives it: the password is a URL component, percent-decoded.

use testkit::SmtpSink;

use crate::helpers::{ALLOWLIST, Backend, MAILJET_KEY, email, envelope, spawn_app_with_sink};

const OPS: &str = "ops@gigafibre.ca";
/// Every character a form decoder or a URL parser could misread.
const PASSWORD: &str = "p+ss&w%rd@x:y";

/// `SMTP_URL` of `sink` logged in with `user` and `password` as written in the URL.
fn url_with(sink: &SmtpSink, user: &str, password: &str) -> String {
    sink.url()
        .replacen("://", &format!("://{user}:{password}@"), 1)
}

/// Issue 16, finding 12: a password with `+`, `&`, `%`, `@` and `:` reaches the relay's AUTH
/// unchanged (`+` stays `+`, `&` does not end it, `%25`, `%40` and `%3A` are decoded).
#[tokio::test]
async fn a_password_with_url_characters_authenticates_against_the_relay() {
    let sink = SmtpSink::start().await;
    sink.require_login(MAILJET_KEY, PASSWORD);
    // `+` and `&` may stand in the URL's user information as they are; `%`, `@`, `:` may not.
    let url = url_with(&sink, MAILJET_KEY, "p+ss&w%25rd%40x%3Ay");
    let app = spawn_app_with_sink(
        Backend::Sqlite,
        sink,
        &[("SMTP_URL", &url), ("OUTBOUND_ALLOWLIST", ALLOWLIST)],
    )
    .await;
    let e = envelope(&email(OPS));
    app.publish(&e).await;
    app.wait_for_status(&e, "sent").await;
    assert_eq!(app.sink.messages()[0].login.as_deref(), Some(MAILJET_KEY));
    app.cleanup().await;
}

/// The sink's check itself: a wrong password sends nothing and the email waits.
#[tokio::test]
async fn a_wrong_password_is_refused_by_the_relay_and_nothing_is_sent() {
    let sink = SmtpSink::start().await;
    sink.require_login(MAILJET_KEY, PASSWORD);
    let url = url_with(&sink, MAILJET_KEY, "p%20ss&w%25rd%40x%3Ay");
    let app = spawn_app_with_sink(
        Backend::Sqlite,
        sink,
        &[("SMTP_URL", &url), ("OUTBOUND_ALLOWLIST", ALLOWLIST)],
    )
    .await;
    let e = envelope(&email(OPS));
    let publishing = app.publish_in_background(&e);
    app.wait_for_error(&e, "535").await;
    assert_eq!(app.sink.count(), 0);
    publishing.abort();
    app.cleanup().await;
}
