//! Email addresses, trimmed and lowercased so one mailbox is one login.

use std::fmt;

use super::identifier::IdentifierError;

/// Longest local part allowed by RFC 5321.
const MAX_LOCAL_PART: usize = 64;
/// Longest DNS label.
const MAX_LABEL: usize = 63;
/// Characters that never appear unquoted in an address we accept.
const FORBIDDEN: &[char] = &['<', '>', '(', ')', '[', ']', ',', ';', ':', '"', '\\', '@'];

/// A normalised email address: trimmed and lowercased.
///
/// Deliberately simpler than RFC 5322: no quoted local parts, comments or IP literals, which
/// no customer types. Internationalised domains are kept as typed (Unicode letters allowed).
/// Lowercasing the local part is technically lossy, but every mailbox provider our customers
/// use is case-insensitive, and splitting one customer into two accounts is the worse risk.
/// Debug output is masked so an address never lands in a log by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Parses and normalises an email address.
    ///
    /// # Errors
    /// [`IdentifierError::InvalidEmail`] unless the text has exactly one `@`, a local part of
    /// 1 to 64 characters without spaces, `<>()[],;:"\` or consecutive/edge dots, and a domain
    /// of at least two dot-separated labels made of letters, digits and inner hyphens.
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let email = raw.trim().to_lowercase();
        let (local, domain) = email.split_once('@').ok_or(IdentifierError::InvalidEmail)?;
        match is_valid_local_part(local) && is_valid_domain(domain) {
            true => Ok(Self(email)),
            false => Err(IdentifierError::InvalidEmail),
        }
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part after `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Email")
            .field(&super::mask::mask_email(&self.0))
            .finish()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

fn is_valid_local_part(local: &str) -> bool {
    let length = local.chars().count();
    (1..=MAX_LOCAL_PART).contains(&length)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !FORBIDDEN.contains(&c))
}

fn is_valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let tld_ok = labels
        .last()
        .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()));
    labels.len() >= 2 && tld_ok && labels.iter().all(|label| is_valid_label(label))
}

fn is_valid_label(label: &str) -> bool {
    (1..=MAX_LABEL).contains(&label.chars().count())
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || is_idn_letter(c))
}

/// A non-ASCII lowercase letter or digit, as found in internationalised domains (`café.ca`).
fn is_idn_letter(c: char) -> bool {
    !c.is_ascii() && c.is_alphanumeric() && !c.is_uppercase()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn an_email_is_trimmed_and_lowercased() {
        let email = Email::parse("  Marie.Tremblay@Example.CA \t").unwrap();
        assert_eq!(email.as_str(), "marie.tremblay@example.ca");
        assert_eq!(email.domain(), "example.ca");
    }

    #[test]
    fn plus_addressing_and_subdomains_are_accepted() {
        assert!(Email::parse("marie+factures@mail.videotron.qc.ca").is_ok());
        assert!(Email::parse("o'brien_fils-2@b2b.example.com").is_ok());
    }

    #[test]
    fn an_internationalised_domain_is_kept_as_typed() {
        assert_eq!(Email::parse("luc@Café.ca").unwrap().as_str(), "luc@café.ca");
    }

    #[test]
    fn malformed_addresses_are_refused() {
        for raw in [
            "marie",
            "@example.ca",
            "marie@",
            "marie@@example.ca",
            "marie@exam@ple.ca",
            "marie@example",
            "marie@example.c",
            "marie@example.123",
            "marie@.example.ca",
            "marie@example..ca",
            "marie@-example.ca",
            "marie@example-.ca",
            "marie@exa_mple.ca",
            "marie tremblay@example.ca",
            "marie@exa mple.ca",
            ".marie@example.ca",
            "marie.@example.ca",
            "ma..rie@example.ca",
            "<marie@example.ca>",
            "marie(x)@example.ca",
            "\"marie\"@example.ca",
            "ma\\rie@example.ca",
            "ma,rie@example.ca",
            "ma;rie@example.ca",
            "ma:rie@example.ca",
            "ma[rie]@example.ca",
        ] {
            assert_eq!(
                Email::parse(raw),
                Err(IdentifierError::InvalidEmail),
                "{raw}"
            );
        }
    }

    #[test]
    fn a_local_part_over_64_characters_is_refused() {
        let ok = format!("{}@example.ca", "a".repeat(64));
        let too_long = format!("{}@example.ca", "a".repeat(65));
        assert!(Email::parse(&ok).is_ok());
        assert_eq!(Email::parse(&too_long), Err(IdentifierError::InvalidEmail));
    }

    #[test]
    fn debug_output_masks_the_address() {
        let email = Email::parse("marie.tremblay@example.ca").unwrap();
        assert_eq!(format!("{email:?}"), "Email(\"m••••••••••••y@e••••••.ca\")");
    }
}
