//! `acceptance`: the audit record of a customer's consent, written once per quotation.

use sea_orm::entity::prelude::*;

/// Who accepted a quote, when, from where, and the evidence.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "acceptance")]
pub struct Model {
    /// The ERPNext Quotation.
    #[sea_orm(primary_key, auto_increment = false)]
    pub quotation: String,
    /// `signature` (DocuSeal) or `click` (the portal).
    pub method: String,
    /// The name signed, or the customer's name for a click.
    pub signer_name: String,
    /// The signer's email address, when known.
    pub signer_email: Option<String>,
    /// When (Unix ms).
    pub signed_at: i64,
    /// The signer's address, as DocuSeal or our proxy saw it.
    pub ip: Option<String>,
    /// The signer's browser.
    #[sea_orm(column_type = "Text", nullable)]
    pub user_agent: Option<String>,
    /// DocuSeal's audit log (PDF).
    #[sea_orm(column_type = "Text", nullable)]
    pub audit_log_url: Option<String>,
    /// The signed document (PDF) at DocuSeal.
    #[sea_orm(column_type = "Text", nullable)]
    pub document_url: Option<String>,
    /// DocuSeal's submission.
    pub envelope_id: Option<String>,
}

/// The record relates to nothing enforced.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
