//! Masked hints ("we sent a link to m••••y@e•••••.ca").
//!
//! A hint is computed from what the customer typed, never from an ERP lookup: showing a
//! contact only when an account exists would tell an attacker which identifiers are
//! customers (account enumeration). Masks keep the typed length, so the customer can
//! recognise what they typed without the hint revealing more of it.

/// The one mask character used in every hint.
pub const MASK: char = '•';

/// Masks a normalised email: first and last character of the local part (first only when it
/// is shorter than 3), first character of the domain, top-level domain visible.
///
/// `marie.tremblay@example.ca` → `m••••••••••••y@e••••••.ca`.
pub fn mask_email(email: &str) -> String {
    let Some((local, domain)) = email.rsplit_once('@') else {
        return mask_all(email);
    };
    let (name, tld) = match domain.rsplit_once('.') {
        Some((name, tld)) => (name, Some(tld)),
        None => (domain, None),
    };
    let mut out = mask_local_part(local);
    out.push('@');
    out.push_str(&keep_first(name));
    if let Some(tld) = tld {
        out.push('.');
        out.push_str(tld);
    }
    out
}

pub use shared::phone::mask as mask_phone;

/// Masks a customer id, keeping its last three characters when it has more than three.
///
/// `CUST-2024-00001` → `••••••••••••001`.
pub fn mask_customer_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 3 {
        return mask_all(id);
    }
    let split = chars.len() - 3;
    let tail: String = chars[split..].iter().collect();
    format!("{}{tail}", mask_run(split))
}

fn mask_local_part(local: &str) -> String {
    let chars: Vec<char> = local.chars().collect();
    match chars.as_slice() {
        [] => String::new(),
        [_] => mask_run(1),
        [first, _] => format!("{first}{MASK}"),
        [first, middle @ .., last] => format!("{first}{}{last}", mask_run(middle.len())),
    }
}

fn keep_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", mask_run(chars.count())),
        None => String::new(),
    }
}

fn mask_all(s: &str) -> String {
    mask_run(s.chars().count())
}

fn mask_run(n: usize) -> String {
    std::iter::repeat_n(MASK, n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_keeps_first_and_last_of_local_part_first_of_domain_and_the_tld() {
        assert_eq!(
            mask_email("marie.tremblay@example.ca"),
            "m••••••••••••y@e••••••.ca"
        );
    }

    #[test]
    fn a_short_local_part_reveals_at_most_its_first_character() {
        assert_eq!(mask_email("jo@videotron.ca"), "j•@v••••••••.ca");
        assert_eq!(mask_email("j@videotron.ca"), "•@v••••••••.ca");
    }

    #[test]
    fn a_subdomain_is_masked_up_to_the_tld() {
        assert_eq!(
            mask_email("ab.c@mail.example.co.uk"),
            "a••c@m••••••••••••••.uk"
        );
    }

    #[test]
    fn a_north_american_phone_shows_only_the_last_four_digits() {
        assert_eq!(mask_phone("+15145550147"), "(•••) •••-0147");
    }

    #[test]
    fn an_international_phone_shows_only_the_last_four_digits() {
        assert_eq!(mask_phone("+33612345678"), "+•••••••5678");
    }

    #[test]
    fn a_customer_id_shows_only_its_last_three_characters() {
        assert_eq!(mask_customer_id("CUST-2024-00001"), "••••••••••••001");
        assert_eq!(mask_customer_id("10234"), "••234");
    }

    #[test]
    fn a_very_short_customer_id_is_fully_masked() {
        assert_eq!(mask_customer_id("123"), "•••");
    }

    #[test]
    fn accented_customer_names_are_masked_by_character_not_byte() {
        assert_eq!(mask_customer_id("Hélène Côté"), "••••••••ôté");
    }
}
