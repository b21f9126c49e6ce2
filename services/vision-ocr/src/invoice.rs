//! A supplier invoice as read from a page, and the arithmetic checks run on whatever read it.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use shared::lang::Lang;
use utoipa::ToSchema;

use crate::warning::{Warning, WarningCode};

/// An amount in cents; in JSON a number of dollars with cents (`1234.56`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub i64);

impl Money {
    /// From a number of dollars, rounded to the cent; none for NaN, infinities and absurd sizes.
    pub fn from_dollars(dollars: f64) -> Option<Self> {
        let cents = (dollars * 100.0).round();
        (cents.is_finite() && cents.abs() < 1e13).then_some(Self(cents as i64))
    }

    /// The number of dollars (for JSON and ERPNext).
    pub fn dollars(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.dollars())
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let dollars = f64::deserialize(d)?;
        Self::from_dollars(dollars).ok_or_else(|| serde::de::Error::custom("not an amount"))
    }
}

/// A Canadian sales tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = VisionTaxName)]
pub enum TaxName {
    /// GST, the federal tax (5 %).
    #[serde(rename = "TPS")]
    Tps,
    /// QST, Quebec's (9.975 %).
    #[serde(rename = "TVQ")]
    Tvq,
    /// HST, the harmonised tax of Ontario and the Atlantic provinces (13–15 %).
    #[serde(rename = "HST")]
    Hst,
}

impl TaxName {
    /// The rates (in percent) this tax has had since 2013, to judge a rate read on a page.
    pub fn plausible_rates(self) -> &'static [f64] {
        match self {
            Self::Tps => &[5.0],
            Self::Tvq => &[9.975],
            Self::Hst => &[13.0, 14.0, 15.0],
        }
    }
}

/// One line of the invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = VisionLine)]
pub struct Line {
    /// What was bought.
    pub description: String,
    /// How many (metres of cable included).
    pub quantity: Option<f64>,
    /// Price of one, in dollars.
    #[schema(value_type = Option<f64>)]
    pub unit_price: Option<Money>,
    /// The line's amount, in dollars.
    #[schema(value_type = Option<f64>)]
    pub amount: Option<Money>,
}

/// One tax of the invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = VisionTax)]
pub struct Tax {
    /// TPS, TVQ or HST.
    pub name: TaxName,
    /// Its rate in percent (`9.975`), when printed.
    pub rate: Option<f64>,
    /// Its amount, in dollars.
    #[schema(value_type = f64)]
    pub amount: Money,
}

/// What was read from a supplier invoice; anything not found is absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[schema(as = VisionInvoice)]
pub struct Invoice {
    /// The supplier's name as printed.
    pub supplier: Option<String>,
    /// Its GST/TPS registration number, `123456789 RT0001`.
    pub gst_number: Option<String>,
    /// Its QST/TVQ registration number, `1234567890 TQ0001`.
    pub qst_number: Option<String>,
    /// The supplier's invoice number.
    pub invoice_number: Option<String>,
    /// The invoice's date.
    pub date: Option<NaiveDate>,
    /// When it is due.
    pub due_date: Option<NaiveDate>,
    /// ISO 4217, `CAD` unless the page says otherwise.
    pub currency: Option<String>,
    /// The lines, in page order.
    #[serde(default)]
    pub lines: Vec<Line>,
    /// Before taxes, in dollars.
    #[schema(value_type = Option<f64>)]
    pub subtotal: Option<Money>,
    /// Each tax.
    #[serde(default)]
    pub taxes: Vec<Tax>,
    /// What is owed, in dollars.
    #[schema(value_type = Option<f64>)]
    pub total: Option<Money>,
}

/// How far a tax amount may be from rate × subtotal, in cents (rounding per line on the supplier's
/// side).
const TAX_TOLERANCE_CENTS: i64 = 2;

impl Invoice {
    /// The warnings a person should see before trusting these figures, in `lang`.
    pub fn warnings(&self, lang: Lang) -> Vec<Warning> {
        let mut out = self.missing_fields(lang);
        out.extend(self.lines_add_up(lang));
        out.extend(self.total_adds_up(lang));
        for tax in &self.taxes {
            out.extend(tax_warning(tax, self.subtotal, lang));
        }
        out
    }

    fn missing_fields(&self, lang: Lang) -> Vec<Warning> {
        [
            ("supplier", self.supplier.is_none()),
            ("invoice_number", self.invoice_number.is_none()),
            ("date", self.date.is_none()),
            ("total", self.total.is_none()),
        ]
        .into_iter()
        .filter(|(_, missing)| *missing)
        .map(|(field, _)| {
            Warning::new(
                WarningCode::MissingField,
                lang,
                format!("Introuvable sur la page : {field}."),
                format!("Not found on the page: {field}."),
            )
            .field(field)
        })
        .collect()
    }

    fn lines_add_up(&self, lang: Lang) -> Option<Warning> {
        let subtotal = self.subtotal?;
        let amounts: Option<Vec<Money>> = self.lines.iter().map(|l| l.amount).collect();
        let sum: i64 = amounts.filter(|a| !a.is_empty())?.iter().map(|m| m.0).sum();
        (sum != subtotal.0).then(|| {
            let (sum, subtotal) = (Money(sum).dollars(), subtotal.dollars());
            Warning::new(
                WarningCode::LinesDontAddUp,
                lang,
                format!("Les lignes totalisent {sum:.2} $, le sous-total est de {subtotal:.2} $."),
                format!("The lines add up to {sum:.2} $, the subtotal is {subtotal:.2} $."),
            )
        })
    }

