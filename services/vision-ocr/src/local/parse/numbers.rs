//! Amounts, quantities and rates as invoices print them: `1 234,56 $`, `$1,234.56`, `9,975 %`.

use std::sync::LazyLock;

use regex::Regex;

use crate::invoice::Money;

/// An amount with two decimals: groups of three after the first separated by a space, a comma or
/// a dot, then the decimal comma or dot.
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(-\s?)?(\$\s?)?(\d{1,3}(?:[ ,.]\d{3})+|\d+)\s?[.,]\s?(\d{2})")
        .unwrap_or_else(|_| unreachable!())
});

static RATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d{1,2}(?:[.,]\d{1,3})?)\s?%").unwrap_or_else(|_| unreachable!())
});

/// Every amount in `text`, left to right.
pub(crate) fn amounts(text: &str) -> Vec<Money> {
    let mut out = Vec::new();
    for found in AMOUNT.captures_iter(text) {
        let Some(whole) = found.get(0) else { continue };
        // `9,975 %` and `2026-11-03` are not amounts: the decimals end the number.
        if text[whole.end()..].starts_with(|c: char| c.is_ascii_digit() || c == '%') {
            continue;
        }
        let units: String = found[3].chars().filter(char::is_ascii_digit).collect();
        let (Ok(units), Ok(cents)) = (units.parse::<i64>(), found[4].parse::<i64>()) else {
            continue;
        };
        let sign = if found.get(1).is_some() { -1 } else { 1 };
        out.push(Money(sign * (units * 100 + cents)));
    }
    out
}

/// The last amount of `text`: the amount column is the rightmost.
pub(crate) fn last_amount(text: &str) -> Option<Money> {
    amounts(text).pop()
}

/// Whether `cell` is an amount and nothing else (a `$` aside).
pub(crate) fn is_amount(cell: &str) -> bool {
    AMOUNT.find(cell).is_some_and(|m| {
        cell[..m.start()].trim().is_empty() && cell[m.end()..].trim().trim_matches('$').is_empty()
    })
}

/// A rate printed as a percentage: `5 %`, `9,975 %`, `9.975%`.
pub(crate) fn rate(text: &str) -> Option<f64> {
    let found = RATE.captures(text)?;
    found[1].replace(',', ".").parse().ok()
}

/// A quantity alone in its cell: `3`, `2,5`, `1.25`.
pub(crate) fn quantity(cell: &str) -> Option<f64> {
    let cell = cell.trim();
    let plain = !cell.is_empty()
        && cell.len() <= 7
        && cell
            .chars()
            .all(|c| c.is_ascii_digit() || c == ',' || c == '.')
        && cell.starts_with(|c: char| c.is_ascii_digit());
    plain.then(|| cell.replace(',', ".").parse().ok()).flatten()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn french_and_english_amounts_are_read() {
        assert_eq!(amounts("1 234,56 $"), [Money(123456)]);
        assert_eq!(amounts("$1,234.56"), [Money(123456)]);
        assert_eq!(amounts("12 345 678,90 $"), [Money(1234567890)]);
        assert_eq!(amounts("$0.05"), [Money(5)]);
        assert_eq!(amounts("-$12.00"), [Money(-1200)]);
        assert_eq!(amounts("2   45,00 $   90,00 $"), [Money(4500), Money(9000)]);
    }

    #[test]
    fn ocr_slips_in_amounts_are_forgiven() {
        assert_eq!(amounts("$1.234.56"), [Money(123456)]);
        assert_eq!(amounts("1 234.56 $"), [Money(123456)]);
        assert_eq!(amounts("$ 1,234 .56"), [Money(123456)]);
    }

    #[test]
    fn rates_dates_and_numbers_are_not_amounts() {
        assert_eq!(amounts("TVQ (9,975 %)"), []);
        assert_eq!(amounts("2026-11-03 03/11/2026 450 555-0142"), []);
        assert_eq!(amounts("123456789 RT0001"), []);
    }

    #[test]
    fn rates_and_quantities() {
        assert_eq!(rate("TVQ (9,975 %)"), Some(9.975));
        assert_eq!(rate("QST (9.975%)"), Some(9.975));
        assert_eq!(rate("HST 13%"), Some(13.0));
        assert_eq!(rate("TPS"), None);
        assert_eq!(quantity("3"), Some(3.0));
        assert_eq!(quantity("2,5"), Some(2.5));
        assert_eq!(quantity("3 m"), None);
        assert!(is_amount("1 234,56 $"));
        assert!(is_amount("$12.00"));
        assert!(!is_amount("Câble 12,00"));
    }
}
