//! Black-box tests of the docuseal-sandbox over HTTP: a sandbox on a free port per test.
#![allow(clippy::unwrap_used)]

mod helpers;
mod quotation_client;
mod signing;
mod submissions;
mod webhooks;
