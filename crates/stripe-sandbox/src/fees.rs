//! Stripe's fee on a charge, booked as a balance transaction (`txn_…`): Stripe's standard
//! Canadian price, 2.9 % + 30 ¢ for a domestic card (Klarna is charged the same here), 1 % + 40 ¢
//! capped at 5 $ for a pre-authorised debit.

use serde_json::{Value, json};

use crate::AppState;
use crate::error::StripeError;
use crate::objects::{new_id, now};

/// Funds of a charge become available two days after it, as a new Canadian account's are; the
/// balance transaction is `pending` until then.
const DAYS_TO_AVAILABLE: i64 = 2;

/// Stripe's fee on `amount` cents: 2.9 % rounded to the nearest cent (half up), plus 30 cents.
pub fn card_fee(amount: i64) -> i64 {
    (amount * 29 + 500).div_euclid(1000) + 30
}

/// Stripe's fee on a pre-authorised debit of `amount` cents: 1 % rounded to the nearest cent (half
/// up), plus 40 cents, at most 5 $.
pub fn pad_fee(amount: i64) -> i64 {
    ((amount + 50).div_euclid(100) + 40).min(500)
}

/// Books a succeeded charge's balance transaction; `available_now` for the test card whose funds
/// skip the pending balance (4000 0000 0000 0077).
pub async fn book(
    state: &AppState,
    charge: &Value,
    available_now: bool,
) -> Result<Value, StripeError> {
    let amount = charge["amount"].as_i64().unwrap_or_default();
    let fee = match charge["payment_method_details"]["type"].as_str() {
        Some("acss_debit") => pad_fee(amount),
        _ => card_fee(amount),
    };
    let created = now();
    let available_on = if available_now {
        created
    } else {
        created + DAYS_TO_AVAILABLE * 24 * 3600
    };
    let transaction = json!({
        "id": new_id("txn_"),
        "object": "balance_transaction",
        "amount": amount,
        "available_on": available_on,
        "created": created,
        "currency": charge["currency"],
        "description": charge["description"],
        "exchange_rate": null,
        "fee": fee,
        "fee_details": [{
            "amount": fee,
            "application": null,
            "currency": charge["currency"],
            "description": "Stripe processing fees",
            "type": "stripe_fee",
        }],
        "net": amount - fee,
        "reporting_category": "charge",
        "source": charge["id"],
        "status": "pending",
        "type": "charge",
    });
    state.store.create(&transaction).await?;
    Ok(with_status(transaction))
}

/// The transaction as it reads now: `available` once `available_on` has passed.
pub fn with_status(mut transaction: Value) -> Value {
    if transaction["available_on"].as_i64().unwrap_or(i64::MAX) <= now() {
        transaction["status"] = json!("available");
    }
    transaction
}

#[cfg(test)]
mod tests {
    use super::{card_fee, pad_fee};

    #[test]
    fn a_debit_costs_1_percent_plus_40_cents_at_most_5_dollars() {
        assert_eq!(pad_fee(5749), 97); // 57.49 → 57
        assert_eq!(pad_fee(5750), 98); // 57.5 → 58
        assert_eq!(pad_fee(46_000), 500); // 460 + 40
        assert_eq!(pad_fee(100_000), 500);
    }

    #[test]
    fn the_fee_is_2_9_percent_rounded_plus_30_cents() {
        assert_eq!(card_fee(10000), 320);
        assert_eq!(card_fee(5749), 197); // 166.721 → 167
        assert_eq!(card_fee(50), 31); // 1.45 → 1
        assert_eq!(card_fee(5000), 175); // 145 exactly
        assert_eq!(card_fee(1050), 60); // 30.45 → 30
        assert_eq!(card_fee(1052), 61); // 30.508 → 31
    }
}
