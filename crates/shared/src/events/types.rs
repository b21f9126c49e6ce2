//! Event payloads, one struct per subject.
//!
//! Fact events never carry a token, a login code or a secret: only who and what happened.

use serde::{Deserialize, Serialize};

use super::{Event, subjects};

/// Command: send one email (consumed by the notifications service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EmailSend {
    /// Recipient address.
    pub to: String,
    /// Recipient display name.
    #[serde(default)]
    pub to_name: Option<String>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// HTML body.
    pub html: String,
    /// Reply-To address, when replies should not go to the default sender.
    #[serde(default)]
    pub reply_to: Option<String>,
    /// Language of the message (`fr` or `en`), for the delivery log.
    pub lang: String,
    /// Template that produced the message, e.g. `portal.magic_link`.
    pub template: String,
    /// ERPNext Customer name the message concerns, if any.
    #[serde(default)]
    pub customer: Option<String>,
    /// Attached files.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
}

/// One file attached to an [`EmailSend`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Attachment {
    /// File name shown to the recipient, e.g. `facture-INV-0001.pdf`.
    pub filename: String,
    /// Media type, e.g. `application/pdf`.
    pub content_type: String,
    /// File content, standard base64.
    pub content_base64: String,
}

/// Command: send one SMS (consumed by the notifications service).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SmsSend {
    /// Recipient number in E.164 form, e.g. `+15145550147`.
    pub to: String,
    /// Message text.
    pub body: String,
    /// Template that produced the message, e.g. `portal.login_code`.
    pub template: String,
    /// ERPNext Customer name the message concerns, if any.
    #[serde(default)]
    pub customer: Option<String>,
}

/// Fact: a customer asked for a portal login link or code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LinkRequested {
    /// ERPNext Customer name.
    pub customer: String,
    /// Channels the link or code was sent on: `email`, `sms`.
    pub channels: Vec<String>,
    /// Language of the messages (`fr` or `en`).
    pub lang: String,
}

/// Fact: a customer signed in to the portal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LoginSucceeded {
    /// ERPNext Customer name.
    pub customer: String,
    /// How: `link`, `code` or `impersonation`.
    pub method: String,
    /// Staff username when a staff member impersonated the customer.
    #[serde(default)]
    pub actor: Option<String>,
}

/// Fact: a customer's portal session was revoked (logout).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SessionRevoked {
    /// ERPNext Customer name.
    pub customer: String,
    /// Whether every session of the customer was revoked, not only the current one.
    pub everywhere: bool,
}

/// Fact: a payment was received by Stripe and booked in ERPNext (one per PaymentIntent).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PaymentSucceeded {
    /// ERPNext Customer name.
    pub customer: String,
    /// Stripe's PaymentIntent (`pi_…`): the Payment Entry's `reference_no`.
    pub payment_intent: String,
    /// What the customer paid, in cents.
    pub amount_cents: i64,
    /// `CAD`.
    pub currency: String,
    /// The Sales Invoices it settled.
    pub invoices: Vec<String>,
    /// The submitted Payment Entry (`ACC-PAY-2026-00001`).
    pub payment_entry: String,
}

/// Fact: a customer accepted a quote (signed on DocuSeal or clicked in the portal) and its Sales
/// Order and Subscriptions exist in ERPNext (one per quotation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct QuoteAccepted {
    /// ERPNext Customer name.
    pub customer: String,
    /// The Quotation (`SAL-QTN-2026-00001`).
    pub quotation: String,
    /// The submitted Sales Order made from it (`SAL-ORD-2026-00001`).
    pub sales_order: String,
    /// One Subscription per recurring item (`ACC-SUB-2026-00001`).
    pub subscriptions: Vec<String>,
    /// `signature` (DocuSeal) or `click` (the portal).
    pub method: String,
    /// When the customer accepted (RFC 3339).
    pub accepted_at: String,
}

