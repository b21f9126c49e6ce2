//! Enrolling in auto-pay: by one of the customer's saved cards (the route checks it is theirs at
//! Stripe first, `Ctx::own_card`), by a bank account under a pre-authorised debit mandate (the
//! route opens Stripe's page; the processor records the enrolment when the SetupIntent succeeded,
//! `crate::bank_debit`), or leaving.

use serde::Serialize;
use utoipa::ToSchema;

use super::Runner;
use crate::error::ApiError;
use crate::store::ppa_enrolment;
use crate::stripe::{Form, PaymentMethod};

/// What the customer asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Auto-pay by this saved card (`pm_…`).
    Card(String),
    /// Auto-pay by bank debit: a setup session for the mandate is opened.
    Bank,
    /// No more auto-pay.
    Leave,
}

/// The customer's enrolment, as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EnrolmentView {
    /// Whether auto-pay charges them.
    pub enrolled: bool,
    /// `card` or `acss_debit`.
    pub method: Option<String>,
    /// The saved card or bank account charged.
    pub payment_method: Option<String>,
    /// `active`, `cancelled`, or `inactive` (the bank mandate was revoked); none when never enrolled.
    pub status: Option<String>,
    /// The bank debit's `mandate_…`.
    pub mandate: Option<String>,
    /// The last four digits of the card or bank account, as Stripe shows them (none when Stripe
    /// does not answer).
    pub last4: Option<String>,
}

impl From<Option<ppa_enrolment::Model>> for EnrolmentView {
    fn from(row: Option<ppa_enrolment::Model>) -> Self {
        match row {
            Some(row) => Self {
                enrolled: row.status == "active",
                method: Some(row.method),
                payment_method: row.payment_method,
                status: Some(row.status),
                mandate: row.mandate,
                last4: None,
            },
            None => Self {
                enrolled: false,
                method: None,
                payment_method: None,
                status: None,
                mandate: None,
                last4: None,
            },
        }
    }
}

impl Runner {
    /// `customer`'s enrolment.
    pub async fn enrolment(&self, customer: &str) -> Result<EnrolmentView, ApiError> {
        let mut view: EnrolmentView = self.store.ppa_enrolment(customer).await?.into();
        if let Some(id) = &view.payment_method {
            view.last4 = self.last4(id).await;
        }
        Ok(view)
    }

    /// The last four digits of saved card or bank account `id`, read at Stripe.
    async fn last4(&self, id: &str) -> Option<String> {
        let stripe = self.stripe.as_ref()?;
        let path = format!("/v1/payment_methods/{id}");
        let method: PaymentMethod = stripe
            .get(&path, &Form::new())
            .await
            .inspect_err(|e| tracing::warn!(error = %e, "a saved method's last4 is not known"))
            .ok()?;
        method
            .card
            .map(|c| c.last4)
            .or(method.acss_debit.map(|b| b.last4))
    }

    /// Enrols `customer` by `choice` (a card already found to be theirs).
    pub async fn enrol(&self, customer: &str, choice: Choice) -> Result<EnrolmentView, ApiError> {
        let before = self.store.ppa_enrolment(customer).await?;
        let row = match choice {
            Choice::Card(card) => ppa_enrolment::Model {
                customer: customer.to_owned(),
                method: "card".to_owned(),
                payment_method: Some(card),
                mandate: None,
                status: "active".to_owned(),
                updated_at: super::now_ms(),
            },
            Choice::Bank => return Err(ApiError::BadQuery("bank debit enrols through its page")),
            Choice::Leave => match before {
                Some(row) => ppa_enrolment::Model {
                    status: "cancelled".to_owned(),
                    updated_at: super::now_ms(),
                    ..row
                },
                None => return Ok(EnrolmentView::from(None)),
            },
        };
        self.store.set_ppa_enrolment(row.clone()).await?;
        tracing::info!(customer, method = %row.method, status = %row.status, "auto-pay enrolment");
        Ok(Some(row).into())
    }
}
