//! Stripe's wire format (../shared/reference/third-party-contracts.md §2): webhook signatures and
//! error bodies.

mod error;
mod signature;

pub use error::{ApiError, ErrorKind};
pub use signature::{SignatureError, TOLERANCE_S, sign, verify};
