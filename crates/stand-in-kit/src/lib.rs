//! The mechanics the three third-party stand-ins (`erp-sandbox`, `stripe-sandbox`,
//! `docuseal-sandbox`) share: their SQLite connection, the stored webhook delivery queue and its
//! worker, binding and starting the server, reading `BIND` and a retry schedule, a one-page PDF.
//! Each stand-in keeps its own wire format (Stripe's signature, DocuSeal's secret headers,
//! Frappe's errors); only the mechanics live here.

pub mod config;
pub mod pdf;
pub mod server;
pub mod store;
pub mod webhooks;