/// Fact: a supplier invoice was read from a photo or a PDF by vision-ocr (one per extraction), and
/// perhaps made into a draft Purchase Invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InvoiceExtracted {
    /// The extraction (`GET /vision/jobs/{id}` holds the whole result).
    pub extraction: String,
    /// The supplier's name as read.
    #[serde(default)]
    pub supplier: Option<String>,
    /// The supplier's invoice number as read.
    #[serde(default)]
    pub invoice_number: Option<String>,
    /// The invoice's date (ISO 8601).
    #[serde(default)]
    pub date: Option<String>,
    /// The total in cents.
    #[serde(default)]
    pub total_cents: Option<i64>,
    /// ISO 4217.
    #[serde(default)]
    pub currency: Option<String>,
    /// `gemini` or `local`.
    pub provider: String,
    /// How many warnings a person should look at.
    pub warnings: u32,
    /// The draft Purchase Invoice made from it in ERPNext, if one was.
    #[serde(default)]
    pub purchase_invoice: Option<String>,
    /// Who sent it (`staff:<username>`).
    pub requested_by: String,
}

/// Fact: a delivery command was given up (malformed, invalid, permanently refused or out of
/// retries). Published by the notifications service for people and alerts to look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DeadLetter {
    /// Id of the envelope that failed, when it could be read.
    #[serde(default)]
    pub event_id: Option<String>,
    /// Subject it arrived on.
    pub subject: String,
    /// `email` or `sms`.
    pub channel: String,
    /// Recipient, when it could be read.
    #[serde(default)]
    pub recipient: Option<String>,
    /// Why it was given up, for a person.
    pub reason: String,
    /// Delivery attempts made.
    pub attempts: u32,
    /// The original message, truncated to 64 KiB, for replay by hand.
    pub original: String,
}

impl Event for DeadLetter {
    const SUBJECT: &'static str = subjects::NOTIFY_DEAD;
    const TYPE: &'static str = "ca.gigafibre.notify.dead.v1";
}

impl Event for PaymentSucceeded {
    const SUBJECT: &'static str = subjects::PAYMENTS_PAYMENT_SUCCEEDED;
    const TYPE: &'static str = "ca.gigafibre.payments.payment.succeeded.v1";
}

impl Event for QuoteAccepted {
    const SUBJECT: &'static str = subjects::QUOTATION_QUOTE_ACCEPTED;
    const TYPE: &'static str = "ca.gigafibre.quotation.quote.accepted.v1";
}

impl Event for InvoiceExtracted {
    const SUBJECT: &'static str = subjects::VISION_INVOICE_EXTRACTED;
    const TYPE: &'static str = "ca.gigafibre.vision.invoice.extracted.v1";
}

impl Event for EmailSend {
    const SUBJECT: &'static str = subjects::NOTIFY_EMAIL_SEND;
    const TYPE: &'static str = "ca.gigafibre.notify.email.send.v1";
}

impl Event for SmsSend {
    const SUBJECT: &'static str = subjects::NOTIFY_SMS_SEND;
    const TYPE: &'static str = "ca.gigafibre.notify.sms.send.v1";
}

impl Event for LinkRequested {
    const SUBJECT: &'static str = subjects::PORTAL_LINK_REQUESTED;
    const TYPE: &'static str = "ca.gigafibre.portal.link.requested.v1";
}

impl Event for LoginSucceeded {
    const SUBJECT: &'static str = subjects::PORTAL_LOGIN_SUCCEEDED;
    const TYPE: &'static str = "ca.gigafibre.portal.login.succeeded.v1";
}

impl Event for SessionRevoked {
    const SUBJECT: &'static str = subjects::PORTAL_SESSION_REVOKED;
    const TYPE: &'static str = "ca.gigafibre.portal.session.revoked.v1";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn type_follows_subject<E: Event>() {
        assert_eq!(E::TYPE, format!("ca.gigafibre.{}.v1", E::SUBJECT));
    }

    #[test]
    fn every_event_type_is_named_after_its_subject() {
        type_follows_subject::<EmailSend>();
        type_follows_subject::<SmsSend>();
        type_follows_subject::<LinkRequested>();
        type_follows_subject::<LoginSucceeded>();
        type_follows_subject::<SessionRevoked>();
    }
}
