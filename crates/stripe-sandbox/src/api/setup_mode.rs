//! `mode=setup` Checkout Sessions: no line items, a customer whose card or bank account (under a
//! pre-authorised debit mandate) is saved, a SetupIntent.

use serde_json::{Value, json};

use super::sessions::SessionFields;
use crate::AppState;
use crate::error::StripeError;
use crate::form::Params;
use crate::setup::new_setup_intent;

/// A setup session's parameters checked as Stripe does; the sandbox also needs `customer` (the
/// card is attached to it).
pub(super) fn fields(p: &Params) -> Result<SessionFields, StripeError> {
    if !p.indexed("line_items")?.is_empty() {
        return Err(StripeError::invalid_value(
            "line_items",
            "You can not pass `line_items` in `setup` mode.".to_owned(),
        ));
    }
    if !p
        .map("payment_intent_data[metadata]")
        .as_object()
        .is_none_or(|m| m.is_empty())
        || p.get("payment_intent_data[description]").is_some()
    {
        return Err(StripeError::invalid_value(
            "payment_intent_data",
            "You can not pass `payment_intent_data` in `setup` mode.".to_owned(),
        ));
    }
    p.required("customer")?;
    let methods = p.list("payment_method_types");
    let currency = p.get("currency").map(str::to_lowercase);
    if methods.is_empty() && currency.is_none() {
        return Err(StripeError::missing("currency"));
    }
    if let Some(currency) = &currency
        && !(currency.len() == 3 && currency.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return Err(StripeError::invalid_value(
            "currency",
            format!("Invalid currency: {currency}"),
        ));
    }
    if let Some(bad) = methods
        .iter()
        .find(|m| !["card", "acss_debit"].contains(&m.as_str()))
    {
        return Err(StripeError::invalid_value(
            "payment_method_types",
            format!("The payment method type provided: {bad} is invalid."),
        ));
    }
    let bank = methods.iter().any(|m| m == "acss_debit");
    let options = match bank {
        true => super::acss_options::checked(p, currency.as_deref())?,
        false => super::acss_options::none(p)?,
    };
    Ok(SessionFields {
        mode: "setup",
        amount: None,
        currency,
        methods: if bank {
            vec!["acss_debit".to_owned()]
        } else {
            vec!["card".to_owned()]
        },
        line_items: Vec::new(),
        options,
    })
}

/// Makes the session's SetupIntent; the session needs no payment.
pub(super) async fn start(state: &AppState, session: &mut Value) -> Result<(), StripeError> {
    let customer = session["customer"].as_str().unwrap_or_default();
    let methods: Vec<String> = session["payment_method_types"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m.as_str().map(str::to_owned))
        .collect();
    let mut intent = new_setup_intent(customer, &methods);
    intent["payment_method_options"] = session["payment_method_options"].clone();
    state.store.create(&intent).await?;
    session["setup_intent"] = intent["id"].clone();
    session["payment_status"] = json!("no_payment_required");
    Ok(())
}
