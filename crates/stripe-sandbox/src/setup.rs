//! Setup mode: a session's SetupIntent, and the card it saves as a PaymentMethod attached to the
//! customer.

use serde_json::{Value, json};

use crate::AppState;
use crate::cards::TestCard;
use crate::error::StripeError;
use crate::objects::{find, new_id, now, random_token};
use crate::webhooks;

/// A SetupIntent for `customer`, waiting for its card (`requires_payment_method`).
pub fn new_setup_intent(customer: &str, methods: &[String]) -> Value {
    let id = new_id("seti_");
    json!({
        "id": id,
        "object": "setup_intent",
        "cancellation_reason": null,
        "client_secret": format!("{id}_secret_{}", random_token(24)),
        "created": now(),
        "customer": customer,
        "description": null,
        "last_setup_error": null,
        "latest_attempt": null,
        "livemode": false,
        "mandate": null,
        "metadata": {},
        "next_action": null,
        "payment_method": null,
        "payment_method_types": methods,
        "status": "requires_payment_method",
        "usage": "off_session",
    })
}

/// A card PaymentMethod saved from `card`, attached to `customer`; the number itself is kept
/// for its outcome and never shown (`objects::public`).
fn new_payment_method(card: TestCard, customer: &Value) -> Value {
    let year = chrono::Datelike::year(&chrono::Utc::now()) + 3;
    json!({
        "id": new_id("pm_"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {
            "address": {"city": null, "country": null, "line1": null, "line2": null,
                        "postal_code": null, "state": null},
            "email": customer["email"],
            "name": customer["name"],
            "phone": null,
        },
        "card": {
            "brand": card.brand,
            "country": "CA",
            "exp_month": 12,
            "exp_year": year,
            "funding": "credit",
            "last4": card.last4(),
        },
        "created": now(),
        "customer": customer["id"],
        "livemode": false,
        "metadata": {},
        "test_card": card.number,
        "type": "card",
    })
}

/// The card typed on a setup session's page is saved: a PaymentMethod attached to the customer
/// (`payment_method.attached`), the SetupIntent `succeeded` (`setup_intent.succeeded`), the
/// session `complete` (`checkout.session.completed`).
pub async fn save_card(
    state: &AppState,
    session: &mut Value,
    card: TestCard,
) -> Result<(), StripeError> {
    let (customer, mut intent) = parties(state, session).await?;
    let method = attach(state, new_payment_method(card, &customer)).await?;
    intent["payment_method"] = method["id"].clone();
    succeed(state, session, intent).await
}

/// The customer and the SetupIntent of setup session `session`.
pub async fn parties(state: &AppState, session: &Value) -> Result<(Value, Value), StripeError> {
    let customer_id = session["customer"].as_str().unwrap_or_default();
    let customer = find(state, "customer", "customer", customer_id, "customer").await?;
    let intent_id = session["setup_intent"].as_str().unwrap_or_default();
    let intent = find(state, "setup_intent", "setup_intent", intent_id, "intent").await?;
    Ok((customer, intent))
}

/// Stores `method`, attached to its customer (`payment_method.attached`).
pub async fn attach(state: &AppState, method: Value) -> Result<Value, StripeError> {
    state.store.create(&method).await?;
    webhooks::emit(state, "payment_method.attached", &method).await?;
    Ok(method)
}

/// `intent` succeeded (`setup_intent.succeeded`) and its session is complete
/// (`checkout.session.completed`).
pub async fn succeed(
    state: &AppState,
    session: &mut Value,
    mut intent: Value,
) -> Result<(), StripeError> {
    intent["status"] = json!("succeeded");
    state.store.update(&intent).await?;
    webhooks::emit(state, "setup_intent.succeeded", &intent).await?;
    session["status"] = json!("complete");
    state.store.update(session).await?;
    webhooks::emit(state, "checkout.session.completed", session).await
}
