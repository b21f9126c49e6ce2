//! Phone numbers in E.164 form, North America (NANP, +1) as the default region: what the login
//! box reads, what SMS are sent to. Shown masked in logs.

use std::fmt;

/// Not a phone number we can send to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("This phone number is not valid.")]
pub struct InvalidPhone;

/// The one mask character of masked numbers.
const MASK: char = '•';

/// Characters people put between the digits of a phone number.
const PHONE_PUNCTUATION: &[char] = &[' ', '-', '.', '(', ')', '/', '\u{00A0}'];

/// Shortest and longest digit count after `+` for a number outside North America.
const INTERNATIONAL_DIGITS: std::ops::RangeInclusive<usize> = 8..=15;

/// A phone number in E.164 form (`+15145550147`).
///
/// Parsed with North America as the default region: a number written without `+` must be a
/// valid 10-digit NANP number, optionally preceded by the trunk prefix `1`. Debug output is
/// masked so a number never lands in a log by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct E164Phone(String);

impl E164Phone {
    /// Parses any common North American form (`514 555-0147`, `(514) 555-0147`,
    /// `+1-514-555-0147`, `1 514 555 0147`, `514.555.0147`, `5145550147`) or `+` followed by
    /// 8 to 15 digits of another country (`+33 6 12 34 56 78`).
    ///
    /// # Errors
    /// [`InvalidPhone`] when the text is not such a number, including a NANP
    /// number whose area code or exchange starts with 0 or 1.
    pub fn parse(raw: &str) -> Result<Self, InvalidPhone> {
        let raw = raw.trim();
        if !is_phone_shaped(raw) {
            return Err(InvalidPhone);
        }
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        if let Some(rest) = raw.strip_prefix('+') {
            if rest.contains('+') {
                return Err(InvalidPhone);
            }
            return Self::from_international_digits(&digits);
        }
        if raw.contains('+') {
            return Err(InvalidPhone);
        }
        nanp_national(&digits)
            .map(|national| Self(format!("+1{national}")))
            .ok_or(InvalidPhone)
    }

    /// Builds from the digits that followed a `+` (country code included).
    fn from_international_digits(digits: &str) -> Result<Self, InvalidPhone> {
        if let Some(national) = digits.strip_prefix('1') {
            return match is_valid_nanp(national) {
                true => Ok(Self(format!("+{digits}"))),
                false => Err(InvalidPhone),
            };
        }
        let plausible = INTERNATIONAL_DIGITS.contains(&digits.len()) && !digits.starts_with('0');
        match plausible {
            true => Ok(Self(format!("+{digits}"))),
            false => Err(InvalidPhone),
        }
    }

    /// True for a +1 (Canada, United States, NANP Caribbean) number: the only countries
    /// the portal sends SMS to (SMS pumping fraud targets expensive destinations).
    pub fn is_north_american(&self) -> bool {
        self.0.starts_with("+1")
    }

    /// The E.164 text, e.g. `+15145550147`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for E164Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("E164Phone").field(&mask(&self.0)).finish()
    }
}

impl fmt::Display for E164Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for E164Phone {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Masks an E.164 number, keeping its last four digits.
///
/// North American numbers keep their familiar shape: `+15145550147` → `(•••) •••-0147`;
/// others become `+` and masked digits: `+33612345678` → `+•••••••5678`.
pub fn mask(e164: &str) -> String {
    let digits: Vec<char> = e164.chars().filter(char::is_ascii_digit).collect();
    let last_four: String = digits[digits.len().saturating_sub(4)..].iter().collect();
    if digits.len() == 11 && digits.first() == Some(&'1') {
        let m = MASK;
        return format!("({m}{m}{m}) {m}{m}{m}-{last_four}");
    }
    let hidden: String = std::iter::repeat_n(MASK, digits.len().saturating_sub(4)).collect();
    format!("+{hidden}{last_four}")
}

/// Only digits, phone punctuation and `+`, with at least one digit.
pub fn is_phone_shaped(raw: &str) -> bool {
    raw.chars().any(|c| c.is_ascii_digit())
        && raw
            .chars()
            .all(|c| c.is_ascii_digit() || c == '+' || PHONE_PUNCTUATION.contains(&c))
}

/// True when the text carries a phone-only mark: punctuation around digits or a leading `+`.
pub fn has_phone_punctuation(raw: &str) -> bool {
    raw.chars().any(|c| !c.is_ascii_digit())
}

/// The 10-digit national number of a NANP number written without `+`, if valid.
pub fn nanp_national(digits: &str) -> Option<&str> {
    let national = match digits.len() {
        10 => digits,
        11 => digits.strip_prefix('1')?,
        _ => return None,
    };
    is_valid_nanp(national).then_some(national)
}

/// Ten digits, area code and exchange each starting with 2–9.
fn is_valid_nanp(national: &str) -> bool {
    let bytes = national.as_bytes();
    bytes.len() == 10
        && bytes.iter().all(u8::is_ascii_digit)
        && (b'2'..=b'9').contains(&bytes[0])
        && (b'2'..=b'9').contains(&bytes[3])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_common_north_american_form_gives_the_same_e164() {
        for raw in [
            "514 555-0147",
            "(514) 555-0147",
            "+1-514-555-0147",
            "1 514 555 0147",
            "514.555.0147",
            "5145550147",
            "+15145550147",
            "+1 (514) 555-0147",
            "1-514-555-0147",
        ] {
            assert_eq!(
                E164Phone::parse(raw).unwrap().as_str(),
                "+15145550147",
                "{raw}"
            );
        }
    }

    #[test]
    fn a_french_mobile_is_e164_but_not_north_american() {
        let phone = E164Phone::parse("+33 6 12 34 56 78").unwrap();
        assert_eq!(phone.as_str(), "+33612345678");
        assert!(!phone.is_north_american());
    }

    #[test]
    fn a_montreal_number_is_north_american() {
        assert!(
            E164Phone::parse("514 555-0147")
                .unwrap()
                .is_north_american()
        );
    }

    #[test]
    fn an_area_code_or_exchange_starting_with_0_or_1_is_refused() {
        for raw in [
            "014 555 0147",
            "114 555 0147",
            "514 055 0147",
            "+1 514 155 0147",
        ] {
            assert_eq!(E164Phone::parse(raw), Err(InvalidPhone), "{raw}");
        }
    }

    #[test]
    fn wrong_digit_counts_are_refused() {
        for raw in [
            "555-0147",
            "+1 514 555 01478",
            "+3312345",
            "+3312345678901234",
            "+0 33 612 345",
        ] {
            assert_eq!(E164Phone::parse(raw), Err(InvalidPhone), "{raw}");
        }
    }

    #[test]
    fn a_misplaced_plus_or_a_letter_is_refused() {
        for raw in ["514+555-0147", "++15145550147", "514-555-O147", "+"] {
            assert_eq!(E164Phone::parse(raw), Err(InvalidPhone), "{raw}");
        }
    }

    #[test]
    fn debug_output_masks_the_number() {
        let phone = E164Phone::parse("5145550147").unwrap();
        assert_eq!(format!("{phone:?}"), "E164Phone(\"(•••) •••-0147\")");
    }
}
