//! Black-box tests of the notifications service: commands in on the bus, mail out to a real SMTP
//! sink, SMS out to a Twilio fake, the outbox, the delivery log and the webhook over HTTP, on SQLite
//! and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod allowlist;
mod bad_input;
mod contract;
mod helpers;
mod interrupted;
mod log;
mod lost_reply;
mod metrics;
mod on_nats;
mod relay_login;
mod retries;
mod sandbox;
mod staff;
mod tls;
mod webhook;
