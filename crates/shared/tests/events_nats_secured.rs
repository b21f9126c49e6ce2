//! The JetStream bus against a NATS server of the test's own that requires a login and TLS, with a
//! certificate made at test time (issue 16, finding 11: the `notify` commands carry live login links,
//! so the bus that carries them must be closed to strangers and keep them no longer than a link lives).
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::Duration;

use shared::config::BusSettings;
use shared::events::{BusError, Envelope, NOTIFY_MAX_AGE, NatsBus, NatsOptions, SessionRevoked};
use testkit::{NatsServer, NatsServerAuth};

/// Characters a URL or a form would mangle (`+` as a space, `&` cutting it short).
const PASSWORD: &str = "p+ss&w%rd@:/ok";

fn env(pairs: &[(&str, String)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn secured_server() -> NatsServer {
    NatsServer::start_secured(
        &NatsServerAuth::UserPassword("hub".into(), PASSWORD.into()),
        true,
    )
}

/// The settings a service would read, with `password`.
fn settings(server: &NatsServer, password: &str) -> BusSettings {
    BusSettings::from_source(&env(&[
        ("NATS_URL", server.url()),
        ("NATS_USER", "hub".into()),
        ("NATS_PASSWORD", password.into()),
        (
            "NATS_TLS_CA_FILE",
            server.ca_file().unwrap().display().to_string(),
        ),
    ]))
    .unwrap()
}

fn revoked() -> Envelope {
    Envelope::new(
        "test",
        &SessionRevoked {
            customer: "CUST-00042".into(),
            everywhere: true,
        },
    )
    .unwrap()
}

/// Issue 16, finding 11: NATS was reached without any login; a wrong password must be refused.
#[tokio::test]
async fn a_wrong_password_is_refused_and_the_right_one_publishes_over_tls() {
    let server = secured_server();

    let wrong = settings(&server, "not-the-password").connect().await;
    assert!(
        matches!(wrong, Err(BusError::Connect(_))),
        "a wrong password was let in"
    );

    let bus = settings(&server, PASSWORD).connect().await.unwrap();
    bus.ready().await.unwrap();
    bus.publish(&revoked()).await.unwrap();
}

/// Issue 16, finding 11: credentials in `NATS_URL` itself (percent-encoded) log in too; async-nats
/// ignores a URL's user info, so they must be taken out and given as options.
#[tokio::test]
async fn a_percent_encoded_password_in_nats_url_logs_in() {
    let server = secured_server();
    let encoded: String = url::form_urlencoded::byte_serialize(PASSWORD.as_bytes())
        .collect::<String>()
        .replace('+', "%20");
    let with_password = server
        .url()
        .replace("tls://", &format!("tls://hub:{encoded}@"));
    let settings = BusSettings::from_source(&env(&[
        ("NATS_URL", with_password),
        (
            "NATS_TLS_CA_FILE",
            server.ca_file().unwrap().display().to_string(),
        ),
    ]))
    .unwrap();
    assert!(!format!("{settings:?}").contains("ss%26w"));
    settings.connect().await.unwrap().ready().await.unwrap();
}

/// Issue 16, finding 11: a server whose certificate the configured CA did not sign is not trusted,
/// and a `tls://` server is never spoken to in clear.
#[tokio::test]
async fn a_server_certificate_from_another_ca_is_refused() {
    let server = secured_server();
    let other = secured_server();
    let refused = BusSettings::from_source(&env(&[
        ("NATS_URL", server.url()),
        ("NATS_USER", "hub".into()),
        ("NATS_PASSWORD", PASSWORD.into()),
        (
            "NATS_TLS_CA_FILE",
            other.ca_file().unwrap().display().to_string(),
        ),
    ]))
    .unwrap()
    .connect()
    .await;
    assert!(matches!(refused, Err(BusError::Connect(_))));
}

/// Issue 16, finding 11: a token (`NATS_TOKEN_FILE`) logs in; no token is refused.
#[tokio::test]
async fn a_token_from_a_file_logs_in_and_none_is_refused() {
    let server = NatsServer::start_secured(&NatsServerAuth::Token("t0k+en&x".into()), false);
    let dir = testkit::TempDir::new();
    let file = dir.path().join("token");
    std::fs::write(&file, "t0k+en&x\n").unwrap();

    let anonymous = BusSettings::from_source(&env(&[("NATS_URL", server.url())])).unwrap();
    assert!(matches!(
        anonymous.connect().await,
        Err(BusError::Connect(_))
    ));
    let with_token = BusSettings::from_source(&env(&[
        ("NATS_URL", server.url()),
        ("NATS_TOKEN_FILE", file.display().to_string()),
    ]))
    .unwrap();
    with_token.connect().await.unwrap().ready().await.unwrap();
}

/// Issue 16, finding 11: the `NOTIFY` stream kept login links 7 days; it keeps them no longer than a
/// link lives (24 h), including a stream created earlier with the old retention. Other streams keep
/// the configured retention.
#[tokio::test]
async fn the_notify_stream_keeps_messages_no_longer_than_a_login_link_lives() {
    assert_eq!(NOTIFY_MAX_AGE, Duration::from_secs(24 * 3600));
    let server = secured_server();
    let nats = settings(&server, PASSWORD).url.unwrap();
    let week = Duration::from_secs(7 * 24 * 3600);
    let options = NatsOptions {
        max_age: week,
        ..NatsOptions::default()
    };
    // A NOTIFY stream as the previous version created it: 7 days.
    let client = nats
        .connect_options("test")
        .unwrap()
        .connect(nats.address())
        .await
        .unwrap();
    let jetstream = async_nats::jetstream::new(client);
    jetstream
        .create_stream(async_nats::jetstream::stream::Config {
            name: "NOTIFY".into(),
            subjects: vec!["notify.>".into()],
            max_age: week,
            storage: async_nats::jetstream::stream::StorageType::File,
            ..Default::default()
        })
        .await
        .unwrap();

    let bus = NatsBus::connect_to(&nats, options).await.unwrap();
    let max_age = |name: &'static str| {
        let jetstream = bus.jetstream().clone();
        async move {
            let mut stream = jetstream.get_stream(name).await.unwrap();
            stream.info().await.unwrap().config.max_age
        }
    };
    assert_eq!(max_age("NOTIFY").await, NOTIFY_MAX_AGE);
    assert_eq!(max_age("PORTAL").await, week);
}
