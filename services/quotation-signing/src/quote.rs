//! A quotation as customers read it: its lines split into Recurring and One-time by their billing
//! frequency, its taxes (TPS, TVQ) and totals, in cents. Built from ERPNext's Quotation; what the
//! portal lists, the printable page prints and the DocuSeal template is prefilled with.

use serde::Serialize;
use utoipa::ToSchema;

/// How often an item is billed (Item › Billing Frequency, fetched onto the quotation's items).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Once (installation, equipment).
    OneTime,
    /// Every month.
    Monthly,
    /// Every three months.
    Quarterly,
    /// Every year.
    Yearly,
}

impl Frequency {
    /// ERPNext's value (`One-time`, `Monthly`, `Quarterly`, `Yearly`); `None` for blank or
    /// anything else.
    pub fn parse(raw: Option<&str>) -> Option<Self> {
        match raw.map(str::trim)? {
            "One-time" => Some(Self::OneTime),
            "Monthly" => Some(Self::Monthly),
            "Quarterly" => Some(Self::Quarterly),
            "Yearly" => Some(Self::Yearly),
            _ => None,
        }
    }

    /// Whether it recurs (becomes a Subscription).
    pub fn is_recurring(self) -> bool {
        self != Self::OneTime
    }
}

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
    /// How often it is billed.
    pub frequency: Frequency,
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
                Frequency::Monthly => l.amount_cents,
                Frequency::Quarterly => (l.amount_cents as f64 / 3.0).round() as i64,
                Frequency::Yearly => (l.amount_cents as f64 / 12.0).round() as i64,
                Frequency::OneTime => 0,
            })
            .sum()
    }

    /// The one-time lines' amount, in cents.
    pub fn one_time_cents(&self) -> i64 {
        self.one_time.iter().map(|l| l.amount_cents).sum()
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

    #[test]
    fn frequencies_read_as_erpnext_writes_them() {
        assert_eq!(Frequency::parse(Some("Monthly")), Some(Frequency::Monthly));
        assert_eq!(
            Frequency::parse(Some(" One-time ")),
            Some(Frequency::OneTime)
        );
        assert_eq!(Frequency::parse(Some("")), None);
        assert_eq!(Frequency::parse(Some("monthly")), None);
        assert_eq!(Frequency::parse(None), None);
        assert!(!Frequency::OneTime.is_recurring() && Frequency::Yearly.is_recurring());
    }
}
