//! `quote`: one row per quotation sent to a customer, with where it stands.

use sea_orm::entity::prelude::*;

/// A quotation sent to sign or to accept.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quote")]
pub struct Model {
    /// The ERPNext Quotation (`SAL-QTN-2026-00001`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub quotation: String,
    /// The ERPNext Customer it is for.
    pub customer: String,
    /// `signature` (DocuSeal) or `click` (accepted in the portal).
    pub quote_type: String,
    /// DocuSeal's submission id; none for a click quote.
    pub envelope_id: Option<String>,
    /// Where the customer signs (DocuSeal) or accepts (the portal).
    pub signing_url: Option<String>,
    /// `fr` or `en`: the customer's language when it was sent.
    pub lang: String,
    /// [`crate::status::Status`] (`draft` while being sent for the first time).
    pub status: String,
    /// The Quotation's `valid_till` (`2027-01-06`).
    pub valid_till: String,
    /// The Sales Order made from it, once accepted.
    pub sales_order: Option<String>,
    /// Who works on it (sending, or accepting in ERPNext) holds it until then (Unix ms).
    pub claimed_until: i64,
    /// Failed attempts at accepting it in ERPNext.
    pub attempts: i32,
    /// Not to be tried again before (Unix ms).
    pub next_try_at: i64,
    /// The last failure.
    #[sea_orm(column_type = "Text", nullable)]
    pub last_error: Option<String>,
    /// When it was first sent (Unix ms).
    pub created_at: i64,
    /// When it last changed (Unix ms).
    pub updated_at: i64,
}

/// A quote relates to nothing in this database.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
