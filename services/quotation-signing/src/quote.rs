//! A quotation as customers read it: its lines split into Recurring and One-time by their billing
//! frequency, its taxes (TPS, TVQ) and totals, in cents. Built from ERPNext's Quotation; what the
//! portal lists, the printable page prints and the DocuSeal template is prefilled with.

use chrono::NaiveDate;
use serde::Serialize;
use shared::erpnext::{BillingFrequency, Quotation, QuotationStatus, SalesTaxesAndCharges};
use utoipa::ToSchema;

use crate::error::Refusal;

/// One line of a quote.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Line {
    /// The Quotation Item row (`name`): how a Subscription is found again.
    #[serde(skip)]
    pub row: String,
    /// `FIBRE-500`.
    pub item_code: String,
    /// `Internet Fibre 500 Mbit/s`.
    pub item_name: String,
    /// Quantity.
    pub qty: f64,
    /// Price of one, in cents.
    pub rate_cents: i64,
    /// `qty × rate`, in cents.
    pub amount_cents: i64,
    /// How often it is billed: `One-time`, `Monthly`, `Quarterly`, `Yearly`.
    #[schema(value_type = String, example = "Monthly")]
    pub frequency: BillingFrequency,
}

/// One tax of a quote.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Tax {
    /// `TPS`, `TVQ`, `TVH`, or ERPNext's description.
    pub label: String,
    /// Percent (`5.0`, `9.975`).
    pub rate: f64,
    /// In cents.
    pub amount_cents: i64,
}

/// A quote as the customer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct QuoteView {
    /// `SAL-QTN-2026-00001`.
    pub quotation: String,
    /// The ERPNext Customer.
    pub customer: String,
    /// Its name as printed.
    pub customer_name: String,
    /// `fr` or `en`.
    pub lang: String,
    /// When it was made (`2026-12-07`).
    pub transaction_date: String,
    /// Until when it may be accepted (`2027-01-06`).
    pub valid_till: String,
    /// `CAD`.
    pub currency: String,
    /// Billed every month, quarter or year.
    pub recurring: Vec<Line>,
    /// Billed once.
    pub one_time: Vec<Line>,
    /// TPS, TVQ (or TVH).
    pub taxes: Vec<Tax>,
    /// Before taxes, in cents.
    pub net_total_cents: i64,
    /// All taxes, in cents.
    pub total_taxes_cents: i64,
    /// With taxes, in cents.
    pub grand_total_cents: i64,
}

impl QuoteView {
    /// The recurring lines' amount per month, in cents (a quarter is a third, a year a twelfth,
    /// rounded to the cent).
    pub fn monthly_cents(&self) -> i64 {
        self.recurring
            .iter()
            .map(|l| match l.frequency {
                BillingFrequency::Monthly => l.amount_cents,
                BillingFrequency::Quarterly => (l.amount_cents as f64 / 3.0).round() as i64,
                BillingFrequency::Yearly => (l.amount_cents as f64 / 12.0).round() as i64,
                BillingFrequency::OneTime => 0,
            })
            .sum()
    }

    /// The one-time lines' amount, in cents.
    pub fn one_time_cents(&self) -> i64 {
        self.one_time.iter().map(|l| l.amount_cents).sum()
    }

    /// The quote of `q` in `lang`; refused when an item has no billing frequency (all of them
    /// named).
    pub fn of(q: &Quotation, customer_name: &str, lang: &str) -> Result<Self, Refusal> {
        let missing: Vec<String> = q
            .items
            .iter()
            .filter(|i| i.custom_billing_frequency.is_none())
            .map(|i| i.item_code.clone())
            .collect();
        if !missing.is_empty() {
            return Err(Refusal::NoFrequency(missing));
        }
        let lines = q.items.iter().filter_map(|i| {
            Some(Line {
                row: i.name.clone(),
                item_code: i.item_code.clone(),
                item_name: i.item_name.clone().unwrap_or_else(|| i.item_code.clone()),
                qty: i.qty,
                rate_cents: i.rate,
                amount_cents: i.amount,
                frequency: i.custom_billing_frequency?,
            })
        });
        let (recurring, one_time) = lines.partition(|l| l.frequency.is_recurring());
        Ok(Self {
            quotation: q.name.clone(),
            customer: q.party_name.clone(),
            customer_name: q
                .customer_name
                .clone()
                .unwrap_or_else(|| customer_name.to_owned()),
            lang: lang.to_owned(),
            transaction_date: q.transaction_date.to_string(),
            valid_till: q.valid_till.map(|d| d.to_string()).unwrap_or_default(),
            currency: q.currency.clone().unwrap_or_else(|| "CAD".to_owned()),
            recurring,
            one_time,
            taxes: q.taxes.iter().map(tax).collect(),
            net_total_cents: q.net_total,
            total_taxes_cents: q.total_taxes_and_charges,
            grand_total_cents: q.grand_total,
        })
    }
}

/// A tax row as printed: `TPS`, `TVQ` or `TVH` when its description or account says so.
fn tax(row: &SalesTaxesAndCharges) -> Tax {
    let text = format!(
        "{} {}",
        row.description.as_deref().unwrap_or_default(),
        row.account_head
    )
    .to_uppercase();
    let label = [
        ("TPS", "TPS"),
        ("GST", "TPS"),
        ("TVQ", "TVQ"),
        ("QST", "TVQ"),
        ("TVH", "TVH"),
        ("HST", "TVH"),
    ]
    .into_iter()
    .find(|(word, _)| text.contains(word))
    .map_or_else(
        || {
            row.description
                .clone()
                .unwrap_or_else(|| row.account_head.clone())
        },
        |(_, label)| label.to_owned(),
    );
    Tax {
        label,
        rate: row.rate,
        amount_cents: row.tax_amount,
    }
}

