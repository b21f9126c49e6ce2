//! `stripe_customer`: our ERPNext Customer's Stripe Customer (`cus_…`), made on first need.

use sea_orm::entity::prelude::*;

/// One customer known to Stripe.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stripe_customer")]
pub struct Model {
    /// The ERPNext Customer.
    #[sea_orm(primary_key, auto_increment = false)]
    pub customer: String,
    /// `cus_…`.
    pub stripe_id: String,
}

/// The link relates to nothing.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
