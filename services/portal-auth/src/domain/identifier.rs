//! What a customer types in the login box: an email, a phone number or a customer id.
//!
//! Parse, don't validate: the rest of the service receives an [`Identifier`] and never
//! looks at the raw text again.
//!
//! Classification, after trimming surrounding whitespace:
//! 1. empty → [`IdentifierError::Empty`]; over 254 characters → [`IdentifierError::TooLong`];
//!    any control, line/paragraph separator, bidi or zero-width formatting character →
//!    [`IdentifierError::ControlCharacters`] (these hide text in logs, emails and admin UIs);
//! 2. contains `@` → an [`Email`] or [`IdentifierError::InvalidEmail`];
//! 3. digits only → a phone when it is a valid 10/11-digit NANP number, otherwise a customer
//!    id (legacy numeric ids like `10234`);
//! 4. digits with phone punctuation (`+`, `(`, or ten digits or more among spaces, `-`, `.`,
//!    `/`) → an [`E164Phone`] or [`IdentifierError::InvalidPhone`]: `(014) 555-0147` is a
//!    mistyped phone, and saying so beats a silent "no such customer";
//! 5. anything else (`CUST-2024-00001`, `2024-00001`, `Hélène Côté`) → a [`CustomerId`], which
//!    must contain at least one letter or digit ([`IdentifierError::Invalid`] otherwise).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::mask;
use shared::phone;
// Re-exported so callers find every identifier type here.
pub use super::email::Email;
pub use shared::phone::E164Phone;

/// Longest identifier accepted, in characters (the longest valid email address).
pub const MAX_IDENTIFIER_CHARS: usize = 254;

/// Digits from which punctuated digits are taken for a phone number rather than an id.
const PHONE_MIN_DIGITS: usize = 10;

/// Why the typed text is not an identifier. Messages are shown to the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierError {
    /// Nothing but whitespace was typed.
    #[error("Enter your email address, phone number or customer number.")]
    Empty,
    /// More than 254 characters.
    #[error("This identifier is too long.")]
    TooLong,
    /// Control or invisible formatting characters.
    #[error("This identifier contains invisible or control characters.")]
    ControlCharacters,
    /// Contains `@` but is not an email address.
    #[error("This email address is not valid.")]
    InvalidEmail,
    /// Looks like a phone number but is not a valid one.
    #[error("This phone number is not valid.")]
    InvalidPhone,
    /// Nothing that could be an email, a phone number or a customer number.
    #[error("This is not an email address, phone number or customer number.")]
    Invalid,
}

impl IdentifierError {
    /// Stable machine-readable code for API error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "identifier_empty",
            Self::TooLong => "identifier_too_long",
            Self::ControlCharacters => "identifier_control_characters",
            Self::InvalidEmail => "identifier_invalid_email",
            Self::InvalidPhone => "identifier_invalid_phone",
            Self::Invalid => "identifier_invalid",
        }
    }
}

/// Which kind of identifier was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// An ERPNext Customer name or a legacy customer number.
    CustomerId,
}

impl IdentifierKind {
    /// The serialised name: `email`, `phone` or `customer_id`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Phone => "phone",
            Self::CustomerId => "customer_id",
        }
    }
}

/// An ERPNext Customer name (`CUST-2024-00001`, `Hélène Côté`) or legacy customer number
/// (`10234`), trimmed, otherwise as typed. Debug output is masked.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CustomerId(String);

impl CustomerId {
    /// Parses a customer id: any printable text of at most 254 characters containing at least
    /// one letter or digit.
    ///
    /// # Errors
    /// [`IdentifierError::Empty`], [`IdentifierError::TooLong`],
    /// [`IdentifierError::ControlCharacters`] or [`IdentifierError::Invalid`].
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let text = checked_text(raw)?;
        match text.chars().any(char::is_alphanumeric) {
            true => Ok(Self(text.to_owned())),
            false => Err(IdentifierError::Invalid),
        }
    }

    /// The id as typed, trimmed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CustomerId")
            .field(&mask::mask_customer_id(&self.0))
            .finish()
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A parsed login identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Identifier {
    /// An email address.
    Email(Email),
    /// A phone number.
    Phone(E164Phone),
    /// A customer name or number.
    CustomerId(CustomerId),
}

impl Identifier {
    /// Parses what the customer typed (see the module documentation for the rules).
    ///
    /// # Errors
    /// An [`IdentifierError`] saying what is wrong with the text; never panics.
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let text = checked_text(raw)?;
        if text.contains('@') {
            return Email::parse(text).map(Self::Email);
        }
        if phone::is_phone_shaped(text) {
            return Self::parse_digits(text);
        }
        CustomerId::parse(text).map(Self::CustomerId)
    }

    /// Digits with optional phone punctuation: a phone, or a numeric customer id.
    fn parse_digits(text: &str) -> Result<Self, IdentifierError> {
        let digits = text.chars().filter(char::is_ascii_digit).count();
        let bare = !phone::has_phone_punctuation(text);
        let surely_phone = text.contains(['+', '(', ')']) || digits >= PHONE_MIN_DIGITS;
        if bare {
            return match E164Phone::parse(text) {
                Ok(phone) => Ok(Self::Phone(phone)),
                Err(_) => CustomerId::parse(text).map(Self::CustomerId),
            };
        }
        match surely_phone {
            true => E164Phone::parse(text)
                .map(Self::Phone)
                .map_err(|_| IdentifierError::InvalidPhone),
            false => CustomerId::parse(text).map(Self::CustomerId),
        }
    }

    /// Which kind of identifier this is.
    pub fn kind(&self) -> IdentifierKind {
        match self {
            Self::Email(_) => IdentifierKind::Email,
            Self::Phone(_) => IdentifierKind::Phone,
            Self::CustomerId(_) => IdentifierKind::CustomerId,
        }
    }

    /// Rate-limit key material: lowercased email, E.164 phone, or customer id as typed
    /// (trimmed). Hash it before it reaches a log or a metric label.
    pub fn normalised(&self) -> &str {
        match self {
            Self::Email(email) => email.as_str(),
            Self::Phone(phone) => phone.as_str(),
            Self::CustomerId(id) => id.as_str(),
        }
    }

    /// The masked form of what was typed, shown back to the customer whatever the lookup
    /// finds (so the response does not reveal whether an account exists).
    pub fn hint(&self) -> String {
        match self {
            Self::Email(email) => mask::mask_email(email.as_str()),
            Self::Phone(phone) => mask::mask_phone(phone.as_str()),
            Self::CustomerId(id) => mask::mask_customer_id(id.as_str()),
        }
    }
}

impl FromStr for Identifier {
    type Err = IdentifierError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

/// Trims, then refuses empty, over-long and control-bearing text.
fn checked_text(raw: &str) -> Result<&str, IdentifierError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(IdentifierError::Empty);
    }
    if text.chars().count() > MAX_IDENTIFIER_CHARS {
        return Err(IdentifierError::TooLong);
    }
    if text.chars().any(is_hidden_or_control) {
        return Err(IdentifierError::ControlCharacters);
    }
    Ok(text)
}

/// Control characters (C0, DEL, C1), line/paragraph separators, bidi embeddings, overrides
/// and isolates, zero-width and other invisible format characters.
fn is_hidden_or_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

#[cfg(test)]
mod tests;
