//! `quote_history`: everything that happened to a quote, in order, including what changed nothing
//! (a late `form.viewed`, a repeated sending).

use sea_orm::entity::prelude::*;

/// One thing that happened.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "quote_history")]
pub struct Model {
    /// Order of arrival.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The ERPNext Quotation.
    pub quotation: String,
    /// The status after it.
    pub status: String,
    /// When (Unix ms).
    pub at: i64,
    /// What happened, in a few words (`form.viewed`, `sent by jdoe`, `declined: too expensive`).
    #[sea_orm(column_type = "Text")]
    pub detail: String,
}

/// The history relates to nothing enforced.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
