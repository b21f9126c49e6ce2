//! Paying by Stripe Checkout: what a customer may pay (an invoice, the whole balance), how (card,
//! Klarna), and the Checkout Session asked of Stripe for it. The rules are plain functions; `open`
//! makes (or finds again) the session.

use serde::{Deserialize, Serialize};
use shared::erpnext::{Customer, InvoiceStatus, SalesInvoice};

use crate::money::Cents;
use crate::stripe::Form;

/// A second click within this window gets the same open session.
pub const REUSE_WINDOW_MS: i64 = 30 * 60 * 1000;

/// How the customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// A card.
    #[default]
    Card,
    /// Klarna (one invoice, individuals, within limits).
    Klarna,
    /// A Canadian bank account under a pre-authorised debit mandate (auto-pay only, never asked
    /// for by a payment); `business` for a company's account.
    #[serde(skip)]
    AcssDebit {
        /// The mandate's `transaction_type` is `business`, else `personal`.
        business: bool,
    },
}

impl Method {
    /// The word stored and sent to Stripe.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Card => "card",
            Self::Klarna => "klarna",
            Self::AcssDebit { .. } => "acss_debit",
        }
    }
}

/// What a checkout pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One invoice.
    Invoice,
    /// Every unpaid invoice.
    Balance,
    /// Saving a card (nothing paid).
    Setup,
}

impl Kind {
    /// The word stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::Balance => "balance",
            Self::Setup => "setup",
        }
    }
}

/// A payment to ask Stripe for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The ERPNext Customer.
    pub customer: String,
    /// One invoice or the balance.
    pub kind: Kind,
    /// Card or Klarna.
    pub method: Method,
    /// Each invoice and what is paid of it: its whole outstanding amount.
    pub invoices: Vec<(String, Cents)>,
    /// The sum.
    pub amount: Cents,
}

impl Plan {
    /// The invoices as stored (`[["ACC-SINV-…", 5749]]`).
    pub fn invoices_json(&self) -> String {
        let pairs: Vec<(&str, i64)> = self
            .invoices
            .iter()
            .map(|(name, cents)| (name.as_str(), cents.get()))
            .collect();
        serde_json::to_string(&pairs).unwrap_or_default()
    }
}

/// Why a payment is not offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Nothing is left to pay.
    #[error("nothing is outstanding")]
    NothingOutstanding,
    /// The invoice is cancelled, or not in Canadian dollars.
    #[error("this invoice cannot be paid online")]
    NotPayable,
    /// Klarna is not offered for this payment.
    #[error("Klarna is not offered for this payment")]
    KlarnaRefused,
}

/// Klarna's limits, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KlarnaLimits {
    /// Smallest amount.
    pub min: i64,
    /// Largest amount.
    pub max: i64,
}

/// Paying `invoice`'s outstanding amount by `method`.
pub fn for_invoice(
    customer: &Customer,
    invoice: &SalesInvoice,
    method: Method,
    klarna: KlarnaLimits,
) -> Result<Plan, Refusal> {
    if invoice.status == InvoiceStatus::Cancelled || invoice.docstatus != 1 || !is_cad(invoice) {
        return Err(Refusal::NotPayable);
    }
    let amount = Cents::new(invoice.outstanding_amount).map_err(|_| Refusal::NotPayable)?;
    if amount.get() == 0 {
        return Err(Refusal::NothingOutstanding);
    }
    if method == Method::Klarna {
        let individual = customer.customer_type.as_deref() == Some("Individual");
        if !individual || !(klarna.min..=klarna.max).contains(&amount.get()) {
            return Err(Refusal::KlarnaRefused);
        }
    }
    Ok(Plan {
        customer: customer.name.clone(),
        kind: Kind::Invoice,
        method,
        invoices: vec![(invoice.name.clone(), amount)],
        amount,
    })
}

/// Paying every one of `unpaid` (in Canadian dollars) by card.
pub fn for_balance(customer: &str, unpaid: &[SalesInvoice]) -> Result<Plan, Refusal> {
    let invoices: Vec<(String, Cents)> = unpaid
        .iter()
        .filter(|i| i.docstatus == 1 && is_cad(i))
        .filter_map(|i| Some((i.name.clone(), Cents::new(i.outstanding_amount).ok()?)))
        .filter(|(_, c)| c.get() > 0)
        .collect();
    let total: i64 = invoices.iter().map(|(_, c)| c.get()).sum();
    let amount = Cents::new(total).map_err(|_| Refusal::NotPayable)?;
    if amount.get() == 0 {
        return Err(Refusal::NothingOutstanding);
    }
    Ok(Plan {
        customer: customer.to_owned(),
        kind: Kind::Balance,
        method: Method::Card,
        invoices,
        amount,
    })
}

