//! Stripe's objects as JSON, and what paying and refunding do to them.

use rand::Rng as _;
use serde_json::{Value, json};

use crate::AppState;
use crate::charges::{self, PaidWith};
use crate::error::StripeError;
use crate::webhooks;

/// `n` random characters of `[0-9A-Za-z]`, as Stripe's ids end.
pub fn random_token(n: usize) -> String {
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// A new id with Stripe's prefix (`cus_`, `cs_test_`, `pi_`, `ch_`, `re_`, `evt_`).
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", random_token(24))
}

/// Unix seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An object as the API and events show it, without what the sandbox keeps for itself: a
/// session's line items (for its page), a PaymentMethod's test card or account number (for its
/// outcome), a bank debit's settling time and mandate, a
/// portal session's first visit (for its expiry).
pub fn public(mut object: Value) -> Value {
    if let Some(map) = object.as_object_mut() {
        map.remove("line_items_input");
        map.remove("payment_intent_data_input");
        map.remove("test_card");
        map.remove("test_account");
        map.remove("settle_at_ms");
        map.remove("debit_mandate");
        map.remove("visited_at");
    }
    object
}

/// A stored object of `kind`, or Stripe's 404 `No such <what>: '<id>'` on `param`.
pub async fn find(
    state: &AppState,
    kind: &str,
    what: &str,
    id: &str,
    param: &str,
) -> Result<Value, StripeError> {
    state
        .store
        .find_by_id(kind, id)
        .await?
        .ok_or_else(|| StripeError::no_such(what, id, param))
}

/// The PaymentIntent of a session's first attempt at paying, made on that attempt.
pub async fn payment_intent_for(
    state: &AppState,
    session: &mut Value,
) -> Result<Value, StripeError> {
    if let Some(id) = session["payment_intent"].as_str() {
        return find(
            state,
            "payment_intent",
            "payment_intent",
            id,
            "payment_intent",
        )
        .await;
    }
    let intent = json!({
        "id": new_id("pi_"),
        "object": "payment_intent",
        "amount": session["amount_total"],
        "amount_capturable": 0,
        "amount_received": 0,
        "currency": session["currency"],
        "customer": session["customer"],
        "created": now(),
        "description": session["payment_intent_data_input"]["description"],
        "last_payment_error": null,
        "latest_charge": null,
        "livemode": false,
        "metadata": match &session["payment_intent_data_input"]["metadata"] {
            Value::Object(m) => Value::Object(m.clone()),
            _ => json!({}),
        },
        "payment_method": null,
        "payment_method_types": session["payment_method_types"],
        "status": "requires_payment_method",
    });
    state.store.create(&intent).await?;
    session["payment_intent"] = intent["id"].clone();
    state.store.update(session).await?;
    Ok(intent)
}

/// The session is paid: the PaymentIntent succeeds with a charge (`payment_intent.succeeded`),
/// the session is complete and paid (`checkout.session.completed`).
pub async fn succeed(
    state: &AppState,
    session: &mut Value,
    mut intent: Value,
    paid: &PaidWith,
) -> Result<(), StripeError> {
    charges::capture(state, &mut intent, paid).await?;
    session["status"] = json!("complete");
    session["payment_status"] = json!("paid");
    state.store.update(session).await?;
    webhooks::emit(state, "checkout.session.completed", session).await?;
    Ok(())
}

/// The card was declined or its 3-D Secure failed: the PaymentIntent back to
/// `requires_payment_method` with its error, `payment_intent.payment_failed` sent; the session
/// stays open.
pub async fn fail(
    state: &AppState,
    mut intent: Value,
    code: &str,
    message: &str,
) -> Result<(), StripeError> {
    intent["status"] = json!("requires_payment_method");
    let mut error = json!({"type": "card_error", "code": code, "message": message});
    if code == "card_declined" {
        error["decline_code"] = json!("generic_decline");
    }
    intent["last_payment_error"] = error;
    state.store.update(&intent).await?;
    webhooks::emit(state, "payment_intent.payment_failed", &intent).await
}

/// Refunds `amount` (default: what is left) of a PaymentIntent's charge.
pub async fn refund(
    state: &AppState,
    intent_id: &str,
    amount: Option<i64>,
    reason: Option<&str>,
    metadata: Value,
) -> Result<Value, StripeError> {
    let intent = find(
        state,
        "payment_intent",
        "payment_intent",
        intent_id,
        "payment_intent",
    )
    .await?;
    let charge_id = intent["latest_charge"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if intent["status"] != "succeeded" || charge_id.is_empty() {
        return Err(StripeError::bad_request(
            "charge_not_refundable",
            format!(
                "This PaymentIntent ({intent_id}) does not have a successful charge to refund."
            ),
            Some("payment_intent"),
        ));
    }
    let mut charge = find(state, "charge", "charge", &charge_id, "charge").await?;
    let captured = charge["amount_captured"].as_i64().unwrap_or_default();
    let refunded = charge["amount_refunded"].as_i64().unwrap_or_default();
    let left = captured - refunded;
    if left <= 0 {
        return Err(StripeError::bad_request(
            "charge_already_refunded",
            format!("Charge {charge_id} has already been refunded."),
            None,
        ));
    }
    let amount = amount.unwrap_or(left);
    if amount > left {
        return Err(StripeError::bad_request(
            "amount_too_large",
            format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                dollars(amount),
                dollars(left)
            ),
            Some("amount"),
        ));
    }
    let refund = json!({
        "id": new_id("re_"),
        "object": "refund",
        "amount": amount,
        "charge": charge_id,
        "created": now(),
        "currency": charge["currency"],
        "metadata": metadata,
        "payment_intent": intent_id,
        "reason": reason,
        "status": "succeeded",
    });
    state.store.create(&refund).await?;
    charge["amount_refunded"] = json!(refunded + amount);
    charge["refunded"] = json!(refunded + amount == captured);
    state.store.update(&charge).await?;
    webhooks::emit(state, "charge.refunded", &charge).await?;
    Ok(refund)
}

fn dollars(cents: i64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}
