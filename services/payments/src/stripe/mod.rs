//! Stripe's wire format (../shared/reference/third-party-contracts.md §2): the API client, webhook
//! signatures and events, error bodies.

mod client;
mod error;
mod event;
mod objects;
mod signature;

pub use client::{CallError, Form, StripeClient};
pub use error::{ApiError, ErrorKind};
pub use event::{Event, EventData, EventError, Meaning};
pub use objects::{
    BankAccount, Card, Customer, InvoiceSettings, List, Mandate, PaymentIntent, PaymentMethod,
    PortalSession, Refund, Session, SetupIntent,
};
pub use signature::{SignatureError, TOLERANCE_S, sign, verify};