fn is_cad(invoice: &SalesInvoice) -> bool {
    invoice
        .currency
        .as_deref()
        .is_none_or(|c| c.eq_ignore_ascii_case("CAD"))
}

/// Saving a card for `customer`.
pub fn for_setup(customer: &str) -> Plan {
    Plan {
        customer: customer.to_owned(),
        kind: Kind::Setup,
        method: Method::Card,
        invoices: Vec::new(),
        amount: Cents::default(),
    }
}

/// Saving `customer`'s bank account under a pre-authorised debit mandate: `business` for an
/// ERPNext `Company`, `personal` otherwise.
pub fn for_bank_mandate(customer: &Customer) -> Plan {
    let business = customer.customer_type.as_deref() == Some("Company");
    Plan {
        method: Method::AcssDebit { business },
        ..for_setup(&customer.name)
    }
}

/// The mandate's `interval_description` in the customer's language.
fn interval_description(french: bool) -> &'static str {
    if french {
        "Mensuellement, à l’échéance de chaque facture Gigafibre"
    } else {
        "Monthly, on the due date of each Gigafibre invoice"
    }
}

/// The bank-debit part of a setup session: PAD mandate terms for auto-pay.
fn bank_mandate(form: Form, business: bool, french: bool) -> Form {
    const AT: &str = "payment_method_options[acss_debit]";
    form.set(format!("{AT}[currency]"), "cad")
        .set(
            format!("{AT}[mandate_options][payment_schedule]"),
            "interval",
        )
        .set(
            format!("{AT}[mandate_options][interval_description]"),
            interval_description(french),
        )
        .set(
            format!("{AT}[mandate_options][transaction_type]"),
            if business { "business" } else { "personal" },
        )
        .set(format!("{AT}[verification_method]"), "automatic")
}

/// Checkout's language for a customer's `language` (`fr-CA` unless they chose English).
pub fn locale(language: Option<&str>) -> &'static str {
    match language {
        Some(l) if l.starts_with("en") => "en",
        _ => "fr-CA",
    }
}

