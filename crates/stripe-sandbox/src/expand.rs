//! `expand[]=latest_charge.balance_transaction`: ids replaced by the objects they name, level by
//! level, as Stripe does; a path Stripe would not expand is its 400.

use serde_json::Value;

use crate::AppState;
use crate::error::StripeError;
use crate::fees;
use crate::form::Params;
use crate::objects::public;

/// `(object, field, kind of the object the field's id names)`.
const EXPANDABLE: &[(&str, &str, &str)] = &[
    ("payment_intent", "latest_charge", "charge"),
    ("payment_intent", "customer", "customer"),
    ("payment_intent", "payment_method", "payment_method"),
    ("charge", "balance_transaction", "balance_transaction"),
    ("charge", "payment_intent", "payment_intent"),
    ("charge", "customer", "customer"),
    ("balance_transaction", "source", "charge"),
    ("checkout.session", "payment_intent", "payment_intent"),
    ("checkout.session", "setup_intent", "setup_intent"),
    ("checkout.session", "customer", "customer"),
    ("setup_intent", "payment_method", "payment_method"),
    ("setup_intent", "customer", "customer"),
    ("setup_intent", "mandate", "mandate"),
    ("mandate", "payment_method", "payment_method"),
    ("payment_method", "customer", "customer"),
];

/// Stripe expands at most four levels.
const MAX_LEVELS: usize = 4;

/// `object` with every path of `params`' `expand[]` expanded.
pub async fn expanded(
    state: &AppState,
    mut object: Value,
    params: &Params,
) -> Result<Value, StripeError> {
    for path in params.list("expand") {
        expand_path(state, &mut object, &path).await?;
    }
    Ok(public(object))
}

async fn expand_path(state: &AppState, object: &mut Value, path: &str) -> Result<(), StripeError> {
    let segments: Vec<&str> = path.split('.').collect();
    if segments.len() > MAX_LEVELS {
        return Err(StripeError::invalid_value(
            "expand",
            format!(
                "You cannot expand more than {MAX_LEVELS} levels of a property. Property: {path}"
            ),
        ));
    }
    let mut current = object;
    for (depth, segment) in segments.iter().enumerate() {
        let kind = current["object"].as_str().unwrap_or_default();
        let Some((_, _, target)) = EXPANDABLE
            .iter()
            .find(|(of, field, _)| *of == kind && field == segment)
        else {
            return Err(StripeError::cannot_expand(&segments[..=depth].join(".")));
        };
        let field = &mut current[*segment];
        if let Some(id) = field.as_str()
            && let Some(found) = state.store.find_by_id(target, id).await?
        {
            *field = match *target {
                "balance_transaction" => fees::with_status(public(found)),
                _ => public(found),
            };
        }
        if !field.is_object() {
            // null, or an id of nothing: nothing further to expand
            return Ok(());
        }
        current = field;
    }
    Ok(())
}
