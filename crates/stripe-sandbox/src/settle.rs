//! Bank debits settle later: the worker that takes each `processing` acss_debit PaymentIntent
//! whose delay has passed and pays it (a charge with Stripe's PAD fee, `payment_intent.succeeded`)
//! or fails it as the bank returned it (`payment_intent.payment_failed`, the failure code).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::AppState;
use crate::bank::{self, Debit};
use crate::charges::{self, PaidWith};
use crate::error::StripeError;
use crate::objects::find;
use crate::webhooks;

/// The settling loop of one sandbox.
pub struct Settler {
    state: Arc<AppState>,
    poll: Duration,
}

impl Settler {
    pub fn new(state: Arc<AppState>, poll: Duration) -> Self {
        Self { state, poll }
    }

    /// Settles what is due, forever.
    pub async fn run(self) {
        loop {
            if let Err(e) = settle_due(&self.state).await {
                tracing::error!(error = %e.message, "settling bank debits");
            }
            tokio::time::sleep(self.poll).await;
        }
    }
}

/// When a debit made now settles: the sandbox's delay, three minutes more for a "late" account.
pub fn settle_at_ms(state: &AppState, late: bool) -> i64 {
    let extra = if late { 180_000 } else { 0 };
    let delay = i64::try_from(state.debit_delay.as_millis()).unwrap_or(i64::MAX);
    chrono::Utc::now()
        .timestamp_millis()
        .saturating_add(delay)
        .saturating_add(extra)
}

async fn settle_due(state: &AppState) -> Result<(), StripeError> {
    let _write = state.write_lock.lock().await;
    let now = chrono::Utc::now().timestamp_millis();
    let intents = state
        .store
        .find_by_kind("payment_intent", i64::MIN, i64::MAX, 1_000_000)
        .await?;
    for intent in intents.into_iter().filter(|i| {
        i["status"] == "processing" && i["settle_at_ms"].as_i64().is_some_and(|at| at <= now)
    }) {
        settle(state, intent).await?;
    }
    Ok(())
}

async fn settle(state: &AppState, mut intent: Value) -> Result<(), StripeError> {
    let method_id = intent["payment_method"].as_str().unwrap_or_default();
    let method = find(state, "payment_method", "PaymentMethod", method_id, "id").await?;
    let mandate_id = intent["debit_mandate"].as_str().unwrap_or_default();
    let mandate = find(state, "mandate", "mandate", mandate_id, "mandate").await?;
    let paid = PaidWith {
        payment_method: method["id"].clone(),
        details: bank::details(&method, &mandate),
        available_now: false,
    };
    if let Some(map) = intent.as_object_mut() {
        map.remove("settle_at_ms");
    }
    let account = bank::by_number(method["test_account"].as_str().unwrap_or_default());
    match account.map_or(Debit::Succeeds, |a| a.debit) {
        Debit::Succeeds => charges::capture(state, &mut intent, &paid).await,
        Debit::Fails { code, message } => {
            let charge = charges::decline(state, &intent, &paid, code, message).await?;
            intent["latest_charge"] = charge;
            intent["status"] = json!("requires_payment_method");
            intent["last_payment_error"] = json!({
                "type": "invalid_request_error",
                "code": code,
                "message": message,
                "payment_method": crate::objects::public(method),
            });
            state.store.update(&intent).await?;
            webhooks::emit(state, "payment_intent.payment_failed", &intent).await
        }
    }
}
