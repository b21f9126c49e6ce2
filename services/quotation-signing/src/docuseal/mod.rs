//! DocuSeal as this service sees it: the API client (submissions) and the webhook (its secret
//! header and its events). Wire facts in docs/quotation-signing.md, "DocuSeal".

mod client;
mod webhook;

pub use client::{CallError, DocusealClient, NewSubmission, Submission, Submitter, download};
pub use webhook::{Event, EventError, SecretError, SignerData, check_secret};
