//! Black-box tests of the dispatch doctypes (Technician, Issue, Dispatch Job) and the demo
//! dispatch day, over HTTP with the real `FrappeClient` (raw reqwest where the Frappe exception
//! class is the point).
#![allow(clippy::unwrap_used)]

#[path = "../common/app.rs"]
mod app;
mod demo_day;
mod doctypes;
mod helpers;
