//! Invoices: the ground truth drawn from a seed, the wording it is printed with, and the page.

mod catalogue;
mod layouts;
mod printed;

use chrono::NaiveDate;
use image::RgbImage;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::fonts::{self, Font};
use crate::{Degrade, FixtureError, Lang, format};
use catalogue::{ITEMS, Province, SUPPLIERS, Supplier};

/// One of three visibly different invoice layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Layout {
    /// Supplier top left, title top right, customer and invoice details side by side, a ruled
    /// table with a shaded header, amounts right-aligned, totals bottom right.
    Classic,
    /// Centred letterhead, details as `label : value` lines, an unruled item list with amounts
    /// left-aligned in their column, totals in the same columns.
    Compact,
    /// Boxes everywhere: framed supplier and customer, the details as a grid across the page,
    /// a full grid of items with the quantity first, totals in grid cells.
    Table,
}

impl Layout {
    /// Every layout, in a fixed order.
    pub const ALL: [Layout; 3] = [Layout::Classic, Layout::Compact, Layout::Table];
}

/// How an invoice is printed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct InvoiceStyle {
    /// The language of the wording, dates and amounts.
    pub lang: Lang,
    /// The typeface.
    pub font: Font,
    /// The page layout.
    pub layout: Layout,
    /// The degradation applied after drawing.
    pub degrade: Degrade,
}

/// What an invoice says, as the OCR should extract it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceTruth {
    /// The supplier's name as printed, e.g. `Câblage Laurentides inc.`.
    pub supplier: String,
    /// The GST/HST registration number, `123456789 RT0001` (9 digits, a space, `RT`, 4 digits).
    pub gst_number: Option<String>,
    /// The QST registration number of Quebec suppliers, `1234567890 TQ0001`.
    pub qst_number: Option<String>,
    /// The invoice number as printed, e.g. `F-2026-004127`, `INV-88213`, `A10294`.
    pub invoice_number: String,
    /// The invoice date.
    pub date: NaiveDate,
    /// The due date, when one is printed.
    pub due_date: Option<NaiveDate>,
    /// The currency, always `CAD`.
    pub currency: String,
    /// The items, top to bottom.
    pub lines: Vec<LineTruth>,
    /// The sum of the lines' amounts.
    pub subtotal_cents: i64,
    /// The taxes, in printed order.
    pub taxes: Vec<TaxTruth>,
    /// Subtotal plus taxes.
    pub total_cents: i64,
    /// The language the invoice is printed in.
    pub lang: Lang,
}

/// One item line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTruth {
    /// The description as printed (in the invoice's language).
    pub description: String,
    /// The quantity.
    pub quantity: u32,
    /// The unit price in cents.
    pub unit_price_cents: i64,
    /// Quantity × unit price, in cents.
    pub amount_cents: i64,
}

/// One tax of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxTruth {
    /// `TPS` (GST), `TVQ` (QST) or `HST`, whatever the printed language (French prints TPS, TVQ,
    /// TVH; English GST, QST, HST).
    pub name: String,
    /// The rate in thousandths of a percent: 5000 for 5 %, 9975 for 9.975 %, 13000 for 13 %.
    pub rate_millipercent: u32,
    /// The rate applied to the subtotal, rounded half up to the cent.
    pub amount_cents: i64,
}

/// The invoice of `seed` printed in `style`: its truth and its image (1275 × 1650, a letter
/// page at 150 dpi). The same seed and style give the same image; the truth depends on the
/// seed and the language only.
pub fn invoice(seed: u64, style: &InvoiceStyle) -> Result<(InvoiceTruth, RgbImage), FixtureError> {
    let faces = fonts::load(style.font)?;
    let (mut rng, supplier, truth) = start(seed, style.lang);
    let printed = printed::Printed::new(&mut rng, &truth, supplier, style.lang);
    let page = layouts::render(&printed, style.layout, &faces);
    let image = style.degrade.apply(page, seed);
    Ok((truth, image))
}

