//! ERPNext DTOs and the Frappe REST client.
//!
//! ERPNext (Frappe) stays the system of record for customers, invoices, quotations, suppliers'
//! invoices, equipment, technicians, issues and dispatch jobs; services read and write
//! it through [`FrappeClient`] only, against the documented v1 REST API
//! (`/api/resource/{doctype}`, `/api/method/{path}`). Tests and `make run` point the
//! client at the `erp-sandbox` crate, which speaks the same wire format.

mod accounts;
mod buying;
mod client;
mod dispatch;
mod dto;
mod equipment;
mod error;
mod file;
mod filter;
mod selling;
mod subscription;

pub use accounts::{
    InvoiceStatus, PaymentEntry, PaymentEntryDeduction, PaymentEntryReference, SalesInvoice,
    SalesInvoiceItem, SalesTaxesAndCharges,
};
pub use buying::{PurchaseInvoice, PurchaseInvoiceItem, PurchaseTaxesAndCharges, Supplier};
pub use client::FrappeClient;
pub use dispatch::{
    DispatchJob, DispatchJobStatus, Issue, IssuePriority, IssueStatus, SkillFamily, Technician,
    TechnicianBreak, TechnicianSkill, TechnicianStatus, frappe_datetime_text,
    parse_frappe_datetime, parse_frappe_time,
};
pub use dto::Customer;
pub use equipment::{Equipment, EquipmentStatus, EquipmentType, ServiceLocation};
pub use error::{ErpError, server_messages};
pub use file::File;
pub use filter::{ListQuery, Op};
pub use selling::{
    BillingFrequency, Item, Quotation, QuotationItem, QuotationStatus, SalesOrder, SalesOrderItem,
};
pub use subscription::{Subscription, SubscriptionPlan, SubscriptionPlanDetail};
