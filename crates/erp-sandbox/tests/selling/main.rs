//! Black-box tests of the selling doctypes (Item, Quotation, Sales Order, Subscription Plan,
//! Subscription, File) and `make_sales_order`, over HTTP with the real `FrappeClient`.
#![allow(clippy::unwrap_used)]

#[path = "../common/app.rs"]
mod app;
mod files;
mod helpers;
mod quotations;
mod sales_orders;
mod subscriptions;
