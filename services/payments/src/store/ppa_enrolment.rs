//! `ppa_enrolment`: a customer's pre-authorised auto-pay, by card (a saved `pm_…`) or, later, bank
//! debit (an `acss_debit` mandate).

use sea_orm::entity::prelude::*;

/// One customer's enrolment.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ppa_enrolment")]
pub struct Model {
    /// The ERPNext Customer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer: String,
    /// `card` or `acss_debit`.
    pub method: String,
    /// The saved `pm_…` charged.
    pub payment_method: Option<String>,
    /// The bank debit's mandate (`mandate_…`), none for a card.
    pub mandate: Option<String>,
    /// `active`, or `cancelled` once the customer left.
    pub status: String,
    /// Last change (Unix ms).
    pub updated_at: i64,
}

/// The enrolment relates to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
