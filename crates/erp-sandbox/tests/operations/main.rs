//! Black-box tests of the buying and field-operations doctypes (Supplier, Purchase Invoice,
//! Service Location, Equipment) and their demo data, over HTTP with the real `FrappeClient`
//! (raw reqwest where the Frappe exception class is the point).
#![allow(clippy::unwrap_used)]

#[path = "../common/app.rs"]
mod app;
mod equipment;
mod helpers;
mod purchase_invoices;
mod suppliers;
