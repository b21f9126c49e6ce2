//! Stripe's wire format (../shared/reference/third-party-contracts.md §2): the API client, webhook
//! signatures and error bodies.

mod client;
mod error;
mod signature;

pub use client::{CallError, Form, StripeClient};
pub use error::{ApiError, ErrorKind};
pub use signature::{SignatureError, TOLERANCE_S, sign, verify};
