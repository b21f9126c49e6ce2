//! The figures of an invoice: its item lines between the table's header and the subtotal, the
//! subtotal, each tax with its rate, the total.

use crate::invoice::{Line, Money, Tax, TaxName};

use super::numbers::{amounts, is_amount, last_amount, quantity, rate};
use super::text::{Row, fold};

/// What kind of figure a row holds, by its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Subtotal,
    Tax(TaxName),
    Total,
}

fn kind(row: &Row) -> Option<Kind> {
    let folded = fold(&row.joined());
    let has = |words: &[&str]| words.iter().any(|w| folded.contains(w));
    if has(&[
        "sous-total",
        "sous total",
        "subtotal",
        "sub-total",
        "sub total",
    ]) {
        return Some(Kind::Subtotal);
    }
    // A registration number (`TPS/GST : 123456789 RT0001`) names a tax without being one.
    if has(&[" rt0", " rt ", "tq0", "inscription", "reg.", "no."])
        && amounts(&row.joined()).is_empty()
    {
        return None;
    }
    if has(&["tvh", "hst"]) {
        return Some(Kind::Tax(TaxName::Hst));
    }
    if has(&["tvq", "qst"]) {
        return Some(Kind::Tax(TaxName::Tvq));
    }
    if has(&["tps", "gst"]) {
        return Some(Kind::Tax(TaxName::Tps));
    }
    if has(&[
        "total",
        "amount due",
        "montant du",
        "balance due",
        "a payer",
    ]) {
        return Some(Kind::Total);
    }
    None
}

/// The subtotal, the taxes and the total of `rows`.
pub(crate) fn totals(rows: &[Row]) -> (Option<Money>, Vec<Tax>, Option<Money>) {
    let (mut subtotal, mut taxes, mut total) = (None, Vec::new(), None);
    for row in rows {
        let Some(kind) = kind(row) else { continue };
        let Some(amount) = last_amount(&row.joined()) else {
            continue;
        };
        match kind {
            Kind::Subtotal => subtotal = subtotal.or(Some(amount)),
            Kind::Tax(name) if !taxes.iter().any(|t: &Tax| t.name == name) => taxes.push(Tax {
                name,
                rate: rate(&row.joined()),
                amount,
            }),
            Kind::Tax(_) => {}
            Kind::Total => total = Some(amount),
        }
    }
    (subtotal, taxes, total)
}

/// Whether `row` is the items table's header.
fn is_header(row: &Row) -> bool {
    let folded = fold(&row.joined());
    let has = |words: &[&str]| words.iter().any(|w| folded.contains(w));
    has(&["description", "article", "item", "produit"])
        && has(&[
            "qte", "qty", "quantite", "quantity", "montant", "amount", "prix", "price", "total",
        ])
}

/// The item lines: the rows with an amount between the table's header and the first figure
/// row (subtotal, a tax or the total).
pub(crate) fn lines(rows: &[Row]) -> Vec<Line> {
    let Some(start) = rows.iter().position(is_header) else {
        return Vec::new();
    };
    rows[start + 1..]
        .iter()
        .take_while(|row| kind(row).is_none())
        .filter_map(line)
        .collect()
}

/// One item: the amount is the rightmost amount, the unit price the one before it, the
/// quantity a number alone in its cell, the description the rest.
fn line(row: &Row) -> Option<Line> {
    let money: Vec<Money> = row
        .cells
        .iter()
        .filter(|c| is_amount(c))
        .flat_map(|c| amounts(c))
        .collect();
    let all = if money.is_empty() {
        amounts(&row.joined())
    } else {
        money
    };
    let amount = *all.last()?;
    let unit_price = (all.len() >= 2).then(|| all[all.len() - 2]);
    let mut quantity_found = None;
    let mut words = Vec::new();
    for cell in &row.cells {
        if is_amount(cell) {
            continue;
        }
        match quantity(cell) {
            Some(q) if quantity_found.is_none() => quantity_found = Some(q),
            _ => words.push(split_trailing_figures(cell, &mut quantity_found)),
        }
    }
    let description = words.join(" ").trim().to_owned();
    (!description.is_empty()).then_some(Line {
        description,
        quantity: quantity_found.or_else(|| derived_quantity(unit_price, amount)),
        unit_price,
        amount: Some(amount),
    })
}

/// A cell whose columns OCR ran together (`Câble 500 m 2 45,00 $`): amounts dropped, a
/// trailing whole number taken as the quantity when none was found.
fn split_trailing_figures(cell: &str, quantity_found: &mut Option<f64>) -> String {
    let mut words: Vec<&str> = cell.split_whitespace().collect();
    if !amounts(cell).is_empty() {
        while words
            .last()
            .is_some_and(|w| w.chars().all(|c| c.is_ascii_digit() || ",.$".contains(c)))
        {
            words.pop();
        }
    }
    if quantity_found.is_none()
        && words.len() > 1
        && let Some(q) = words.last().and_then(|w| quantity(w))
    {
        *quantity_found = Some(q);
        words.pop();
    }
    words.join(" ")
}

fn derived_quantity(unit_price: Option<Money>, amount: Money) -> Option<f64> {
    let unit = unit_price?.0;
    (unit != 0 && amount.0 % unit == 0).then(|| (amount.0 / unit) as f64)
}
