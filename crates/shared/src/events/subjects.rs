//! NATS subjects: the only place subject strings exist.
//!
//! Facts are `<domain>.<entity>.<verb>`; delivery commands live under `notify.`.

/// Command: deliver one email ([`super::EmailSend`]).
pub const NOTIFY_EMAIL_SEND: &str = "notify.email.send";
/// Command: deliver one SMS ([`super::SmsSend`]).
pub const NOTIFY_SMS_SEND: &str = "notify.sms.send";
/// Dead letters of the notifications service: deliveries it gave up on, kept for operators.
pub const NOTIFY_DEAD: &str = "notify.dead";
/// Fact: a customer asked for a login link or code ([`super::LinkRequested`]).
pub const PORTAL_LINK_REQUESTED: &str = "portal.link.requested";
/// Fact: a customer signed in to the portal ([`super::LoginSucceeded`]).
pub const PORTAL_LOGIN_SUCCEEDED: &str = "portal.login.succeeded";
/// Fact: a customer's portal session(s) were revoked ([`super::SessionRevoked`]).
pub const PORTAL_SESSION_REVOKED: &str = "portal.session.revoked";
/// Fact: a payment was received and booked in ERPNext ([`super::PaymentSucceeded`]).
pub const PAYMENTS_PAYMENT_SUCCEEDED: &str = "payments.payment.succeeded";
/// Fact: a quote was accepted and its Sales Order made in ERPNext ([`super::QuoteAccepted`]).
pub const QUOTATION_QUOTE_ACCEPTED: &str = "quotation.quote.accepted";
/// Fact: a supplier invoice was read from a photo or a PDF ([`super::InvoiceExtracted`]).
pub const VISION_INVOICE_EXTRACTED: &str = "vision.invoice.extracted";
