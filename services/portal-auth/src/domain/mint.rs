//! What another service asks for on `POST /internal/customer-tokens`: a customer, why, and a word of
//! context for the audit. Each field parses itself, so a bad one is refused with the body (422).

use serde::Deserialize;
use shared::claims::CUSTOMER_TOKEN_TTL_S;
use utoipa::ToSchema;

/// Longest ERPNext Customer name (Frappe's `name` column).
const MAX_CUSTOMER_CHARS: usize = 140;
/// Longest context kept.
pub const MAX_CONTEXT_CHARS: usize = 200;
/// Lifetime of a token for the payment return page.
const PAYMENT_RETURN_TTL_S: i64 = 3600;

/// Why a service wants a customer token; decides its lifetime. Read from a string, so that any
/// other value (a number too, which serde_json would call malformed JSON) is a wrong field: 422.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(try_from = "String", rename_all = "snake_case")]
pub enum MintPurpose {
    /// Stripe's return page lands the customer logged in (1 h).
    PaymentReturn,
    /// A payment link sent by email or SMS logs the customer in (24 h, `CUSTOMER_TOKEN_TTL_S`).
    PaymentLink,
    /// A quote to accept, sent by email or SMS, logs the customer in (24 h, as a payment link).
    QuoteLink,
}

impl TryFrom<String> for MintPurpose {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == raw)
            .ok_or_else(|| "purpose must be payment_return, payment_link or quote_link".to_owned())
    }
}

impl MintPurpose {
    /// Every purpose, in the order of the metric's labels.
    pub const ALL: [Self; 3] = [Self::PaymentReturn, Self::PaymentLink, Self::QuoteLink];

    /// The serialised name, also the audit's `purpose` and the metric's label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentReturn => "payment_return",
            Self::PaymentLink => "payment_link",
            Self::QuoteLink => "quote_link",
        }
    }

    /// Lifetime of the token, in seconds.
    pub fn ttl_s(self) -> i64 {
        match self {
            Self::PaymentReturn => PAYMENT_RETURN_TTL_S,
            Self::PaymentLink | Self::QuoteLink => CUSTOMER_TOKEN_TTL_S,
        }
    }
}

/// An ERPNext Customer name: trimmed, 1 to 140 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct CustomerName(String);

impl TryFrom<String> for CustomerName {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        printable(&raw, MAX_CUSTOMER_CHARS)
            .map(Self)
            .map_err(|e| format!("customer {e}"))
    }
}

impl CustomerName {
    /// The name as ERPNext knows it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the token is for, in the caller's words (a Checkout Session id, an invoice name): trimmed,
/// 1 to 200 characters, no control characters. Kept in the audit.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct MintContext(String);

impl TryFrom<String> for MintContext {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        printable(&raw, MAX_CONTEXT_CHARS)
            .map(Self)
            .map_err(|e| format!("context {e}"))
    }
}

impl MintContext {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn printable(raw: &str, max_chars: usize) -> Result<String, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > max_chars {
        return Err(format!("is at most {max_chars} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("must not contain control characters".into());
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_context_of_200_characters_is_taken_and_201_refused() {
        assert!(MintContext::try_from("é".repeat(200)).is_ok());
        assert!(MintContext::try_from("é".repeat(201)).is_err());
    }

    #[test]
    fn blank_or_control_text_is_refused() {
        assert!(CustomerName::try_from("  ".to_owned()).is_err());
        assert!(MintContext::try_from("cs_\n1".to_owned()).is_err());
        assert_eq!(
            CustomerName::try_from(" CUST-1 ".to_owned())
                .unwrap()
                .as_str(),
            "CUST-1"
        );
    }

    #[test]
    fn a_purpose_is_one_of_two_names() {
        assert_eq!(
            MintPurpose::try_from("payment_link".to_owned()),
            Ok(MintPurpose::PaymentLink)
        );
        assert!(MintPurpose::try_from("impersonation".to_owned()).is_err());
    }

    #[test]
    fn a_payment_return_lives_an_hour_and_a_payment_link_a_day() {
        assert_eq!(MintPurpose::PaymentReturn.ttl_s(), 3600);
        assert_eq!(MintPurpose::PaymentLink.ttl_s(), 86_400);
    }
}
