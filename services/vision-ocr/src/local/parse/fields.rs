//! The header fields of an invoice: supplier, registration numbers, invoice number, dates,
//! currency. A value follows its label in the same cell, in the next cell, or on the next line.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::dates;
use super::text::{Row, fold};

static GST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:\d\s?){9})\s*[-:]?\s*R\s?T\s*[-:]?\s*([0-9OQD]{4,5})\b")
        .unwrap_or_else(|_| unreachable!())
});
static QST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:\d\s?){10})\s*[-:]?\s*T\s?[QO0]\s*[-:]?\s*([0-9OQD]{4,5})\b")
        .unwrap_or_else(|_| unreachable!())
});
static NUMBER_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:facture\s*(?:n\s?[°o*]\.?|no\.?|#|numero|number)",
        r"|n\s?[°o*]\.?\s*(?:de\s+)?facture|numero\s+de\s+facture",
        r"|invoice\s*(?:#|n[°o]\.?|num(?:ber|\.)?)|inv\.?\s*#)\s*[:#.]?\s*"
    ))
    .unwrap_or_else(|_| unreachable!())
});
static NUMBER_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[:#\s]*([A-Za-z0-9][A-Za-z0-9\-/_.]*[A-Za-z0-9]|\d)")
        .unwrap_or_else(|_| unreachable!())
});

/// `123456789 RT0001`, the space and the separators as OCR gives them.
pub(crate) fn gst_number(text: &str) -> Option<String> {
    let c = GST.captures(text)?;
    let digits: String = c[1].chars().filter(char::is_ascii_digit).collect();
    Some(format!("{digits} RT{}", program(&c[2])))
}

/// The program account's four digits, letters OCR gives for zeros put back (`O001`, `OOO01`).
fn program(raw: &str) -> String {
    let digits: String = raw
        .chars()
        .map(|c| if c.is_ascii_digit() { c } else { '0' })
        .collect();
    digits[digits.len().saturating_sub(4)..].to_owned()
}

/// `1234567890 TQ0001`.
pub(crate) fn qst_number(text: &str) -> Option<String> {
    let c = QST.captures(text)?;
    let digits: String = c[1].chars().filter(char::is_ascii_digit).collect();
    Some(format!("{digits} TQ{}", program(&c[2])))
}

/// The value of the first cell of `rows` whose folded text `label` finds, read by `value` from
/// what follows the label, the next cells, then the next row (its last cell first).
pub(crate) fn labelled<T>(
    rows: &[Row],
    label: impl Fn(&str) -> Option<usize>,
    value: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    for (r, original) in rows.iter().enumerate() {
        let joined;
        let row = if original
            .cells
            .iter()
            .any(|cell| label(&fold(cell)).is_some())
        {
            original
        } else {
            // A label a column gap cut in two (`N°   de facture`) is found in the joined row.
            joined = Row {
                cells: vec![original.joined()],
            };
            &joined
        };
        for (c, cell) in row.cells.iter().enumerate() {
            let folded = fold(cell);
            let Some(end) = label(&folded) else { continue };
            let rest = folded.get(end..).map(|_| tail(cell, &folded, end));
            let same_row = rest.into_iter().chain(row.cells[c + 1..].iter().cloned());
            let under = rows.get(r + 1).map(|next| below(next, c, row.cells.len()));
            if let Some(found) = same_row
                .chain(under.into_iter().flatten())
                .find_map(|candidate| value(&candidate))
            {
                return Some(found);
            }
        }
    }
    None
}

/// The cells of the row under a label in cell `c` of `width` cells, most likely first: the
/// same column when the rows have as many cells (a grid of labels over values), else from the
/// right (a value right-aligned under its label).
fn below(next: &Row, c: usize, width: usize) -> Vec<String> {
    let mut cells: Vec<String> = next.cells.iter().rev().cloned().collect();
    if next.cells.len() == width && width > 1 {
        let same = cells.remove(width - 1 - c);
        cells.insert(0, same);
    }
    cells
}

