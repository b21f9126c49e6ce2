//! The wording an invoice is printed with: labels and formats vary with the language and the
//! seed, the values come from the truth.

use rand::Rng;
use rand::rngs::StdRng;

use super::InvoiceTruth;
use super::catalogue::{CUSTOMER, Province, Supplier};
use crate::Lang;
use crate::format::{self, DateStyle};

/// Every string an invoice page shows, grouped by block.
pub(crate) struct Printed {
    /// `FACTURE` or `INVOICE`.
    pub title: &'static str,
    pub supplier: String,
    /// Street, city, phone.
    pub address: Vec<String>,
    /// `TPS/GST : 123456789 RT0001` and the like.
    pub tax_numbers: Vec<String>,
    /// `Facturé à` or `Bill to`.
    pub customer_heading: &'static str,
    pub customer: Vec<String>,
    /// Invoice number, date, due date: (label, value).
    pub details: Vec<(String, String)>,
    /// Description, quantity, unit price, amount.
    pub columns: [&'static str; 4],
    /// The short unit price heading of narrow columns: `Prix`, `Price`.
    pub price_short: &'static str,
    pub rows: Vec<[String; 4]>,
    /// Subtotal, taxes, total: (label, value); the last is the total.
    pub totals: Vec<(String, String)>,
    /// Payment terms at the foot of the page.
    pub footer: &'static str,
}

/// One of `choices`, drawn from `rng`.
fn pick<T: Copy>(rng: &mut StdRng, choices: &[T]) -> T {
    choices[rng.random_range(0..choices.len())]
}

impl Printed {
    /// The wording of `truth` from `supplier` in `lang`, the label choices drawn from `rng`.
    pub fn new(rng: &mut StdRng, truth: &InvoiceTruth, supplier: &Supplier, lang: Lang) -> Self {
        let fr = lang == Lang::Fr;
        let phone = if fr {
            format!("Tél. : {}", supplier.phone)
        } else {
            format!("Tel: {}", supplier.phone.replace(' ', "-"))
        };
        Printed {
            title: if fr { "FACTURE" } else { "INVOICE" },
            supplier: truth.supplier.clone(),
            address: vec![supplier.street.to_owned(), supplier.city.to_owned(), phone],
            tax_numbers: tax_numbers(rng, truth, supplier.province, lang),
            customer_heading: if fr {
                pick(rng, &["Facturé à", "Client"])
            } else {
                pick(rng, &["Bill to", "Sold to"])
            },
            customer: CUSTOMER.iter().map(|line| (*line).to_owned()).collect(),
            details: details(rng, truth, lang),
            columns: if fr {
                ["Description", "Qté", "Prix unitaire", "Montant"]
            } else {
                ["Description", "Qty", "Unit price", "Amount"]
            },
            price_short: if fr { "Prix" } else { "Price" },
            rows: truth
                .lines
                .iter()
                .map(|line| {
                    [
                        line.description.clone(),
                        line.quantity.to_string(),
                        format::money(line.unit_price_cents, lang),
                        format::money(line.amount_cents, lang),
                    ]
                })
                .collect(),
            totals: totals(rng, truth, lang),
            footer: if fr {
                pick(
                    rng,
                    &["Payable sur réception. Merci!", "Conditions : net 30 jours"],
                )
            } else {
                pick(
                    rng,
                    &["Payable upon receipt. Thank you!", "Terms: net 30 days"],
                )
            },
        }
    }
}

fn tax_numbers(
    rng: &mut StdRng,
    truth: &InvoiceTruth,
    province: Province,
    lang: Lang,
) -> Vec<String> {
    let gst_label = match (lang, province) {
        (Lang::Fr, Province::Quebec) => {
            pick(rng, &["TPS/GST :", "No TPS :", "N° d'inscription TPS :"])
        }
        (Lang::Fr, Province::Ontario) => pick(rng, &["TPS/TVH :", "No TPS/TVH :"]),
        (Lang::En, Province::Quebec) => pick(rng, &["GST/TPS:", "GST No.:", "GST Reg. No.:"]),
        (Lang::En, Province::Ontario) => pick(rng, &["GST/HST:", "HST No.:", "GST/HST Reg. No.:"]),
    };
    let qst_label = match lang {
        Lang::Fr => pick(rng, &["TVQ/QST :", "No TVQ :", "N° d'inscription TVQ :"]),
        Lang::En => pick(rng, &["QST/TVQ:", "QST No.:", "QST Reg. No.:"]),
    };
    let mut out = Vec::new();
    if let Some(gst) = &truth.gst_number {
        out.push(format!("{gst_label} {gst}"));
    }
    if let Some(qst) = &truth.qst_number {
        out.push(format!("{qst_label} {qst}"));
    }
    out
}

fn details(rng: &mut StdRng, truth: &InvoiceTruth, lang: Lang) -> Vec<(String, String)> {
    let date_style = pick(rng, &[DateStyle::Iso, DateStyle::Short, DateStyle::Long]);
    let (number, date, due) = match lang {
        Lang::Fr => (
            pick(rng, &["Facture n°", "No de facture", "N° de facture"]),
            pick(rng, &["Date", "Date de facturation"]),
            pick(rng, &["Date d'échéance", "Échéance"]),
        ),
        Lang::En => (
            pick(rng, &["Invoice #", "Invoice No.", "Invoice number"]),
            pick(rng, &["Date", "Invoice date"]),
            pick(rng, &["Due date", "Payment due"]),
        ),
    };
    let mut out = vec![
        (number.to_owned(), truth.invoice_number.clone()),
        (date.to_owned(), format::date(truth.date, lang, date_style)),
    ];
    if let Some(due_date) = truth.due_date {
        out.push((due.to_owned(), format::date(due_date, lang, date_style)));
    }
    out
}

fn totals(rng: &mut StdRng, truth: &InvoiceTruth, lang: Lang) -> Vec<(String, String)> {
    let subtotal = match lang {
        Lang::Fr => "Sous-total",
        Lang::En => "Subtotal",
    };
    let mut out = vec![(
        subtotal.to_owned(),
        format::money(truth.subtotal_cents, lang),
    )];
    for tax in &truth.taxes {
        let name = printed_tax_name(&tax.name, lang);
        let label = format!("{name} ({})", format::rate(tax.rate_millipercent, lang));
        out.push((label, format::money(tax.amount_cents, lang)));
    }
    let total = match lang {
        Lang::Fr => pick(rng, &["Total", "Montant total", "Total à payer"]),
        Lang::En => pick(rng, &["Total", "Amount due", "Total due"]),
    };
    out.push((
        format!("{total} (CAD)"),
        format::money(truth.total_cents, lang),
    ));
    out
}

/// The printed name of a tax: the truth's `TPS`, `TVQ`, `HST` in the invoice's language.
fn printed_tax_name(name: &str, lang: Lang) -> &str {
    match (name, lang) {
        ("TPS", Lang::En) => "GST",
        ("TVQ", Lang::En) => "QST",
        ("HST", Lang::Fr) => "TVH",
        _ => name,
    }
}
