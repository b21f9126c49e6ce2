//! Black-box tests of portal-auth over HTTP, against the erp-sandbox, on SQLite and PostgreSQL,
//! with events read from the in-process bus or a real NATS JetStream.
#![allow(clippy::unwrap_used)]

mod bad_input;
mod codes;
mod codes_at_rest;
mod contract;
mod customer_tokens;
mod events_on_nats;
mod guessing;
mod helpers;
mod identifiers;
mod impersonation;
mod links;
mod messages;
mod metrics;
mod operations;
mod rate_limits;
mod tech_links;
mod tokens;