/// What follows byte `end` of `folded` in the original `cell` (folding keeps the characters'
/// count, not their bytes).
fn tail(cell: &str, folded: &str, end: usize) -> String {
    let count = folded[..end].chars().count();
    cell.chars().skip(count).collect()
}

/// The supplier's invoice number.
pub(crate) fn invoice_number(rows: &[Row]) -> Option<String> {
    labelled(
        rows,
        |cell| NUMBER_LABEL.find(cell).map(|m| m.end()),
        |value| {
            let found = NUMBER_VALUE.captures(value.trim())?;
            let number = found[1].trim_end_matches(['.', '-']).to_owned();
            number.chars().any(|c| c.is_ascii_digit()).then_some(number)
        },
    )
}

/// The invoice date (labelled `Date`, `Date de facturation`, `Invoice date`) and the due date;
/// without labels, the first date and a later one.
pub(crate) fn dates(rows: &[Row], day_first: bool) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let read = |text: &str| dates::date(text, day_first);
    let due = labelled(rows, due_label, read);
    let date = labelled(rows, date_label, read).or_else(|| {
        rows.iter()
            .flat_map(|row| row.cells.iter())
            .filter_map(|cell| read(cell))
            .find(|d| Some(*d) != due)
    });
    (date, due)
}

fn due_label(cell: &str) -> Option<usize> {
    [
        "date d'echeance",
        "echeance",
        "due date",
        "payment due",
        "date due",
        "due on",
        "due:",
    ]
    .iter()
    .find_map(|l| cell.find(l).map(|at| at + l.len()))
}

fn date_label(cell: &str) -> Option<usize> {
    if due_label(cell).is_some() {
        return None;
    }
    [
        "date de facturation",
        "date de la facture",
        "invoice date",
        "date",
    ]
    .iter()
    .find_map(|l| cell.find(l).map(|at| at + l.len()))
}

/// The supplier: the first cell of the page's first lines that reads as a name, not the title,
/// an address, a registration number or the customer's block.
pub(crate) fn supplier(rows: &[Row]) -> Option<String> {
    rows.iter()
        .take(8)
        .flat_map(|row| row.cells.first())
        .map(|cell| strip_title(cell))
        .find(|cell| looks_like_a_name(cell))
}

fn strip_title(cell: &str) -> String {
    let words: Vec<&str> = cell
        .split_whitespace()
        .filter(|w| !matches!(fold(w).as_str(), "facture" | "invoice"))
        .map(legal_form)
        .collect();
    words.join(" ")
}

/// The legal forms OCR reads with an I for their l (`Itée`, `itd.`).
fn legal_form(word: &str) -> &str {
    match word {
        "Itée" | "ltee" | "Itee" => "ltée",
        "Itd." | "itd." | "ltd." => "Ltd.",
        other => other,
    }
}

fn looks_like_a_name(cell: &str) -> bool {
    let letters = cell.chars().filter(|c| c.is_alphabetic()).count();
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    let folded = fold(cell);
    let heading = ["facture a", "bill to", "sold to", "client", "tel", "page"]
        .iter()
        .any(|h| folded.starts_with(h));
    letters >= 4 && digits == 0 && !heading && cell.split_whitespace().count() <= 8
}

/// `USD` or `EUR` when printed as a word or a sign, `CAD` otherwise.
pub(crate) fn currency(text: &str) -> String {
    let upper = text.to_uppercase();
    let word = |w: &str| {
        upper
            .split(|c: char| !c.is_ascii_alphabetic())
            .any(|token| token == w)
    };
    let currency = if word("USD") || upper.contains("US$") || upper.contains("US $") {
        "USD"
    } else if word("EUR") || text.contains('€') {
        "EUR"
    } else {
        "CAD"
    };
    currency.to_owned()
}
