//! The customer's saved cards: listed from Stripe, made the default or removed (only the customer's
//! own: another's is a 404 like a missing one), saved through a setup-mode Checkout Session, and
//! managed in Stripe's Billing Portal.

use serde::Serialize;
use utoipa::ToSchema;

use crate::checkout;
use crate::error::ApiError;
use crate::pay::Ctx;
use crate::stripe::{CallError, Customer, Form, List, PaymentMethod, PortalSession};

/// A saved card, as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SavedCard {
    /// `pm_…`.
    pub id: String,
    /// `visa`, `mastercard`, …
    pub brand: String,
    /// The last four digits.
    pub last4: String,
    /// 1-12.
    pub exp_month: u32,
    /// Four digits.
    pub exp_year: u32,
    /// Whether auto-pay and Stripe charge it by default.
    pub default: bool,
}

/// The customer's saved cards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SavedCards {
    /// Newest first.
    pub methods: Vec<SavedCard>,
}

impl Ctx {
    /// `customer`'s cards (none before their first payment or saved card).
    pub async fn cards(&self, customer: &str) -> Result<SavedCards, ApiError> {
        let stripe = self.stripe()?;
        let Some(stripe_id) = self.store.stripe_customer(customer).await? else {
            return Ok(SavedCards {
                methods: Vec::new(),
            });
        };
        let who: Customer = stripe
            .get(&format!("/v1/customers/{stripe_id}"), &Form::new())
            .await?;
        let query = Form::new()
            .set("customer", &stripe_id)
            .set("type", "card")
            .set("limit", 100);
        let list: List<PaymentMethod> = stripe.get("/v1/payment_methods", &query).await?;
        let default = who.invoice_settings.default_payment_method;
        let methods = list
            .data
            .into_iter()
            .filter_map(|pm| {
                let card = pm.card?;
                Some(SavedCard {
                    default: default.as_deref() == Some(pm.id.as_str()),
                    id: pm.id,
                    brand: card.brand,
                    last4: card.last4,
                    exp_month: card.exp_month,
                    exp_year: card.exp_year,
                })
            })
            .collect();
        Ok(SavedCards { methods })
    }

    /// Makes card `id` `customer`'s default.
    pub async fn make_default(&self, customer: &str, id: &str) -> Result<(), ApiError> {
        let stripe_id = self.own_card(customer, id).await?;
        let form = Form::new().set("invoice_settings[default_payment_method]", id);
        // Setting a default is the same call whenever it is made: a fresh key each time, so that
        // default A, then B, then A again is not answered from the first call's replay.
        let key = format!("default:{stripe_id}:{}", uuid::Uuid::now_v7());
        let _: Customer = self
            .stripe()?
            .post(&format!("/v1/customers/{stripe_id}"), &form, &key)
            .await?;
        Ok(())
    }

    /// Removes card `id` from `customer`'s cards.
    pub async fn remove_card(&self, customer: &str, id: &str) -> Result<(), ApiError> {
        self.own_card(customer, id).await?;
        let _: PaymentMethod = self
            .stripe()?
            .post(
                &format!("/v1/payment_methods/{id}/detach"),
                &Form::new(),
                &format!("detach:{id}"),
            )
            .await?;
        Ok(())
    }

    /// A setup-mode Checkout Session saving a card for `customer`; its URL.
    pub async fn save_card(&self, customer: &str) -> Result<String, ApiError> {
        let who = self.customer(customer).await?;
        self.open(&who, &checkout::for_setup(customer)).await
    }

    /// A setup-mode Checkout Session for `customer`'s bank account under a pre-authorised debit
    /// mandate (auto-pay); its URL.
    pub async fn bank_mandate(&self, customer: &str) -> Result<String, ApiError> {
        let who = self.customer(customer).await?;
        self.open(&who, &checkout::for_bank_mandate(&who)).await
    }

    /// A Billing Portal session for `customer`, back to the portal's cards page; its URL.
    pub async fn billing_portal(&self, customer: &str) -> Result<String, ApiError> {
        let stripe = self.stripe()?;
        let who = self.customer(customer).await?;
        let stripe_id = self.stripe_customer(stripe, &who).await?;
        let form = Form::new()
            .set("customer", &stripe_id)
            .set("return_url", format!("{}/#/compte", self.portal_url))
            .set("locale", checkout::locale(who.language.as_deref()));
        let key = format!("portal:{stripe_id}:{}", uuid::Uuid::now_v7());
        let session: PortalSession = stripe
            .post("/v1/billing_portal/sessions", &form, &key)
            .await?;
        Ok(session.url)
    }

    /// `customer`'s Stripe id when card `id` is theirs; 404 otherwise.
    pub(crate) async fn own_card(&self, customer: &str, id: &str) -> Result<String, ApiError> {
        if !is_card_id(id) {
            return Err(ApiError::NotFound);
        }
        let stripe_id = self
            .store
            .stripe_customer(customer)
            .await?
            .ok_or(ApiError::NotFound)?;
        let card: PaymentMethod = match self
            .stripe()?
            .get(&format!("/v1/payment_methods/{id}"), &Form::new())
            .await
        {
            Err(CallError::Api(e)) if e.status == 404 => return Err(ApiError::NotFound),
            other => other?,
        };
        match card.customer.as_deref() == Some(stripe_id.as_str()) {
            true => Ok(stripe_id),
            false => Err(ApiError::NotFound),
        }
    }
}

fn is_card_id(id: &str) -> bool {
    id.starts_with("pm_")
        && id.len() <= 255
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}
