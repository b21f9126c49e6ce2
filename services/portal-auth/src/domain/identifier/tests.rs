#![allow(clippy::unwrap_used)]

use super::*;

fn kind_of(raw: &str) -> IdentifierKind {
    Identifier::parse(raw).unwrap().kind()
}

#[test]
fn whitespace_only_is_empty() {
    assert_eq!(Identifier::parse(""), Err(IdentifierError::Empty));
    assert_eq!(Identifier::parse(" \t\r\n "), Err(IdentifierError::Empty));
}

#[test]
fn more_than_254_characters_is_too_long() {
    let at_limit = "a".repeat(254);
    let over = "a".repeat(255);
    assert_eq!(kind_of(&at_limit), IdentifierKind::CustomerId);
    assert_eq!(Identifier::parse(&over), Err(IdentifierError::TooLong));
    // Characters, not bytes: 254 accented letters are fine.
    assert!(Identifier::parse(&"é".repeat(254)).is_ok());
}

#[test]
fn control_and_invisible_characters_are_refused() {
    for raw in [
        "marie\0@example.ca",
        "marie\r\nBcc: x@example.ca",
        "CUST\t2024",
        "514\u{0085}5550147",
        "CUST\u{009B}1",
        "a\u{2028}b",
        "a\u{2029}b",
        "CUST-\u{202E}1000",
        "a\u{202A}b",
        "a\u{2066}b\u{2069}",
        "a\u{200B}b",
        "a\u{FEFF}b",
        "a\u{7F}b",
    ] {
        assert_eq!(
            Identifier::parse(raw),
            Err(IdentifierError::ControlCharacters),
            "{raw:?}"
        );
    }
}

#[test]
fn surrounding_whitespace_is_trimmed_first() {
    let id = Identifier::parse("\n  Marie@Example.ca \r\n").unwrap();
    assert_eq!(id.normalised(), "marie@example.ca");
}

#[test]
fn text_with_an_at_sign_is_an_email() {
    let id = Identifier::parse("Marie.Tremblay@Example.CA").unwrap();
    assert_eq!(id.kind(), IdentifierKind::Email);
    assert_eq!(id.normalised(), "marie.tremblay@example.ca");
    assert_eq!(
        Identifier::parse("marie@"),
        Err(IdentifierError::InvalidEmail)
    );
}

#[test]
fn north_american_numbers_are_phones_in_e164() {
    let id = Identifier::parse("(514) 555-0147").unwrap();
    assert_eq!(id.kind(), IdentifierKind::Phone);
    assert_eq!(id.normalised(), "+15145550147");
    assert_eq!(
        Identifier::parse("5145550147").unwrap().normalised(),
        "+15145550147"
    );
    assert_eq!(
        Identifier::parse("15145550147").unwrap().normalised(),
        "+15145550147"
    );
}

#[test]
fn an_international_number_with_plus_is_a_phone() {
    let id = Identifier::parse("+33 6 12 34 56 78").unwrap();
    assert_eq!(id.normalised(), "+33612345678");
    assert!(matches!(id, Identifier::Phone(ref p) if !p.is_north_american()));
}

#[test]
fn customer_names_and_legacy_numbers_are_customer_ids() {
    for raw in [
        "CUST-2024-00001",
        "10234",
        "2024-00001",
        "Hélène Côté",
        "O'Brien & Fils",
        "Ferme_Lavoie.inc",
    ] {
        let id = Identifier::parse(raw).unwrap();
        assert_eq!(id.kind(), IdentifierKind::CustomerId, "{raw}");
        assert_eq!(id.normalised(), raw);
    }
}

#[test]
fn bare_digits_that_are_not_a_valid_nanp_number_are_customer_ids() {
    for raw in ["0145550147", "1234567890", "25145550147", "123456789012"] {
        assert_eq!(kind_of(raw), IdentifierKind::CustomerId, "{raw}");
    }
}

#[test]
fn a_punctuated_number_with_a_bad_area_code_is_an_invalid_phone() {
    for raw in ["(014) 555-0147", "114-555-0147", "+1 514 055 0147", "+12"] {
        assert_eq!(
            Identifier::parse(raw),
            Err(IdentifierError::InvalidPhone),
            "{raw}"
        );
    }
}

#[test]
fn punctuation_without_any_letter_or_digit_is_invalid() {
    for raw in ["---", "...", "''", "&"] {
        assert_eq!(
            Identifier::parse(raw),
            Err(IdentifierError::Invalid),
            "{raw}"
        );
    }
}

#[test]
fn hints_are_masked_by_kind() {
    let hint = |raw: &str| Identifier::parse(raw).unwrap().hint();
    assert_eq!(
        hint("marie.tremblay@example.ca"),
        "m••••••••••••y@e••••••.ca"
    );
    assert_eq!(hint("514 555-0147"), "(•••) •••-0147");
    assert_eq!(hint("CUST-2024-00001"), "••••••••••••001");
}

#[test]
fn debug_output_never_shows_the_raw_identifier() {
    let id = Identifier::parse("CUST-2024-00001").unwrap();
    assert!(!format!("{id:?}").contains("CUST"));
}

#[test]
fn kinds_serialise_in_snake_case() {
    let json = serde_json::to_string(&[
        IdentifierKind::Email,
        IdentifierKind::Phone,
        IdentifierKind::CustomerId,
    ])
    .unwrap();
    assert_eq!(json, r#"["email","phone","customer_id"]"#);
    let back: IdentifierKind = serde_json::from_str(r#""customer_id""#).unwrap();
    assert_eq!(back, IdentifierKind::CustomerId);
    assert_eq!(IdentifierKind::CustomerId.as_str(), "customer_id");
}

#[test]
fn error_codes_are_stable_and_distinct() {
    let codes = [
        IdentifierError::Empty,
        IdentifierError::TooLong,
        IdentifierError::ControlCharacters,
        IdentifierError::InvalidEmail,
        IdentifierError::InvalidPhone,
        IdentifierError::Invalid,
    ]
    .map(|e| e.code());
    let unique: std::collections::HashSet<_> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len());
    assert_eq!(
        IdentifierError::InvalidPhone.code(),
        "identifier_invalid_phone"
    );
}