/// The truth of the invoice of `seed` in `lang`, without drawing it: what [`invoice`] returns
/// with its image, at a fraction of the cost.
pub fn invoice_truth(seed: u64, lang: Lang) -> InvoiceTruth {
    start(seed, lang).2
}

/// The generator of `seed` once the truth is drawn, the supplier, and the truth.
fn start(seed: u64, lang: Lang) -> (StdRng, &'static Supplier, InvoiceTruth) {
    let mut rng = StdRng::seed_from_u64(seed);
    let supplier = &SUPPLIERS[rng.random_range(0..SUPPLIERS.len())];
    let truth = draw_truth(&mut rng, supplier, lang);
    (rng, supplier, truth)
}

fn draw_truth(rng: &mut StdRng, supplier: &Supplier, lang: Lang) -> InvoiceTruth {
    let lines = draw_lines(rng, lang);
    let subtotal_cents = lines.iter().map(|line| line.amount_cents).sum();
    let taxes = taxes(supplier.province, subtotal_cents);
    let total_cents = subtotal_cents + taxes.iter().map(|tax| tax.amount_cents).sum::<i64>();
    let date = NaiveDate::from_yo_opt(2026, rng.random_range(1..=365)).unwrap_or_default();
    let due_date = rng
        .random_bool(0.75)
        .then(|| date + chrono::Days::new([15, 30, 30, 45][rng.random_range(0..4)]));
    InvoiceTruth {
        supplier: supplier.name.to_owned(),
        gst_number: Some(format!("{} RT0001", digits(rng, 9))),
        qst_number: (supplier.province == Province::Quebec)
            .then(|| format!("{} TQ0001", digits(rng, 10))),
        invoice_number: invoice_number(rng),
        date,
        due_date,
        currency: "CAD".to_owned(),
        lines,
        subtotal_cents,
        taxes,
        total_cents,
        lang,
    }
}

/// 2 to 8 distinct items with their quantities and prices.
fn draw_lines(rng: &mut StdRng, lang: Lang) -> Vec<LineTruth> {
    let count = rng.random_range(2..=8);
    let mut order: Vec<usize> = (0..ITEMS.len()).collect();
    for index in (1..order.len()).rev() {
        order.swap(index, rng.random_range(0..=index));
    }
    order
        .into_iter()
        .take(count)
        .map(|index| {
            let item = &ITEMS[index];
            let quantity = rng.random_range(1..=item.max_quantity);
            let unit_price_cents = rng.random_range(item.min_cents..=item.max_cents);
            LineTruth {
                description: match lang {
                    Lang::Fr => item.fr,
                    Lang::En => item.en,
                }
                .to_owned(),
                quantity,
                unit_price_cents,
                amount_cents: i64::from(quantity) * unit_price_cents,
            }
        })
        .collect()
}

fn taxes(province: Province, subtotal_cents: i64) -> Vec<TaxTruth> {
    let rates: &[(&str, u32)] = match province {
        Province::Quebec => &[("TPS", 5000), ("TVQ", 9975)],
        Province::Ontario => &[("HST", 13000)],
    };
    rates
        .iter()
        .map(|&(name, rate)| TaxTruth {
            name: name.to_owned(),
            rate_millipercent: rate,
            amount_cents: format::tax(subtotal_cents, rate),
        })
        .collect()
}

fn invoice_number(rng: &mut StdRng) -> String {
    match rng.random_range(0..4) {
        0 => format!("F-2026-{:06}", rng.random_range(1..60_000)),
        1 => format!("INV-{}", rng.random_range(10_000..100_000)),
        2 => format!("A{}", rng.random_range(10_000..100_000)),
        _ => format!("FAC-{:05}", rng.random_range(1..100_000)),
    }
}

/// `count` random decimal digits, the first not zero.
fn digits(rng: &mut StdRng, count: usize) -> String {
    let mut out = rng.random_range(1..10).to_string();
    for _ in 1..count {
        out.push_str(&rng.random_range(0..10).to_string());
    }
    out
}
