//! Property tests for the identifier parsers.

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;

use super::*;

/// Every way a customer writes the same North American number.
fn nanp_formats(area: &str, exchange: &str, line: &str) -> Vec<String> {
    vec![
        format!("{area}{exchange}{line}"),
        format!("1{area}{exchange}{line}"),
        format!("+1{area}{exchange}{line}"),
        format!("{area} {exchange}-{line}"),
        format!("({area}) {exchange}-{line}"),
        format!("({area}){exchange}-{line}"),
        format!("+1-{area}-{exchange}-{line}"),
        format!("+1 ({area}) {exchange}-{line}"),
        format!("1 {area} {exchange} {line}"),
        format!("1-{area}-{exchange}-{line}"),
        format!("{area}.{exchange}.{line}"),
        format!("{area}-{exchange}-{line}"),
        format!("  {area} {exchange} {line}\n"),
    ]
}

proptest! {
    #[test]
    fn parsing_never_panics_on_arbitrary_text(raw in any::<String>()) {
        let _ = Identifier::parse(&raw);
        let _ = Email::parse(&raw);
        let _ = E164Phone::parse(&raw);
        let _ = CustomerId::parse(&raw);
    }

    #[test]
    fn parsing_never_panics_on_phone_and_email_like_text(raw in r"[0-9 +().@a-zA-Z\-éÇ•]{0,40}") {
        if let Ok(id) = Identifier::parse(&raw) {
            // A parsed identifier always has a hint and a non-empty key.
            let _ = id.hint();
            prop_assert!(!id.normalised().is_empty());
        }
    }

    #[test]
    fn every_nanp_formatting_normalises_to_the_same_e164(
        area in "[2-9][0-9]{2}",
        exchange in "[2-9][0-9]{2}",
        line in "[0-9]{4}",
    ) {
        let expected = format!("+1{area}{exchange}{line}");
        for raw in nanp_formats(&area, &exchange, &line) {
            let id = Identifier::parse(&raw).unwrap();
            prop_assert_eq!(id.kind(), IdentifierKind::Phone, "{:?}", raw);
            prop_assert_eq!(id.normalised(), expected.as_str(), "{:?}", raw);
        }
    }

    #[test]
    fn email_normalisation_is_idempotent(raw in r"\s{0,2}[a-zA-Z0-9._%+'-]{1,20}@[a-zA-Z0-9-]{1,12}(\.[a-zA-Z]{2,6}){1,2}\s{0,2}") {
        if let Ok(first) = Identifier::parse(&raw) {
            let again = Identifier::parse(first.normalised()).unwrap();
            prop_assert_eq!(&again, &first);
            prop_assert_eq!(again.normalised(), first.normalised());
        }
    }

    #[test]
    fn email_normalisation_is_idempotent_on_arbitrary_text(local in any::<String>(), domain in any::<String>()) {
        let raw = format!("{local}@{domain}");
        if let Ok(first) = Email::parse(&raw) {
            prop_assert_eq!(Email::parse(first.as_str()), Ok(first.clone()));
        }
    }

    #[test]
    fn a_plain_valid_address_always_parses(local in "[a-z0-9]{1,20}", domain in "[a-z0-9]{1,20}", tld in "[a-z]{2,6}") {
        let raw = format!("{local}@{domain}.{tld}");
        let id = Identifier::parse(&raw).unwrap();
        prop_assert_eq!(id.normalised(), raw.as_str());
    }

    #[test]
    fn a_hint_never_reveals_more_than_the_last_four_phone_digits(
        area in "[2-9][0-9]{2}",
        exchange in "[2-9][0-9]{2}",
        line in "[0-9]{4}",
    ) {
        let hint = Identifier::parse(&format!("{area}{exchange}{line}")).unwrap().hint();
        let digits: String = hint.chars().filter(char::is_ascii_digit).collect();
        prop_assert_eq!(digits, line);
    }
}
