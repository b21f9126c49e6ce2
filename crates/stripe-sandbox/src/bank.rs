//! Canadian pre-authorised debit (`acss_debit`): Stripe's test bank accounts, the PaymentMethod and
//! the multi-use Mandate a setup session makes from the bank details typed on its page, and what
//! debiting the account later does (asynchronous: `processing`, then settled by `settle`).

use serde_json::{Value, json};

use crate::AppState;
use crate::error::StripeError;
use crate::objects::{new_id, now};
use crate::{setup, webhooks};

/// Institution and transit numbers of Stripe's test accounts.
pub const INSTITUTION: &str = "000";
/// The test transit number.
pub const TRANSIT: &str = "11000";

/// What debiting a test account does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Debit {
    /// Paid when settled.
    Succeeds,
    /// Returned by the bank when settled: the charge's `failure_code` and message.
    Fails {
        code: &'static str,
        message: &'static str,
    },
}

/// A test account: its number, what a debit does, and whether it settles three minutes later.
#[derive(Debug, Clone, Copy)]
pub struct TestAccount {
    pub number: &'static str,
    pub debit: Debit,
    pub late: bool,
}

const NSF: Debit = Debit::Fails {
    code: "insufficient_funds",
    message: "The customer's account has insufficient funds to cover this payment.",
};

/// Stripe's test accounts (institution 000, transit 11000).
pub const ACCOUNTS: &[TestAccount] = &[
    account("000123456789", Debit::Succeeds, false),
    account("900123456789", Debit::Succeeds, true),
    account("000222222227", NSF, false),
    account("900222222227", NSF, true),
    account(
        "000777777771",
        Debit::Fails {
            code: "debit_not_authorized",
            message: "The payment amount exceeds the account's weekly payment volume limit.",
        },
        false,
    ),
    account(
        "000888888881",
        Debit::Fails {
            code: "debit_not_authorized",
            message: "The payment amount exceeds the account's transaction limit.",
        },
        false,
    ),
];

const fn account(number: &'static str, debit: Debit, late: bool) -> TestAccount {
    TestAccount {
        number,
        debit,
        late,
    }
}

/// The test account of typed bank details (spaces ignored), if they are Stripe's.
pub fn typed(institution: &str, transit: &str, number: &str) -> Option<TestAccount> {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    if digits(institution) != INSTITUTION || digits(transit) != TRANSIT {
        return None;
    }
    let number = digits(number);
    ACCOUNTS.iter().copied().find(|a| a.number == number)
}

/// The test account a PaymentMethod was saved from.
pub fn by_number(number: &str) -> Option<TestAccount> {
    ACCOUNTS.iter().copied().find(|a| a.number == number)
}

/// An `acss_debit` PaymentMethod of `account`, attached to `customer`; the number is kept for its
/// outcome and never shown (`objects::public`).
fn new_payment_method(account: TestAccount, customer: &Value) -> Value {
    json!({
        "id": new_id("pm_"),
        "object": "payment_method",
        "acss_debit": {
            "bank_name": "STRIPE TEST BANK",
            "fingerprint": fingerprint(account.number),
            "institution_number": INSTITUTION,
            "last4": &account.number[account.number.len() - 4..],
            "transit_number": TRANSIT,
        },
        "allow_redisplay": "unspecified",
        "billing_details": {
            "address": {"city": null, "country": null, "line1": null, "line2": null,
                        "postal_code": null, "state": null},
            "email": customer["email"],
            "name": customer["name"],
            "phone": null,
        },
        "created": now(),
        "customer": customer["id"],
        "livemode": false,
        "metadata": {},
        "test_account": account.number,
        "type": "acss_debit",
    })
}