/// Whether `q` may still be sent, signed or accepted on `today`.
pub fn check_open(q: &Quotation, today: NaiveDate) -> Result<(), Refusal> {
    if q.quotation_to.as_deref().is_some_and(|to| to != "Customer") {
        return Err(Refusal::NotSendable("The quotation is not to a Customer."));
    }
    match (q.docstatus, q.status) {
        (2, _) | (_, QuotationStatus::Cancelled | QuotationStatus::Lost) => Err(Refusal::Cancelled),
        (_, QuotationStatus::Ordered | QuotationStatus::PartiallyOrdered) => {
            Err(Refusal::AlreadyAccepted)
        }
        (0, _) => Err(Refusal::NotSendable(
            "The quotation is a draft: submit it first.",
        )),
        (_, QuotationStatus::Expired) => Err(Refusal::Expired),
        _ if q.valid_till.is_some_and(|d| d < today) => Err(Refusal::Expired),
        _ => Ok(()),
    }
}

/// `12345` cents as a Quebec reader expects it: `123,45 $` in French, `$123.45` in English.
pub fn money(cents: i64, lang: &str) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let (units, rest) = (cents.abs() / 100, cents.abs() % 100);
    let grouped = group_thousands(units, if lang == "en" { ',' } else { '\u{a0}' });
    match lang {
        "en" => format!("{sign}${grouped}.{rest:02}"),
        _ => format!("{sign}{grouped},{rest:02}\u{a0}$"),
    }
}

fn group_thousands(units: i64, separator: char) -> String {
    let digits = units.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_quebec_writes_it() {
        assert_eq!(money(12345, "fr"), "123,45\u{a0}$");
        assert_eq!(money(12345, "en"), "$123.45");
        assert_eq!(money(123_456_789, "en"), "$1,234,567.89");
        assert_eq!(money(123_456_789, "fr"), "1\u{a0}234\u{a0}567,89\u{a0}$");
        assert_eq!(money(-5, "en"), "-$0.05");
        assert_eq!(money(0, "fr"), "0,00\u{a0}$");
    }

    fn quotation(items: serde_json::Value) -> Quotation {
        serde_json::from_value(serde_json::json!({
            "name": "SAL-QTN-2026-00001", "party_name": "CUST-1", "customer_name": "Ana",
            "quotation_to": "Customer", "transaction_date": "2026-12-01",
            "valid_till": "2026-12-31", "status": "Open", "docstatus": 1,
            "net_total": 174.0, "total_taxes_and_charges": 26.06, "grand_total": 200.06,
            "items": items,
            "taxes": [{"charge_type": "On Net Total", "account_head": "2310 - TPS à payer - GF",
                       "description": "TPS 5 %", "rate": 5.0, "tax_amount": 8.7},
                      {"charge_type": "On Net Total", "account_head": "2320 - QST - GF",
                       "rate": 9.975, "tax_amount": 17.36}]
        }))
        .unwrap()
    }

    fn item(row: &str, code: &str, amount: f64, frequency: &str) -> serde_json::Value {
        serde_json::json!({"name": row, "item_code": code, "qty": 1, "rate": amount,
            "amount": amount, "custom_billing_frequency": frequency})
    }

    #[test]
    fn lines_split_by_frequency_and_taxes_are_named() {
        let q = quotation(serde_json::json!([
            item("r1", "FIBRE-500", 75.0, "Monthly"),
            item("r2", "INSTALL", 99.0, "One-time"),
            item("r3", "STATIC-IP", 60.0, "Yearly"),
        ]));
        let view = QuoteView::of(&q, "Ana", "fr").unwrap();
        assert_eq!(view.recurring.len(), 2);
        assert_eq!(view.one_time[0].item_code, "INSTALL");
        assert_eq!(view.monthly_cents(), 7500 + 500);
        assert_eq!(view.one_time_cents(), 9900);
        let labels: Vec<_> = view.taxes.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(labels, ["TPS", "TVQ"]);
        assert_eq!(view.grand_total_cents, 20006);
    }

    #[test]
    fn items_without_a_frequency_are_all_named() {
        let q = quotation(serde_json::json!([
            item("r1", "FIBRE-500", 75.0, "Monthly"),
            item("r2", "CABLE-30M", 20.0, ""),
            item("r3", "MYSTERY", 1.0, ""),
        ]));
        assert_eq!(
            QuoteView::of(&q, "Ana", "fr"),
            Err(Refusal::NoFrequency(vec![
                "CABLE-30M".into(),
                "MYSTERY".into()
            ]))
        );
    }

    #[test]
    fn only_an_open_quotation_in_its_validity_may_be_sent() {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let mut q = quotation(serde_json::json!([]));
        assert_eq!(check_open(&q, day("2026-12-31")), Ok(()));
        assert_eq!(check_open(&q, day("2027-01-01")), Err(Refusal::Expired));
        q.status = QuotationStatus::Ordered;
        assert_eq!(
            check_open(&q, day("2026-12-01")),
            Err(Refusal::AlreadyAccepted)
        );
        q.status = QuotationStatus::Lost;
        assert_eq!(check_open(&q, day("2026-12-01")), Err(Refusal::Cancelled));
        q.status = QuotationStatus::Open;
        q.docstatus = 2;
        assert_eq!(check_open(&q, day("2026-12-01")), Err(Refusal::Cancelled));
        q.docstatus = 0;
        q.status = QuotationStatus::Draft;
        assert!(matches!(
            check_open(&q, day("2026-12-01")),
            Err(Refusal::NotSendable(_))
        ));
    }
}
