//! The local provider's reading of Tesseract's text: pure functions, French and English.
//!
//! Columns are told by gaps of two spaces or more (the engine lays its words out so), amounts
//! in both the French (`1 234,56 $`) and the English (`$1,234.56`) way, dates in the forms of
//! [`dates`].

mod dates;
mod fields;
mod label;
mod numbers;
mod text;
mod totals;

#[cfg(test)]
mod tests;

use crate::invoice::Invoice;

pub use label::label;

/// What the text of an invoice page (or of its pages joined) says.
pub fn invoice(text: &str) -> Invoice {
    let rows = text::rows(text);
    let day_first = text::is_french(text);
    let (date, due_date) = fields::dates(&rows, day_first);
    let (subtotal, taxes, total) = totals::totals(&rows);
    Invoice {
        supplier: fields::supplier(&rows),
        gst_number: fields::gst_number(text),
        qst_number: fields::qst_number(text),
        invoice_number: fields::invoice_number(&rows),
        date,
        due_date,
        currency: Some(fields::currency(text)),
        lines: totals::lines(&rows),
        subtotal,
        taxes,
        total,
    }
}
