//! payments: Stripe checkout, saved cards, refunds, pre-authorised auto-pay and payment links, kept
//! in step with ERPNext. Being built in increments (docs/payments.md, "Increments"); today: the
//! Stripe client's pure parts and the amounts.

pub mod money;
pub mod stripe;
