//! Saved cards: a customer's list, detaching one, making one the default for invoices (used by
//! the API and the Billing Portal page alike).

use serde_json::{Value, json};

use crate::AppState;
use crate::error::StripeError;
use crate::objects::{find, public};
use crate::webhooks;

/// A customer's cards, newest first, as the API shows them.
pub async fn of_customer(state: &AppState, customer: &str) -> Result<Vec<Value>, StripeError> {
    let mut methods = state
        .store
        .find_by_kind("payment_method", i64::MIN, i64::MAX, 10_000)
        .await?;
    methods.retain(|m| m["customer"] == customer);
    Ok(methods.into_iter().map(public).collect())
}

/// Detaches a card from its customer (`payment_method.detached`); a detached card cannot be used
/// again; a bank account's mandates become inactive. If it was the customer's default, the customer has none (`customer.updated`).
pub async fn detach(state: &AppState, id: &str) -> Result<Value, StripeError> {
    let mut method = find(
        state,
        "payment_method",
        "PaymentMethod",
        id,
        "payment_method",
    )
    .await?;
    let Some(customer_id) = method["customer"].as_str().map(str::to_owned) else {
        return Err(StripeError::invalid_state(
            "The payment method you provided is not attached to a customer so detachment is impossible.".to_owned(),
            None,
        ));
    };
    method["customer"] = Value::Null;
    state.store.update(&method).await?;
    webhooks::emit(state, "payment_method.detached", &method).await?;
    crate::bank::deactivate_mandates(state, id).await?;
    if let Some(mut customer) = state.store.find_by_id("customer", &customer_id).await?
        && customer["invoice_settings"]["default_payment_method"] == id
    {
        customer["invoice_settings"]["default_payment_method"] = Value::Null;
        state.store.update(&customer).await?;
        webhooks::emit(state, "customer.updated", &customer).await?;
    }
    Ok(public(method))
}

/// Checks that `method` is one of `customer`'s cards, as Stripe does before making it the default.
pub async fn check_attached(
    state: &AppState,
    customer: &str,
    method: &str,
) -> Result<(), StripeError> {
    const PARAM: &str = "invoice_settings[default_payment_method]";
    let found = find(state, "payment_method", "PaymentMethod", method, PARAM).await?;
    if found["customer"] != customer {
        return Err(StripeError::invalid_state(
            format!(
                "The customer does not have a payment method with the ID {method}. The payment method must be attached to the customer."
            ),
            Some(PARAM),
        ));
    }
    Ok(())
}
/// Makes `method` (checked attached) the customer's default for invoices (`customer.updated`).
pub async fn make_default(
    state: &AppState,
    mut customer: Value,
    method: &str,
) -> Result<Value, StripeError> {
    customer["invoice_settings"]["default_payment_method"] = json!(method);
    state.store.update(&customer).await?;
    webhooks::emit(state, "customer.updated", &customer).await?;
    Ok(customer)
}
