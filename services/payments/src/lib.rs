//! payments: Stripe checkout, saved cards, refunds, pre-authorised auto-pay and payment links, kept
//! in step with ERPNext. Being built in increments (docs/payments.md, "Increments"); today: the
//! Stripe client, the amounts, and the service recording Stripe's signed webhooks once each.

pub mod booking;
pub mod cards;
pub mod checkout;
pub mod cli;
pub mod config;
mod error;
pub mod invoices;
pub mod links;
pub mod metrics;
pub mod money;
mod pay;
pub mod ppa;
pub mod processor;
pub mod receipt;
pub mod refunds;
mod routes;
pub mod startup;
pub mod store;
pub mod stripe;

pub use config::Settings;
pub use shared::http::Application;
pub use startup::Payments;
