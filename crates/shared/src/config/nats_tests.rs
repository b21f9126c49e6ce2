//! `NATS_URL` and the NATS credential and TLS variables (issue 16, finding 11): each malformed value
//! names its variable, and no message or debug output shows a secret.
#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use secrecy::ExposeSecret as _;

use super::{BusSettings, NatsAuth, NatsConnection};

const SECRET: &str = "s3cr+t&p%w@:d";

fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn parse(pairs: &[(&str, &str)]) -> Result<Option<NatsConnection>, super::ConfigError> {
    NatsConnection::from_source(&env(pairs))
}

fn refused(pairs: &[(&str, &str)], variable: &str) {
    let err = parse(pairs).unwrap_err();
    assert_eq!(err.name, variable, "{err}");
    assert!(!err.to_string().contains(SECRET), "{err}");
    assert!(!err.to_string().contains("s3cr"), "{err}");
}

#[test]
fn a_password_in_the_url_is_percent_decoded_and_taken_out_of_the_address() {
    let url = "nats://hub:s3cr%2Bt%26p%25w%40%3Ad@nats.internal";
    let nats = parse(&[("NATS_URL", url)]).unwrap().unwrap();
    assert_eq!(nats.address(), "nats://nats.internal:4222");
    let NatsAuth::UserPassword { user, password } = &nats.auth else {
        panic!("{:?}", nats.auth);
    };
    assert_eq!(user, "hub");
    assert_eq!(password.expose_secret(), SECRET);
    assert!(!nats.tls.required);
    let shown = format!(
        "{:?}",
        BusSettings::from_source(&env(&[("NATS_URL", url)])).unwrap()
    );
    assert!(!shown.contains("s3cr"), "{shown}");
}

#[test]
fn a_user_alone_in_the_url_is_a_token_and_tls_scheme_requires_tls() {
    let nats = parse(&[("NATS_URL", "tls://t0ken@nats.internal:4443")])
        .unwrap()
        .unwrap();
    assert_eq!(nats.address(), "tls://nats.internal:4443");
    assert!(matches!(&nats.auth, NatsAuth::Token(t) if t.expose_secret() == "t0ken"));
    assert!(nats.tls.required);
}

#[test]
fn credentials_come_from_variables_and_files() {
    let dir = std::env::temp_dir().join(format!("nats-config-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("password");
    std::fs::write(&file, format!("{SECRET}\n")).unwrap();
    let nats = parse(&[
        ("NATS_URL", "nats://127.0.0.1:4222"),
        ("NATS_USER", "hub"),
        ("NATS_PASSWORD_FILE", file.to_str().unwrap()),
    ])
    .unwrap()
    .unwrap();
    assert!(
        matches!(&nats.auth, NatsAuth::UserPassword { password, .. } if password.expose_secret() == SECRET)
    );
    let nats = parse(&[("NATS_URL", "nats://127.0.0.1"), ("NATS_TOKEN", SECRET)])
        .unwrap()
        .unwrap();
    assert!(matches!(&nats.auth, NatsAuth::Token(_)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn without_nats_url_the_bus_is_in_process_whatever_else_is_set() {
    assert!(parse(&[("NATS_TOKEN", SECRET)]).unwrap().is_none());
}

#[test]
fn each_malformed_value_stops_the_start_naming_its_variable() {
    let url = ("NATS_URL", "nats://127.0.0.1:4222");
    refused(&[("NATS_URL", "http://127.0.0.1:4222")], "NATS_URL");
    refused(&[("NATS_URL", "nats://:s3cr+t&p%w@:d@")], "NATS_URL");
    refused(
        &[("NATS_URL", "nats://hub:s3cr@127.0.0.1/path")],
        "NATS_URL",
    );
    refused(&[url, ("NATS_USER", "hub")], "NATS_PASSWORD");
    refused(&[url, ("NATS_PASSWORD", SECRET)], "NATS_USER");
    refused(
        &[
            ("NATS_URL", "nats://hub:s3cr@127.0.0.1"),
            ("NATS_TOKEN", SECRET),
        ],
        "NATS_TOKEN",
    );
    refused(
        &[url, ("NATS_PASSWORD_FILE", "/nonexistent/pw")],
        "NATS_PASSWORD_FILE",
    );
    refused(
        &[url, ("NATS_CREDS_FILE", "/nonexistent/hub.creds")],
        "NATS_CREDS_FILE",
    );
    refused(
        &[url, ("NATS_TLS_CA_FILE", "/nonexistent/ca.pem")],
        "NATS_TLS_CA_FILE",
    );
    refused(
        &[url, ("NATS_TLS_CERT_FILE", "/etc/hostname")],
        "NATS_TLS_KEY_FILE",
    );
}

#[test]
fn a_file_that_is_not_what_its_variable_says_is_refused() {
    let dir = std::env::temp_dir().join(format!("nats-config-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let junk = dir.join("junk");
    std::fs::write(&junk, SECRET).unwrap();
    let junk = junk.to_str().unwrap();
    let url = ("NATS_URL", "nats://127.0.0.1:4222");
    refused(&[url, ("NATS_CREDS_FILE", junk)], "NATS_CREDS_FILE");
    refused(&[url, ("NATS_TLS_CA_FILE", junk)], "NATS_TLS_CA_FILE");
    let _ = std::fs::remove_dir_all(&dir);
}
