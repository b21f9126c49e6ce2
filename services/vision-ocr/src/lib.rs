//! vision-ocr: supplier invoices and equipment labels read from a photo, checked, then a draft
//! Purchase Invoice or the Equipment found in ERPNext (docs/vision-ocr.md).

pub mod cli;
pub mod config;
pub mod equipment;
pub mod erp;
pub mod error;
pub mod flow;
pub mod gemini;
pub mod input;
pub mod invoice;
pub mod local;
pub mod metrics;
pub mod process;
pub mod read;
mod routes;
pub mod startup;
pub mod store;
pub mod warning;

pub use config::Settings;
pub use shared::http::Application;
pub use startup::VisionOcr;
