//! PaymentIntents created by the API with a saved card (`POST /v1/payment_intents`), confirmed at
//! once when asked: the outcome is the one of the test card the PaymentMethod was saved from. A
//! saved bank account is debited under its mandate: `processing` now, settled later (`settle`).

use serde_json::{Map, Value, json};

use crate::AppState;
use crate::bank;
use crate::cards::{self, OffSession};
use crate::charges::{self, PaidWith};
use crate::error::StripeError;
use crate::objects::{new_id, now, public, random_token};
use crate::{settle, webhooks};

/// A checked request for a new PaymentIntent.
pub struct NewIntent {
    pub amount: i64,
    pub currency: String,
    pub customer: Option<String>,
    /// The saved card, found and checked to be the customer's.
    pub payment_method: Option<Value>,
    pub confirm: bool,
    pub off_session: bool,
    pub metadata: Value,
    pub description: Option<String>,
    pub methods: Vec<String>,
    /// The active mandate a bank debit is made under.
    pub mandate: Option<Value>,
}

/// Creates the PaymentIntent and, with `confirm`, charges the card: the PaymentIntent, or the
/// 402 `card_error` Stripe answers a failed confirmation with (the PaymentIntent inside it).
pub async fn create(state: &AppState, new: NewIntent) -> Result<Value, StripeError> {
    let id = new_id("pi_");
    let status = match (&new.payment_method, new.confirm) {
        (None, _) => "requires_payment_method",
        (Some(_), false) => "requires_confirmation",
        (Some(_), true) => "processing",
    };
    let mut intent = json!({
        "id": id,
        "object": "payment_intent",
        "amount": new.amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "capture_method": "automatic",
        "client_secret": format!("{id}_secret_{}", random_token(24)),
        "confirmation_method": "automatic",
        "created": now(),
        "currency": new.currency,
        "customer": new.customer,
        "description": new.description,
        "last_payment_error": null,
        "latest_charge": null,
        "livemode": false,
        "metadata": new.metadata,
        "next_action": null,
        "payment_method": new.payment_method.as_ref().map(|m| m["id"].clone()),
        "payment_method_types": new.methods,
        "setup_future_usage": null,
        "status": status,
    });
    if let Some(mandate) = &new.mandate {
        return debit(state, intent, new.payment_method.as_ref(), mandate).await;
    }
    state.store.create(&intent).await?;
    let Some(method) = new.payment_method.filter(|_| new.confirm) else {
        return Ok(intent);
    };
    let number = method["test_card"].as_str().unwrap_or_default();
    let outcome = cards::by_number(number).map_or(OffSession::Succeeds, |c| c.off_session);
    let paid = PaidWith::saved(&method);
    match outcome {
        OffSession::Succeeds => {
            charges::capture(state, &mut intent, &paid).await?;
            Ok(intent)
        }
        OffSession::AuthenticationRequired if !new.off_session => {
            intent["status"] = json!("requires_action");
            intent["next_action"] = json!({"type": "use_stripe_sdk", "use_stripe_sdk": {}});
            state.store.update(&intent).await?;
            webhooks::emit(state, "payment_intent.requires_action", &intent).await?;
            Ok(intent)
        }
        OffSession::AuthenticationRequired => {
            let message = "Your card was declined. This transaction requires authentication.";
            let code = "authentication_required";
            Err(fail(state, intent, &method, code, Some(code), message, None).await?)
        }
        OffSession::Declined {
            code,
            decline_code,
            message,
        } => {
            let charge = charges::decline(state, &intent, &paid, code, message).await?;
            intent["latest_charge"] = charge.clone();
            Err(fail(
                state,
                intent,
                &method,
                code,
                decline_code,
                message,
                Some(charge),
            )
            .await?)
        }
    }
}

/// A bank debit is asynchronous: the PaymentIntent stays `processing`
/// (`payment_intent.processing`) until `settle` pays or fails it.
async fn debit(
    state: &AppState,
    mut intent: Value,
    method: Option<&Value>,
    mandate: &Value,
) -> Result<Value, StripeError> {
    let account = method
        .and_then(|m| m["test_account"].as_str())
        .and_then(bank::by_number);
    intent["settle_at_ms"] = json!(settle::settle_at_ms(state, account.is_some_and(|a| a.late)));
    intent["debit_mandate"] = mandate["id"].clone();
    state.store.create(&intent).await?;
    webhooks::emit(state, "payment_intent.processing", &intent).await?;
    Ok(public(intent))
}

/// The PaymentIntent back to `requires_payment_method` with its `last_payment_error`,
/// `payment_intent.payment_failed` sent; the 402 to answer.
async fn fail(
    state: &AppState,
    mut intent: Value,
    method: &Value,
    code: &'static str,
    decline_code: Option<&str>,
    message: &str,
    charge: Option<Value>,
) -> Result<StripeError, StripeError> {
    let mut error = Map::new();
    if let Some(charge) = charge {
        error.insert("charge".to_owned(), charge);
    }
    if let Some(decline_code) = decline_code {
        error.insert("decline_code".to_owned(), json!(decline_code));
    }
    // Stripe names the expiry date as the parameter at fault of an expired card.
    let param = (code == "expired_card").then_some("exp_month");
    error.insert("payment_method".to_owned(), public(method.clone()));
    let mut last = StripeError::card(code, message, error.clone(), param).body()["error"].take();
    if let Some(map) = last.as_object_mut() {
        map.insert("type".to_owned(), json!("card_error"));
    }
    intent["status"] = json!("requires_payment_method");
    intent["last_payment_error"] = last;
    state.store.update(&intent).await?;
    webhooks::emit(state, "payment_intent.payment_failed", &intent).await?;
    error.insert("payment_intent".to_owned(), public(intent));
    Ok(StripeError::card(code, message, error, param))
}
