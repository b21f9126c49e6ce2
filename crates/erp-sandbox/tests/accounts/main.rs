//! Black-box tests of Sales Invoice, Payment Entry and the invoice PDF, over HTTP with
//! the real `FrappeClient` (raw reqwest where the wire body itself is the point).
#![allow(clippy::unwrap_used)]

#[path = "../common/app.rs"]
mod app;
mod helpers;
mod invoices;
mod payment_entries;
mod pdf;
