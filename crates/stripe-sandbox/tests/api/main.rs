//! Black-box tests of the stripe-sandbox over HTTP: a sandbox on a free port per test.
#![allow(clippy::unwrap_used)]

mod auth_and_errors;
mod bank;
mod checkout;
mod fees;
mod helpers;
mod idempotency;
mod off_session;
mod payment_methods;
mod payments_client;
mod portal;
mod refunds;
mod setup;
mod webhooks;