/// The multi-use Mandate the customer accepted on the page, for `method` on the session's terms.
fn new_mandate(method: &Value, terms: &Value) -> Value {
    let options = &terms["mandate_options"];
    json!({
        "id": new_id("mandate_"),
        "object": "mandate",
        "customer_acceptance": {
            "accepted_at": now(),
            "online": {"ip_address": "127.0.0.1", "user_agent": "stripe-sandbox"},
            "type": "online",
        },
        "livemode": false,
        "multi_use": {},
        "payment_method": method["id"],
        "payment_method_details": {
            "acss_debit": {
                "default_for": options.get("default_for").cloned().unwrap_or_else(|| json!([])),
                "interval_description": options["interval_description"],
                "payment_schedule": options["payment_schedule"],
                "transaction_type": options["transaction_type"],
            },
            "type": "acss_debit",
        },
        "status": "active",
        "type": "multi_use",
    })
}

/// The bank details typed on a setup session's page are saved under the PAD agreement accepted:
/// the PaymentMethod attached (`payment_method.attached`), an active Mandate (`mandate.updated`),
/// the SetupIntent `succeeded` with both (`setup_intent.succeeded`), the session `complete`
/// (`checkout.session.completed`).
pub async fn save_account(
    state: &AppState,
    session: &mut Value,
    account: TestAccount,
) -> Result<(), StripeError> {
    let (customer, mut intent) = setup::parties(state, session).await?;
    let method = setup::attach(state, new_payment_method(account, &customer)).await?;
    let mandate = new_mandate(&method, &session["payment_method_options"]["acss_debit"]);
    state.store.create(&mandate).await?;
    intent["payment_method"] = method["id"].clone();
    intent["mandate"] = mandate["id"].clone();
    setup::succeed(state, session, intent).await?;
    webhooks::emit(state, "mandate.updated", &mandate).await
}

/// The active mandate of `method` a PaymentIntent may debit under: `asked` when given (it must be
/// this method's), else the method's own; Stripe's 400 otherwise.
pub async fn mandate_for(
    state: &AppState,
    method: &Value,
    asked: Option<&str>,
) -> Result<Value, StripeError> {
    let mut mandates = state
        .store
        .find_by_kind("mandate", i64::MIN, i64::MAX, 10_000)
        .await?;
    mandates.retain(|m| m["payment_method"] == method["id"]);
    let found = match asked {
        Some(id) => mandates
            .into_iter()
            .find(|m| m["id"] == id)
            .ok_or_else(|| {
                StripeError::invalid_state(
                    format!(
                        "The mandate {id} does not belong to the PaymentMethod {}.",
                        method["id"].as_str().unwrap_or_default()
                    ),
                    Some("mandate"),
                )
            })?,
        None => mandates.into_iter().next().ok_or_else(|| {
            StripeError::invalid_state(
                "This PaymentMethod has no mandate; pass `mandate` or `mandate_data`.".to_owned(),
                Some("mandate"),
            )
        })?,
    };
    if found["status"] != "active" {
        return Err(StripeError::invalid_state(
            format!(
                "The mandate {} is not active and cannot be used.",
                found["id"].as_str().unwrap_or_default()
            ),
            Some("mandate"),
        ));
    }
    Ok(found)
}

/// A detached bank account's mandates become `inactive` (`mandate.updated`), as at Stripe.
pub async fn deactivate_mandates(state: &AppState, method: &str) -> Result<(), StripeError> {
    let mandates = state
        .store
        .find_by_kind("mandate", i64::MIN, i64::MAX, 10_000)
        .await?;
    for mut mandate in mandates
        .into_iter()
        .filter(|m| m["payment_method"] == method && m["status"] == "active")
    {
        mandate["status"] = json!("inactive");
        state.store.update(&mandate).await?;
        webhooks::emit(state, "mandate.updated", &mandate).await?;
    }
    Ok(())
}

/// The `payment_method_details` of a debit of `method` under `mandate`.
pub fn details(method: &Value, mandate: &Value) -> Value {
    let mut bank = method["acss_debit"].clone();
    bank["mandate"] = mandate["id"].clone();
    json!({"type": "acss_debit", "acss_debit": bank})
}

/// Stripe's 16-character fingerprint: the same account gives the same one.
fn fingerprint(number: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(number.as_bytes()))[..16].to_owned()
}
