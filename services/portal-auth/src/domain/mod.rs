//! The pure domain of portal-auth: no I/O, no clock, no randomness.
//!
//! - [`identifier`]: what a customer types to log in, parsed into an email, an E.164 phone
//!   or a customer id ([`Identifier::parse`]);
//! - [`mint`]: what another service asks for on `POST /internal/customer-tokens`;
//! - [`mask`]: hints shown back to the customer, computed only from what was typed;
//! - [`tech_link`]: a dispatcher's tech link: its request, its token's end, its SMS;
//! - [`templates`]: the login email (HTML + text) and SMS, French first, English too;
//! - [`sms`]: GSM-7 / UCS-2 segment counting, to keep the SMS in one billed segment.

pub mod email;
pub mod identifier;

pub mod mask;
pub mod mint;
/// SMS segment counting lives in `shared` (the notifications service counts too).
pub use shared::sms;
pub mod tech_link;
pub mod templates;

#[cfg(test)]
mod proptests;

pub use email::Email;
pub use identifier::{CustomerId, Identifier, IdentifierError, IdentifierKind};
pub use shared::lang::{self, Lang};
pub use shared::phone::E164Phone;
pub use sms::{SmsEncoding, SmsSegments, count_segments};
pub use templates::{LoginMessage, RenderedEmail, render_email, render_sms};
