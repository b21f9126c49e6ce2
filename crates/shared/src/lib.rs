//! Shared building blocks of the Gigafibre hub services, organised by concern.
//!
//! - [`config`]: typed settings read from the environment, failing fast on a bad variable.
//! - [`db`]: connecting SQLite or PostgreSQL, portable raw statements, write transactions.
//! - [`telemetry`]: JSON logs and optional OTLP trace export.
//! - [`http`]: problem+json errors, client address, health/readiness/metrics routes.
//! - [`metrics`]: the Prometheus registry of a process, the families every service shares.
//! - [`erpnext`]: ERPNext DTOs and the Frappe REST client.
//! - [`claims`]: JWT claims, Ed25519 keys, JWKS and token verification.
//! - [`sms`]: GSM-7 / UCS-2 segment counting of SMS bodies.
//! - [`events`]: CloudEvents envelope, subjects, event bus (in-process, NATS JetStream), outbox.
//! - [`cli`]: the operator's subcommands every binary shares, check-config, progress.

pub mod claims;
pub mod cli;
pub mod config;
pub mod db;
pub mod erpnext;
pub mod events;
pub mod http;
pub mod inbox;
pub mod lang;
pub mod metrics;
pub mod phone;
pub mod portal_auth;
pub mod sms;
pub mod telemetry;