/// The Checkout Session of `plan`, our checkout `id`, for Stripe customer `stripe_customer`; Stripe
/// sends the customer back to `public_url`'s return page.
pub fn session_form(
    plan: &Plan,
    id: &str,
    stripe_customer: &str,
    locale: &str,
    public_url: &str,
) -> Form {
    let french = locale.starts_with("fr");
    let back = |status: &str| {
        format!("{public_url}/payments/return?status={status}&session_id={{CHECKOUT_SESSION_ID}}")
    };
    let form = Form::new()
        .set("customer", stripe_customer)
        .set("client_reference_id", id)
        .set("locale", locale)
        .set("cancel_url", back("cancel"))
        .set("payment_method_types[]", plan.method.as_str())
        .metadata("checkout", id)
        .metadata("customer", &plan.customer);
    if let (Kind::Setup, Method::AcssDebit { business }) = (plan.kind, plan.method) {
        let form = form
            .set("mode", "setup")
            .set("success_url", back("card-added"));
        return bank_mandate(form, business, french);
    }
    if plan.kind == Kind::Setup {
        return form
            .set("mode", "setup")
            .set("currency", "cad")
            .set("success_url", back("card-added"));
    }
    let mut form = form
        .set("mode", "payment")
        .set("success_url", back("success"))
        .set("payment_intent_data[metadata][checkout]", id)
        .set("payment_intent_data[metadata][customer]", &plan.customer);
    for (n, (invoice, cents)) in plan.invoices.iter().enumerate() {
        let line = |field: &str| format!("line_items[{n}]{field}");
        let label = if french { "Facture" } else { "Invoice" };
        form = form
            .set(line("[price_data][currency]"), "cad")
            .set(line("[price_data][unit_amount]"), cents.get())
            .set(
                line("[price_data][product_data][name]"),
                format!("{label} {invoice}"),
            )
            .set(line("[quantity]"), 1);
    }
    form
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn invoice(name: &str, outstanding: i64, status: InvoiceStatus) -> SalesInvoice {
        serde_json::from_value(serde_json::json!({
            "name": name, "customer": "CUST-1", "posting_date": "2026-12-01",
            "currency": "CAD", "grand_total": 114.98, "outstanding_amount": outstanding as f64 / 100.0,
            "status": match status { InvoiceStatus::Cancelled => "Cancelled", InvoiceStatus::Paid => "Paid", _ => "Unpaid" },
            "docstatus": if status == InvoiceStatus::Cancelled { 2 } else { 1 },
        }))
        .unwrap()
    }

    fn customer(kind: &str) -> Customer {
        serde_json::from_value(serde_json::json!({
            "name": "CUST-1", "customer_name": "Marie Tremblay", "customer_type": kind,
        }))
        .unwrap()
    }

    const LIMITS: KlarnaLimits = KlarnaLimits {
        min: 3_500,
        max: 100_000,
    };

    #[test]
    fn an_invoice_is_paid_for_its_outstanding_amount() {
        let plan = for_invoice(
            &customer("Individual"),
            &invoice("SINV-1", 11_498, InvoiceStatus::Unpaid),
            Method::Card,
            LIMITS,
        )
        .unwrap();
        assert_eq!(plan.amount.get(), 11_498);
        assert_eq!(plan.invoices_json(), r#"[["SINV-1",11498]]"#);
    }

    /// Bad input tried: a paid invoice, a cancelled one, Klarna for a company, Klarna under and over
    /// its limits.
    #[test]
    fn what_cannot_be_paid_is_refused() {
        let person = customer("Individual");
        let pay = |c: &Customer, i: SalesInvoice, m| for_invoice(c, &i, m, LIMITS);
        assert_eq!(
            pay(&person, invoice("A", 0, InvoiceStatus::Paid), Method::Card),
            Err(Refusal::NothingOutstanding)
        );
        assert_eq!(
            pay(
                &person,
                invoice("B", 500, InvoiceStatus::Cancelled),
                Method::Card
            ),
            Err(Refusal::NotPayable)
        );
        for (who, cents) in [
            ("Company", 11_498),
            ("Individual", 3_499),
            ("Individual", 100_001),
        ] {
            assert_eq!(
                pay(
                    &customer(who),
                    invoice("C", cents, InvoiceStatus::Unpaid),
                    Method::Klarna
                ),
                Err(Refusal::KlarnaRefused),
                "{who} {cents}"
            );
        }
        assert!(for_balance("CUST-1", &[invoice("D", 0, InvoiceStatus::Paid)]).is_err());
    }

    /// Odd customers tried: no `customer_type`, a type ERPNext does not have, an unknown language.
    #[test]
    fn a_bank_mandate_is_business_for_a_company_and_personal_otherwise() {
        let form = |who: &Customer, locale| {
            session_form(
                &for_bank_mandate(who),
                "chk-1",
                "cus_1",
                locale,
                "https://hub",
            )
            .encode()
        };
        let company = form(&customer("Company"), "fr-CA");
        assert!(company.contains("%5Btransaction_type%5D=business"));
        assert!(company.contains("%5Bpayment_schedule%5D=interval"));
        assert!(company.contains("payment_method_types%5B%5D=acss_debit"));
        assert!(company.contains("Mensuellement"));
        for kind in ["Individual", "", "Partnership"] {
            assert!(form(&customer(kind), "en").contains("%5Btransaction_type%5D=personal"));
        }
        assert!(form(&customer("Individual"), "en").contains("Monthly"));
        assert!(!company.contains("line_items"));
    }

    #[test]
    fn the_balance_pays_each_unpaid_invoice_in_full() {
        let plan = for_balance(
            "CUST-1",
            &[
                invoice("A", 5_749, InvoiceStatus::Unpaid),
                invoice("B", 11_498, InvoiceStatus::Unpaid),
            ],
        )
        .unwrap();
        assert_eq!(plan.amount.get(), 17_247);
        let form = session_form(&plan, "chk-1", "cus_1", "fr-CA", "https://hub").encode();
        assert!(form.contains("line_items%5B1%5D%5Bprice_data%5D%5Bunit_amount%5D=11498"));
        assert!(form.contains("payment_intent_data%5Bmetadata%5D%5Bcheckout%5D=chk-1"));
        assert!(form.contains("Facture+A"));
        assert!(form.contains("session_id%3D%7BCHECKOUT_SESSION_ID%7D"));
    }
}
