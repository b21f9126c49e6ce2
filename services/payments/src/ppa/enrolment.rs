//! Enrolling in auto-pay: by one of the customer's saved cards (the route checks it is theirs at
//! Stripe first, `Ctx::own_card`), or leaving. Bank debit (`acss_debit` mandates) is not offered yet.

use serde::Serialize;
use utoipa::ToSchema;

use super::Runner;
use crate::error::ApiError;
use crate::store::ppa_enrolment;

/// What the customer asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Auto-pay by this saved card (`pm_…`).
    Card(String),
    /// No more auto-pay.
    Leave,
}

/// The customer's enrolment, as the portal shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EnrolmentView {
    /// Whether auto-pay charges them.
    pub enrolled: bool,
    /// `card` (`acss_debit` later).
    pub method: Option<String>,
    /// The saved card charged.
    pub payment_method: Option<String>,
    /// `active` or `cancelled`; none when never enrolled.
    pub status: Option<String>,
}

impl From<Option<ppa_enrolment::Model>> for EnrolmentView {
    fn from(row: Option<ppa_enrolment::Model>) -> Self {
        match row {
            Some(row) => Self {
                enrolled: row.status == "active",
                method: Some(row.method),
                payment_method: row.payment_method,
                status: Some(row.status),
            },
            None => Self {
                enrolled: false,
                method: None,
                payment_method: None,
                status: None,
            },
        }
    }
}

impl Runner {
    /// `customer`'s enrolment.
    pub async fn enrolment(&self, customer: &str) -> Result<EnrolmentView, ApiError> {
        Ok(self.store.ppa_enrolment(customer).await?.into())
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
