//! Amounts: integer cents of CAD, from ERPNext's decimal amounts and for Stripe's minor units, shown
//! the Quebec way (`114,98 $` in French, `$114.98` in English).

/// An amount in cents of CAD, never negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Cents(i64);

/// Why an amount is refused (answered 422).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AmountError {
    /// Below zero.
    #[error("an amount cannot be negative")]
    Negative,
    /// Not a whole number of cents (`10.005`), or not a finite number.
    #[error("an amount is a whole number of cents")]
    Fractional,
    /// Larger than any invoice of ours can be.
    #[error("the amount is too large")]
    TooLarge,
}

/// The largest amount handled: ten million dollars.
const MAX_CENTS: i64 = 1_000_000_000;

impl Cents {
    /// `cents` cents, refused when negative or too large.
    pub fn new(cents: i64) -> Result<Self, AmountError> {
        match cents {
            c if c < 0 => Err(AmountError::Negative),
            c if c > MAX_CENTS => Err(AmountError::TooLarge),
            c => Ok(Self(c)),
        }
    }

    /// ERPNext's decimal amount (`outstanding_amount: 114.98`) in cents; a value that is not a whole
    /// number of cents (beyond float noise) is refused rather than rounded.
    pub fn from_decimal(amount: f64) -> Result<Self, AmountError> {
        if !amount.is_finite() {
            return Err(AmountError::Fractional);
        }
        let scaled = amount * 100.0;
        let rounded = scaled.round();
        if (scaled - rounded).abs() > 1e-6 {
            return Err(AmountError::Fractional);
        }
        if rounded > MAX_CENTS as f64 {
            return Err(AmountError::TooLarge);
        }
        Self::new(rounded as i64)
    }

    /// The value in cents (Stripe's `unit_amount`, `amount`).
    pub fn get(self) -> i64 {
        self.0
    }

    /// `114,98 $` (French) or `$114.98` (English), thousands grouped (`1 234,50 $`, `$1,234.50`).
    pub fn display(self, lang: &str) -> String {
        let (dollars, cents) = (self.0 / 100, self.0 % 100);
        let digits = dollars.to_string();
        let french = lang != "en";
        let separator = if french { '\u{a0}' } else { ',' };
        let mut grouped = String::new();
        for (i, d) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(separator);
            }
            grouped.push(d);
        }
        if french {
            format!("{grouped},{cents:02}\u{a0}$")
        } else {
            format!("${grouped}.{cents:02}")
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn erpnext_amounts_become_exact_cents() {
        assert_eq!(Cents::from_decimal(114.98).unwrap().get(), 11_498);
        assert_eq!(
            Cents::from_decimal(0.1 + 0.2).unwrap().get(),
            30,
            "float noise is not a fraction"
        );
        assert_eq!(Cents::from_decimal(0.0).unwrap().get(), 0);
        assert_eq!(
            Cents::from_decimal(80.4825 * 2.0).unwrap_err(),
            AmountError::Fractional
        );
    }

    /// Bad input tried: negative, fractional cents, NaN, infinity, absurdly large.
    #[test]
    fn negative_fractional_or_absurd_amounts_are_refused() {
        assert_eq!(
            Cents::from_decimal(-1.0).unwrap_err(),
            AmountError::Negative
        );
        assert_eq!(Cents::new(-1).unwrap_err(), AmountError::Negative);
        assert_eq!(
            Cents::from_decimal(10.005).unwrap_err(),
            AmountError::Fractional
        );
        assert_eq!(
            Cents::from_decimal(f64::NAN).unwrap_err(),
            AmountError::Fractional
        );
        assert_eq!(
            Cents::from_decimal(f64::INFINITY).unwrap_err(),
            AmountError::Fractional
        );
        assert_eq!(
            Cents::from_decimal(1e12).unwrap_err(),
            AmountError::TooLarge
        );
    }

    #[test]
    fn amounts_read_the_quebec_way_in_french_and_english() {
        let c = |n| Cents::new(n).unwrap();
        assert_eq!(c(11_498).display("fr"), "114,98\u{a0}$");
        assert_eq!(c(11_498).display("en"), "$114.98");
        assert_eq!(c(123_450).display("fr"), "1\u{a0}234,50\u{a0}$");
        assert_eq!(c(123_450).display("en"), "$1,234.50");
        assert_eq!(c(5).display("en"), "$0.05");
        assert_eq!(c(100_000_000).display("en"), "$1,000,000.00");
    }
}
