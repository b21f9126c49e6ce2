//! ERPNext DTOs and the Frappe REST client.
//!
//! ERPNext (Frappe) stays the system of record for customers, invoices and quotations; services read and write
//! it through [`FrappeClient`] only, against the documented v1 REST API
//! (`/api/resource/{doctype}`, `/api/method/{path}`). Tests and `make run` point the
//! client at the `erp-sandbox` crate, which speaks the same wire format.

mod accounts;
mod client;
mod dto;
mod error;
mod file;
mod filter;
mod selling;
mod subscription;

pub use accounts::{
    InvoiceStatus, PaymentEntry, PaymentEntryDeduction, PaymentEntryReference, SalesInvoice,
    SalesInvoiceItem, SalesTaxesAndCharges,
};
pub use client::FrappeClient;
pub use dto::Customer;
pub use error::{ErpError, server_messages};
pub use file::File;
pub use filter::{ListQuery, Op};
pub use selling::{
    BillingFrequency, Item, Quotation, QuotationItem, QuotationStatus, SalesOrder, SalesOrderItem,
};
pub use subscription::{Subscription, SubscriptionPlan, SubscriptionPlanDetail};
