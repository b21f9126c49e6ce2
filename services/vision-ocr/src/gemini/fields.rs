//! The checks every field of Gemini's answer goes through, and the shortening of what is shown.

use chrono::{Datelike as _, NaiveDate};

use super::GeminiError;
use crate::invoice::Money;

/// Longest text field kept; anything longer is not a field of an invoice or a label.
const MAX_TEXT_CHARS: usize = 500;
/// Largest amount believed, in cents (ten million dollars).
const MAX_CENTS: i64 = 1_000_000_000;
/// Characters of a quoted value kept in a message.
const QUOTE_CHARS: usize = 12;

/// `text` trimmed, or none when empty; too long a text is a schema error naming `field`.
pub(super) fn text(field: &str, raw: Option<String>) -> Result<Option<String>, GeminiError> {
    let Some(raw) = raw else { return Ok(None) };
    let trimmed = raw.trim();
    if trimmed.chars().count() > MAX_TEXT_CHARS {
        return Err(GeminiError::Schema(format!("{field} is too long")));
    }
    Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
}

/// An amount in dollars, rounded to the cent; NaN or beyond ten million dollars is an error.
pub(super) fn money(field: &str, dollars: Option<f64>) -> Result<Option<Money>, GeminiError> {
    let Some(dollars) = dollars else {
        return Ok(None);
    };
    Money::from_dollars(dollars)
        .filter(|m| m.0.abs() <= MAX_CENTS)
        .map(Some)
        .ok_or_else(|| GeminiError::Schema(format!("{field} is not a plausible amount")))
}

/// A finite number within `[min, max]`.
pub(super) fn number(
    field: &str,
    value: Option<f64>,
    min: f64,
    max: f64,
) -> Result<Option<f64>, GeminiError> {
    match value {
        Some(v) if !(v.is_finite() && (min..=max).contains(&v)) => Err(GeminiError::Schema(
            format!("{field} is not a plausible number"),
        )),
        other => Ok(other),
    }
}

/// An ISO date (`2026-11-03`) between 1990 and 2100.
pub(super) fn date(field: &str, raw: Option<String>) -> Result<Option<NaiveDate>, GeminiError> {
    let Some(raw) = text(field, raw)? else {
        return Ok(None);
    };
    NaiveDate::parse_from_str(&raw, "%Y-%m-%d")
        .ok()
        .filter(|d| (1990..=2100).contains(&d.year()))
        .map(Some)
        .ok_or_else(|| GeminiError::Schema(format!("{field} is not an ISO date")))
}

/// The first `max` characters of `text`, with `…` when cut.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `text` with every double-quoted part cut to a few characters: serde's messages quote the value
/// they refused, and that value is the model's text.
pub(crate) fn clip_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quoted = None::<usize>;
    for c in text.chars() {
        match (c, quoted) {
            ('"', None) => quoted = Some(0),
            ('"', Some(_)) => quoted = None,
            (_, Some(n)) if n >= QUOTE_CHARS => {
                if n == QUOTE_CHARS {
                    out.push('…');
                }
                quoted = Some(n + 1);
                continue;
            }
            (_, Some(n)) => quoted = Some(n + 1),
            _ => {}
        }
        out.push(c);
    }
    out
}

/// A serde error on the answer as a schema error (its quoted values cut short).
pub(super) fn schema_error(e: &serde_json::Error) -> GeminiError {
    GeminiError::Schema(clip(&clip_quotes(&e.to_string()), 120))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_are_cut_to_a_few_characters() {
        let cut = clip_quotes(r#"invalid type: string "abcdefghijklmnopqrstuvwxyz", expected f64"#);
        assert_eq!(cut, r#"invalid type: string "abcdefghijkl…", expected f64"#);
    }

    #[test]
    fn texts_are_trimmed_and_empty_is_none() {
        assert_eq!(
            text("f", Some("  x ".into())).unwrap().as_deref(),
            Some("x")
        );
        assert_eq!(text("f", Some("   ".into())).unwrap(), None);
        assert!(text("f", Some("y".repeat(501))).is_err());
    }

    #[test]
    fn amounts_and_dates_are_checked() {
        assert_eq!(money("t", Some(12.345)).unwrap(), Some(Money(1235)));
        assert!(money("t", Some(1e8)).is_err());
        assert!(money("t", Some(f64::NAN)).is_err());
        assert!(date("d", Some("2026-02-30".into())).is_err());
        assert!(date("d", Some("03/11/2026".into())).is_err());
        assert_eq!(
            date("d", Some("2026-11-03".into())).unwrap(),
            NaiveDate::from_ymd_opt(2026, 11, 3)
        );
    }
}
