//! Amounts, dates and rates as Quebec and Canadian invoices print them.

use chrono::{Datelike, NaiveDate};

use crate::Lang;

/// How a date is printed; each language has three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateStyle {
    /// `2026-11-03` in both languages.
    Iso,
    /// French `03/11/2026` (day first); English `Nov 3, 2026`.
    Short,
    /// French `3 novembre 2026`; English `November 3, 2026`.
    Long,
}

const MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// `date` printed in `lang` and `style`.
pub(crate) fn date(date: NaiveDate, lang: Lang, style: DateStyle) -> String {
    let (d, m, y) = (date.day(), date.month0() as usize, date.year());
    match (style, lang) {
        (DateStyle::Iso, _) => date.format("%Y-%m-%d").to_string(),
        (DateStyle::Short, Lang::Fr) => date.format("%d/%m/%Y").to_string(),
        (DateStyle::Short, Lang::En) => format!("{} {d}, {y}", &MONTHS[m][..3]),
        (DateStyle::Long, Lang::Fr) => format!("{d} {} {y}", MOIS[m]),
        (DateStyle::Long, Lang::En) => format!("{} {d}, {y}", MONTHS[m]),
    }
}

/// `cents` printed as money the way the invoices print it: French `1 234,56 $` (a plain space
/// between thousands), English `$1,234.56`.
pub fn money(cents: i64, lang: Lang) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    let (units, rest) = (cents / 100, cents % 100);
    match lang {
        Lang::Fr => format!("{sign}{},{rest:02} $", grouped(units, ' ')),
        Lang::En => format!("{sign}${}.{rest:02}", grouped(units, ',')),
    }
}

/// `units` with `separator` between groups of three digits.
fn grouped(units: u64, separator: char) -> String {
    let digits = units.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

/// A rate in thousandths of a percent printed as a percentage: `5 %`, `9,975 %` / `5%`, `9.975%`.
pub(crate) fn rate(rate_millipercent: u32, lang: Lang) -> String {
    let whole = rate_millipercent / 1000;
    let fraction = rate_millipercent % 1000;
    let fraction = if fraction == 0 {
        String::new()
    } else {
        let digits = format!("{fraction:03}");
        let decimal = if lang == Lang::Fr { ',' } else { '.' };
        format!("{decimal}{}", digits.trim_end_matches('0'))
    };
    match lang {
        Lang::Fr => format!("{whole}{fraction} %"),
        Lang::En => format!("{whole}{fraction}%"),
    }
}

/// The tax on `subtotal_cents` at `rate_millipercent`, rounded half up to the cent.
pub(crate) fn tax(subtotal_cents: i64, rate_millipercent: u32) -> i64 {
    (subtotal_cents * i64::from(rate_millipercent) + 50_000).div_euclid(100_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_printed_the_french_and_the_english_way() {
        assert_eq!(money(123_456, Lang::Fr), "1 234,56 $");
        assert_eq!(money(123_456, Lang::En), "$1,234.56");
        assert_eq!(money(5, Lang::En), "$0.05");
        assert_eq!(money(100_000_000, Lang::Fr), "1 000 000,00 $");
    }

    #[test]
    fn dates_are_printed_day_first_in_french() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap_or_default();
        assert_eq!(date(day, Lang::Fr, DateStyle::Short), "03/11/2026");
        assert_eq!(date(day, Lang::Fr, DateStyle::Long), "3 novembre 2026");
        assert_eq!(date(day, Lang::En, DateStyle::Short), "Nov 3, 2026");
        assert_eq!(date(day, Lang::En, DateStyle::Long), "November 3, 2026");
        assert_eq!(date(day, Lang::En, DateStyle::Iso), "2026-11-03");
    }

    #[test]
    fn rates_and_taxes_round_half_up() {
        assert_eq!(rate(9975, Lang::Fr), "9,975 %");
        assert_eq!(rate(13000, Lang::En), "13%");
        assert_eq!(tax(10_000, 9975), 998);
        assert_eq!(tax(10, 5000), 1);
        assert_eq!(tax(9, 5000), 0);
    }
}
