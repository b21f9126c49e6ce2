//! quotation-signing: ERPNext quotations signed on DocuSeal or accepted in one click in the portal,
//! turned into a Sales Order and Subscriptions, with an audit record of the consent
//! (docs/quotation-signing.md).

pub mod accept;
pub mod cli;
pub mod config;
pub mod docuseal;
pub mod error;
pub mod generate;
pub mod metrics;
pub mod notices;
pub mod portal;
pub mod print;
pub mod processor;
pub mod qr;
pub mod quote;
mod routes;
pub mod startup;
pub mod status;
pub mod store;

pub use config::Settings;
pub use shared::http::Application;
pub use startup::QuotationSigning;
