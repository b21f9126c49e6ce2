//! The Stripe objects the service reads, with the fields it uses (Stripe adds fields freely; the rest
//! is ignored).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

/// `customer`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Customer {
    /// `cus_…`.
    pub id: String,
    /// Its default card, among other settings.
    #[serde(default)]
    pub invoice_settings: InvoiceSettings,
}

/// `customer.invoice_settings`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct InvoiceSettings {
    /// `pm_…` charged by default.
    #[serde(default)]
    pub default_payment_method: Option<String>,
}

/// A page of a list (`{"object":"list","data":[…],"has_more"}`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct List<T> {
    /// The objects.
    pub data: Vec<T>,
    /// Whether more follow the last one.
    #[serde(default)]
    pub has_more: bool,
}

/// `payment_method` of type `card`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentMethod {
    /// `pm_…`.
    pub id: String,
    /// The Stripe customer it is attached to.
    #[serde(default)]
    pub customer: Option<String>,
    /// The card, when it is one.
    #[serde(default)]
    pub card: Option<Card>,
    /// `card`, `acss_debit`, …
    #[serde(rename = "type", default)]
    pub kind: String,
    /// A Canadian bank account's details (`type: acss_debit`).
    #[serde(default)]
    pub acss_debit: Option<BankAccount>,
}

/// `payment_method.acss_debit`: what Stripe shows of a Canadian bank account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct BankAccount {
    /// The account number's last four digits.
    pub last4: String,
    /// The bank's name.
    #[serde(default)]
    pub bank_name: Option<String>,
}

/// `setup_intent`: what a setup session saved.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SetupIntent {
    /// `seti_…`.
    pub id: String,
    /// `succeeded` once saved.
    pub status: String,
    /// `cus_…`.
    #[serde(default)]
    pub customer: Option<String>,
    /// The PaymentMethod saved, expanded when asked (`expand[]=payment_method`).
    #[serde(default)]
    pub payment_method: Option<Value>,
    /// `mandate_…` of a bank debit.
    #[serde(default)]
    pub mandate: Option<String>,
}

/// `mandate`: the customer's authorisation to debit a bank account.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Mandate {
    /// `mandate_…`.
    pub id: String,
    /// `active`, `inactive` or `pending`.
    pub status: String,
    /// `pm_…`.
    pub payment_method: String,
}

/// `payment_method.card`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Card {
    /// `visa`, `mastercard`, …
    pub brand: String,
    /// The last four digits.
    pub last4: String,
    /// 1-12.
    pub exp_month: u32,
    /// Four digits.
    pub exp_year: u32,
}

/// `billing_portal.session`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PortalSession {
    /// `bps_…`.
    pub id: String,
    /// The page.
    pub url: String,
}

/// `checkout.session`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Session {
    /// `cs_…`.
    pub id: String,
    /// The hosted page (none once complete or expired).
    #[serde(default)]
    pub url: Option<String>,
    /// `open`, `complete`, `expired`.
    pub status: String,
    /// `paid`, `unpaid`, `no_payment_required`.
    pub payment_status: String,
    /// `pi_…` once a payment was tried.
    #[serde(default)]
    pub payment_intent: Option<String>,
    /// Our checkout id.
    #[serde(default)]
    pub client_reference_id: Option<String>,
}

/// `payment_intent`, its charge and balance transaction expanded
/// (`expand[]=latest_charge.balance_transaction`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PaymentIntent {
    /// `pi_…`.
    pub id: String,
    /// Asked, in cents.
    pub amount: i64,
    /// Received, in cents.
    #[serde(default)]
    pub amount_received: i64,
    /// `cad`.
    pub currency: String,
    /// `succeeded`, `processing`, `requires_payment_method`, …
    pub status: String,
    /// When Stripe made it (Unix seconds).
    pub created: i64,
    /// What we attached (`checkout`, `customer`).
    #[serde(default)]
    pub metadata: HashMap<String, String>,
    /// The charge: an id, or the object when expanded.
    #[serde(default)]
    pub latest_charge: Option<Value>,
    /// Why the last attempt failed (`{code, decline_code, message}`).
    #[serde(default)]
    pub last_payment_error: Option<Value>,
}

impl PaymentIntent {
    /// The last failure's `decline_code`, else its `code`.
    pub fn failure_code(&self) -> Option<String> {
        let error = self.last_payment_error.as_ref()?;
        ["decline_code", "code"]
            .iter()
            .find_map(|k| error.get(*k)?.as_str().map(str::to_owned))
    }

    /// Stripe's fee on its charge, in cents, when the charge and its balance transaction were expanded
    /// and the transaction exists (it may lag the charge briefly: then `None`).
    pub fn fee(&self) -> Option<i64> {
        self.latest_charge
            .as_ref()?
            .get("balance_transaction")?
            .get("fee")?
            .as_i64()
    }
}

/// `refund`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refund {
    /// `re_…`.
    pub id: String,
    /// `pending`, `succeeded`, `failed`, `canceled`, `requires_action`.
    pub status: String,
    /// How much, in cents.
    #[serde(default)]
    pub amount: i64,
    /// When (Unix seconds).
    #[serde(default)]
    pub created: i64,
    /// `requested_by_customer`, `duplicate`, `fraudulent`.
    #[serde(default)]
    pub reason: Option<String>,
    /// Ours carry `refund` (our id).
    #[serde(default)]
    pub metadata: HashMap<String, String>,
}
