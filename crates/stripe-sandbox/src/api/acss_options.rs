//! `payment_method_options[acss_debit]…` of a bank-debit setup session, checked as Stripe checks
//! them: the currency (`cad`, `usd`), the mandate's `payment_schedule` (`interval`, `sporadic`,
//! `combined`) with its `interval_description` (required for `interval` and `combined`),
//! `transaction_type` (`personal`, `business`), `default_for[]`, and `verification_method`.

use serde_json::{Value, json};

use crate::error::StripeError;
use crate::form::Params;

const PREFIX: &str = "payment_method_options[acss_debit]";
const KNOWN: &[&str] = &[
    "[currency]",
    "[verification_method]",
    "[mandate_options][payment_schedule]",
    "[mandate_options][interval_description]",
    "[mandate_options][transaction_type]",
    "[mandate_options][custom_mandate_url]",
    "[mandate_options][default_for][]",
];

/// No `payment_method_options` is taken without `acss_debit` among the types.
pub(super) fn none(p: &Params) -> Result<Value, StripeError> {
    if p.keys().any(|k| k.starts_with("payment_method_options[")) {
        return Err(StripeError::invalid_value(
            "payment_method_options",
            "payment_method_options are taken for acss_debit setup sessions only here.".to_owned(),
        ));
    }
    Ok(Value::Null)
}

/// The session's `payment_method_options` (`{"acss_debit": {…}}`).
pub(super) fn checked(p: &Params, session_currency: Option<&str>) -> Result<Value, StripeError> {
    for key in p
        .keys()
        .filter(|k| k.starts_with("payment_method_options["))
    {
        let known = key.strip_prefix(PREFIX).is_some_and(|rest| {
            KNOWN
                .iter()
                .any(|k| rest == *k || rest.starts_with("[mandate_options][default_for]["))
        });
        if !known {
            return Err(StripeError::unknown_param(key));
        }
    }
    let field = |name: &str| format!("{PREFIX}{name}");
    let currency = p
        .get(&field("[currency]"))
        .or(session_currency)
        .ok_or_else(|| StripeError::missing(&field("[currency]")))?
        .to_lowercase();
    one_of(&field("[currency]"), &currency, &["cad", "usd"])?;
    let schedule = p
        .required(&field("[mandate_options][payment_schedule]"))?
        .to_owned();
    one_of(
        &field("[mandate_options][payment_schedule]"),
        &schedule,
        &["interval", "sporadic", "combined"],
    )?;
    let kind = p
        .required(&field("[mandate_options][transaction_type]"))?
        .to_owned();
    one_of(
        &field("[mandate_options][transaction_type]"),
        &kind,
        &["personal", "business"],
    )?;
    let interval = p.get(&field("[mandate_options][interval_description]"));
    if schedule != "sporadic" && interval.is_none() {
        return Err(StripeError::missing(&field(
            "[mandate_options][interval_description]",
        )));
    }
    if interval.is_some_and(|d| d.chars().count() > 500) {
        return Err(StripeError::invalid_value(
            &field("[mandate_options][interval_description]"),
            "Invalid string: must be at most 500 characters".to_owned(),
        ));
    }
    let verification = p
        .get(&field("[verification_method]"))
        .unwrap_or("automatic");
    one_of(
        &field("[verification_method]"),
        verification,
        &["automatic", "instant", "microdeposits"],
    )?;
    let default_for = p.list(&field("[mandate_options][default_for]"));
    for target in &default_for {
        one_of(
            &field("[mandate_options][default_for][]"),
            target,
            &["invoice", "subscription"],
        )?;
    }
    Ok(json!({"acss_debit": {
        "currency": currency,
        "mandate_options": {
            "custom_mandate_url": p.get(&field("[mandate_options][custom_mandate_url]")),
            "default_for": default_for,
            "interval_description": interval,
            "payment_schedule": schedule,
            "transaction_type": kind,
        },
        "verification_method": verification,
    }}))
}

fn one_of(param: &str, value: &str, allowed: &[&str]) -> Result<(), StripeError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(StripeError::invalid_value(
        param,
        format!(
            "Invalid {param}: must be one of {} (got {value})",
            allowed.join(", ")
        ),
    ))
}