    fn total_adds_up(&self, lang: Lang) -> Option<Warning> {
        let (subtotal, total) = (self.subtotal?, self.total?);
        let expected = subtotal.0 + self.taxes.iter().map(|t| t.amount.0).sum::<i64>();
        ((expected - total.0).abs() > 1).then(|| {
            let (expected, total) = (Money(expected).dollars(), total.dollars());
            Warning::new(
                WarningCode::TotalDoesntAddUp,
                lang,
                format!("Sous-total et taxes font {expected:.2} $, le total est de {total:.2} $."),
                format!("Subtotal plus taxes is {expected:.2} $, the total is {total:.2} $."),
            )
        })
    }
}

fn tax_warning(tax: &Tax, subtotal: Option<Money>, lang: Lang) -> Option<Warning> {
    let name = serde_json::to_value(tax.name)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let rate = tax.rate?;
    let plausible = tax
        .name
        .plausible_rates()
        .iter()
        .any(|r| (r - rate).abs() < 1e-6);
    if !plausible {
        return Some(Warning::new(
            WarningCode::TaxRateImplausible,
            lang,
            format!("La {name} à {rate} % : cette taxe n'a pas ce taux."),
            format!("{name} at {rate} % is not a rate this tax has."),
        ));
    }
    let expected = Money::from_dollars(subtotal?.dollars() * rate / 100.0)?;
    ((expected.0 - tax.amount.0).abs() > TAX_TOLERANCE_CENTS).then(|| {
        let (expected, printed) = (expected.dollars(), tax.amount.dollars());
        Warning::new(
            WarningCode::TaxAmountOff,
            lang,
            format!("La {name} à {rate} % du sous-total fait {expected:.2} $, la page dit {printed:.2} $."),
            format!("{name} at {rate} % of the subtotal is {expected:.2} $, the page says {printed:.2} $."),
        )
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn quebec() -> Invoice {
        Invoice {
            supplier: Some("Câblage Laurentides inc.".into()),
            invoice_number: Some("F-2026-004127".into()),
            date: NaiveDate::from_ymd_opt(2026, 11, 3),
            lines: vec![
                line("Câble de branchement 500 m", 30000),
                line("ONT XS-010X-Q", 12345),
            ],
            subtotal: Some(Money(42345)),
            taxes: vec![
                Tax {
                    name: TaxName::Tps,
                    rate: Some(5.0),
                    amount: Money(2117),
                },
                Tax {
                    name: TaxName::Tvq,
                    rate: Some(9.975),
                    amount: Money(4224),
                },
            ],
            total: Some(Money(48686)),
            ..Invoice::default()
        }
    }

    fn line(description: &str, cents: i64) -> Line {
        Line {
            description: description.into(),
            quantity: Some(1.0),
            unit_price: Some(Money(cents)),
            amount: Some(Money(cents)),
        }
    }

    fn codes(inv: &Invoice) -> Vec<WarningCode> {
        inv.warnings(Lang::En).into_iter().map(|w| w.code).collect()
    }

    #[test]
    fn a_correct_quebec_invoice_has_no_warning() {
        assert_eq!(codes(&quebec()), vec![]);
    }

    #[test]
    fn lines_that_do_not_add_up_are_named() {
        let mut inv = quebec();
        inv.lines[1].amount = Some(Money(12346));
        assert_eq!(codes(&inv), vec![WarningCode::LinesDontAddUp]);
    }

    #[test]
    fn a_total_off_by_more_than_a_cent_is_named() {
        let mut inv = quebec();
        inv.total = Some(Money(48687));
        assert_eq!(codes(&inv), vec![]);
        inv.total = Some(Money(48690));
        assert_eq!(codes(&inv), vec![WarningCode::TotalDoesntAddUp]);
    }

    #[test]
    fn implausible_rates_and_wrong_tax_amounts_are_named() {
        let mut inv = quebec();
        inv.taxes[1].rate = Some(9.5);
        assert_eq!(codes(&inv), vec![WarningCode::TaxRateImplausible]);
        let mut inv = quebec();
        inv.taxes[0].amount = Money(2000);
        inv.total = Some(Money(48569));
        assert_eq!(codes(&inv), vec![WarningCode::TaxAmountOff]);
    }

    #[test]
    fn missing_fields_are_listed() {
        let inv = Invoice::default();
        let fields: Vec<_> = inv
            .warnings(Lang::Fr)
            .into_iter()
            .filter_map(|w| w.field)
            .collect();
        assert_eq!(fields, ["supplier", "invoice_number", "date", "total"]);
    }

    #[test]
    fn money_is_dollars_in_json_and_cents_inside() {
        assert_eq!(serde_json::to_string(&Money(123456)).unwrap(), "1234.56");
        let m: Money = serde_json::from_str("1234.565").unwrap();
        assert_eq!(m, Money(123457));
        assert!(Money::from_dollars(f64::NAN).is_none());
        assert!(serde_json::from_str::<Money>("1e300").is_err());
    }
}
