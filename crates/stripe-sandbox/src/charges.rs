//! Charges: the one a PaymentIntent succeeds with (and its fee), or the failed one a declined
//! card leaves.

use serde_json::{Value, json};

use crate::AppState;
use crate::error::StripeError;
use crate::fees;
use crate::objects::{new_id, now};
use crate::webhooks;

/// What paid: the PaymentMethod (`pm_…`, or null for a card typed on the Checkout page) and
/// Stripe's `payment_method_details`.
pub struct PaidWith {
    /// `pm_…` or null.
    pub payment_method: Value,
    /// `{"type":"card","card":{…}}` or `{"type":"klarna","klarna":{}}`.
    pub details: Value,
    /// The funds skip the pending balance (test card 4000 0000 0000 0077).
    pub available_now: bool,
}

impl PaidWith {
    /// A card typed on the Checkout page, not saved.
    pub fn typed_card(brand: &str, last4: &str, available_now: bool) -> Self {
        Self {
            payment_method: Value::Null,
            details: json!({"type": "card", "card": {"brand": brand, "last4": last4, "country": "CA", "funding": "credit"}}),
            available_now,
        }
    }

    /// A saved PaymentMethod.
    pub fn saved(method: &Value) -> Self {
        Self {
            payment_method: method["id"].clone(),
            details: json!({"type": "card", "card": method["card"].clone()}),
            available_now: false,
        }
    }

    /// Klarna's test mode.
    pub fn klarna() -> Self {
        Self {
            payment_method: Value::Null,
            details: json!({"type": "klarna", "klarna": {}}),
            available_now: false,
        }
    }
}

fn new_charge(intent: &Value, paid: &PaidWith, status: &str) -> Value {
    let amount = intent["amount"].as_i64().unwrap_or_default();
    let succeeded = status == "succeeded";
    json!({
        "id": new_id("ch_"),
        "object": "charge",
        "amount": amount,
        "amount_captured": if succeeded { amount } else { 0 },
        "amount_refunded": 0,
        "balance_transaction": null,
        "captured": succeeded,
        "created": now(),
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "failure_code": null,
        "failure_message": null,
        "livemode": false,
        "metadata": intent["metadata"],
        "paid": succeeded,
        "payment_intent": intent["id"],
        "payment_method": paid.payment_method,
        "payment_method_details": paid.details,
        "refunded": false,
        "status": status,
    })
}

/// The PaymentIntent succeeds: a succeeded charge with its balance transaction,
/// `payment_intent.succeeded` sent.
pub async fn capture(
    state: &AppState,
    intent: &mut Value,
    paid: &PaidWith,
) -> Result<(), StripeError> {
    let mut charge = new_charge(intent, paid, "succeeded");
    let transaction = fees::book(state, &charge, paid.available_now).await?;
    charge["balance_transaction"] = transaction["id"].clone();
    state.store.create(&charge).await?;
    intent["status"] = json!("succeeded");
    intent["amount_received"] = charge["amount"].clone();
    intent["latest_charge"] = charge["id"].clone();
    intent["last_payment_error"] = Value::Null;
    if !paid.payment_method.is_null() {
        intent["payment_method"] = paid.payment_method.clone();
    }
    state.store.update(intent).await?;
    webhooks::emit(state, "payment_intent.succeeded", intent).await
}

/// A declined card leaves a failed charge (no balance transaction); its id.
pub async fn decline(
    state: &AppState,
    intent: &Value,
    paid: &PaidWith,
    code: &str,
    message: &str,
) -> Result<Value, StripeError> {
    let mut charge = new_charge(intent, paid, "failed");
    charge["failure_code"] = json!(code);
    charge["failure_message"] = json!(message);
    state.store.create(&charge).await?;
    Ok(charge["id"].clone())
}
