//! Dates as invoices print them: `2026-11-03`, `03/11/2026`, `3 novembre 2026`,
//! `November 3, 2026`, `Nov 3, 2026`.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

use super::text::fold;

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(20\d{2})\s?[-/.]\s?(\d{1,2})\s?[-/.]\s?(\d{1,2})\b")
        .unwrap_or_else(|_| unreachable!())
});
static NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})\s?[/.-]\s?(\d{1,2})\s?[/.-]\s?(\d{4})\b")
        .unwrap_or_else(|_| unreachable!())
});
static DAY_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d{1,2})(?:er)?\s*([a-z]{3,10})\.?,?\s*(\d{4})\b")
        .unwrap_or_else(|_| unreachable!())
});
static MONTH_DAY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([a-z]{3,10})\.?\s*(\d{1,2})(?:st|nd|rd|th)?\s*[,.]?\s*(\d{4})\b")
        .unwrap_or_else(|_| unreachable!())
});

/// The months' names and their usual abbreviations, French and English, accents folded.
const MONTHS: [&[&str]; 12] = [
    &["janvier", "janv", "january", "jan"],
    &["fevrier", "fevr", "fev", "february", "feb"],
    &["mars", "march", "mar"],
    &["avril", "avr", "april", "apr"],
    &["mai", "may"],
    &["juin", "june", "jun"],
    &["juillet", "juil", "july", "jul"],
    &["aout", "august", "aug"],
    &["septembre", "sept", "september", "sep"],
    &["octobre", "oct", "october"],
    &["novembre", "nov", "november"],
    &["decembre", "dec", "december"],
];

fn month(name: &str) -> Option<u32> {
    let position = MONTHS.iter().position(|names| names.contains(&name))?;
    u32::try_from(position + 1).ok()
}

/// The first date in `text`; `day_first` settles `03/11/2026` (French) against `11/03/2026`.
pub(crate) fn date(text: &str, day_first: bool) -> Option<NaiveDate> {
    let folded = fold(text);
    let mut found: Vec<(usize, NaiveDate)> = Vec::new();
    for c in ISO.captures_iter(&folded) {
        push(&mut found, &c, [1, 2, 3]);
    }
    for c in NUMERIC.captures_iter(&folded) {
        let (first, second) = (num(&c[1]), num(&c[2]));
        let day_first = match (first, second) {
            (Some(a), _) if a > 12 => true,
            (_, Some(b)) if b > 12 => false,
            _ => day_first,
        };
        let order = if day_first { [3, 2, 1] } else { [3, 1, 2] };
        push(&mut found, &c, order);
    }
    for c in DAY_MONTH.captures_iter(&folded) {
        named(&mut found, &c, 2, 1);
    }
    for c in MONTH_DAY.captures_iter(&folded) {
        named(&mut found, &c, 1, 2);
    }
    found.into_iter().min_by_key(|(at, _)| *at).map(|(_, d)| d)
}

fn num(text: &str) -> Option<u32> {
    text.parse().ok()
}

/// A date from its captures of year, month and day, by their group numbers.
fn push(found: &mut Vec<(usize, NaiveDate)>, c: &regex::Captures, [y, m, d]: [usize; 3]) {
    let year = c[y].parse().ok();
    let date = year.and_then(|year| NaiveDate::from_ymd_opt(year, num(&c[m])?, num(&c[d])?));
    if let (Some(date), Some(at)) = (date, c.get(0)) {
        found.push((at.start(), date));
    }
}

/// A date with the month in words, by the groups of the month and the day.
fn named(found: &mut Vec<(usize, NaiveDate)>, c: &regex::Captures, m: usize, d: usize) {
    let date = month(&c[m])
        .and_then(|month| NaiveDate::from_ymd_opt(c[3].parse().ok()?, month, num(&c[d])?));
    if let (Some(date), Some(at)) = (date, c.get(0)) {
        found.push((at.start(), date));
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn nov3() -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(2026, 11, 3)
    }

    #[test]
    fn every_printed_form_is_read() {
        for text in [
            "2026-11-03",
            "Date : 03/11/2026",
            "3 novembre 2026",
            "le 3 Novembre 2026",
            "November 3, 2026",
            "Nov 3, 2026",
            "Nov. 3 2026",
            "3 nov. 2026",
        ] {
            assert_eq!(date(text, true), nov3(), "{text}");
        }
        assert_eq!(
            date("1er décembre 2026", true),
            NaiveDate::from_ymd_opt(2026, 12, 1)
        );
        assert_eq!(
            date("14 février 2026", true),
            NaiveDate::from_ymd_opt(2026, 2, 14)
        );
        assert_eq!(
            date("14 fevrier 2026", true),
            NaiveDate::from_ymd_opt(2026, 2, 14)
        );
        assert_eq!(
            date("15 août 2026", true),
            NaiveDate::from_ymd_opt(2026, 8, 15)
        );
    }

    #[test]
    fn slashes_follow_the_language_unless_a_part_is_over_twelve() {
        assert_eq!(date("03/11/2026", true), nov3());
        assert_eq!(date("11/03/2026", false), nov3());
        assert_eq!(
            date("11/25/2026", true),
            NaiveDate::from_ymd_opt(2026, 11, 25)
        );
        assert_eq!(
            date("25/11/2026", false),
            NaiveDate::from_ymd_opt(2026, 11, 25)
        );
    }

    #[test]
    fn not_dates() {
        assert_eq!(date("450 555-0142", true), None);
        assert_eq!(date("31/02/2026", true), None);
        assert_eq!(date("Total 1 234,56 $", true), None);
    }
}
