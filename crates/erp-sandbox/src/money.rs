//! Amounts as integer cents: Frappe sends and stores currency as floats with 2 decimals,
//! the sandbox computes in cents so totals and taxes are exact to the cent.

use serde_json::{Value, json};

/// `86.23` (or `"86.23"`) → `8623`; `None` when not a number.
pub fn cents(value: &Value) -> Option<i64> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if !number.is_finite() {
        return None;
    }
    // Rounding at 1/100 is what Frappe's currency precision does.
    #[allow(clippy::cast_possible_truncation, reason = "finite and rounded")]
    Some((number * 100.0).round() as i64)
}

/// The cents of `doc[field]`, `0` when absent or blank.
pub fn field_cents(doc: &Value, field: &str) -> i64 {
    doc.get(field).and_then(cents).unwrap_or(0)
}

/// `8623` → JSON `86.23`, as Frappe answers a Currency field.
pub fn amount(cents: i64) -> Value {
    // Cents below 2^53 convert exactly; the division then rounds to the nearest double.
    json!(cents as f64 / 100.0)
}

/// `cents × rate %`, rounded half away from zero to the cent; `rate` as given (`9.975`).
pub fn percent_of(cents: i64, rate: f64) -> i64 {
    // The rate in thousandths of a percent keeps the product in integers (9.975 % → 9975).
    #[allow(
        clippy::cast_possible_truncation,
        reason = "rates are small and rounded"
    )]
    let milli = (rate * 1000.0).round() as i64;
    let scaled = cents * milli;
    let half = 50_000 * scaled.signum();
    (scaled + half) / 100_000
}

/// `12 345,67 $`-free display: `1234.5` → `1234.50`.
pub fn display(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quebec_taxes_round_to_the_cent() {
        assert_eq!(percent_of(7500, 5.0), 375);
        assert_eq!(percent_of(7500, 9.975), 748); // 7.48125
        assert_eq!(percent_of(1010, 5.0), 51); // 50.5 rounds up
        assert_eq!(percent_of(9500, 9.975), 948); // 9.47625
    }

    #[test]
    fn floats_and_text_read_as_cents() {
        assert_eq!(cents(&json!(86.23)), Some(8623));
        assert_eq!(cents(&json!("0.1")), Some(10));
        assert_eq!(cents(&json!(-3)), Some(-300));
        assert_eq!(cents(&json!("abc")), None);
        assert_eq!(amount(8623), json!(86.23));
        assert_eq!(display(-5), "-0.05");
    }
}
