//! Black-box tests of the payments service over HTTP, with the real neighbours it talks to: the
//! erp-sandbox (Frappe REST), the Stripe stand-in (its API, hosted page and signed webhooks) and
//! portal-auth (customer tokens), on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used)]

mod cards;
mod customer;
mod helpers;
mod links;
mod metrics;
mod pay_flow;
mod ppa;
mod ppa_bank;
mod refunds;
mod repair;
