//! The pay link sent at once when an auto-pay charge needs the customer (3-D Secure): by email and
//! SMS, in the customer's language (French unless they chose English), to the portal's invoices
//! page. Links that log the customer in come with the payment links of the staff routes.

use shared::erpnext::Customer;
use shared::events::{EmailSend, Envelope, SmsSend};

use crate::money::Cents;

/// The email and the SMS for `customer`'s `invoice` of `amount`, to the addresses they have.
pub fn pay_link(
    customer: &Customer,
    invoice: &str,
    amount: Cents,
    portal_url: &str,
) -> Result<Vec<Envelope>, serde_json::Error> {
    let link = format!("{portal_url}/#/factures");
    let english = customer.language.as_deref() == Some("en");
    let lang = if english { "en" } else { "fr" };
    let money = amount.display(lang);
    let (subject, text) = match english {
        true => (
            "Your automatic payment needs you".to_owned(),
            format!(
                "Your bank asks you to confirm the payment of invoice {invoice} ({money}). Pay it here: {link}"
            ),
        ),
        false => (
            "Votre paiement automatique a besoin de vous".to_owned(),
            format!(
                "Votre banque demande de confirmer le paiement de la facture {invoice} ({money}). Payez-la ici : {link}"
            ),
        ),
    };
    let mut events = Vec::new();
    if let Some(to) = customer
        .email_billing
        .clone()
        .or(customer.email_id.clone())
        .filter(|e| !e.is_empty())
    {
        let html = format!(
            "<p>{}</p>",
            html_escape::encode_text(&text)
                .replace(&link, &format!("<a href=\"{link}\">{link}</a>"))
        );
        events.push(Envelope::new(
            "payments",
            &EmailSend {
                to,
                to_name: Some(customer.customer_name.clone()),
                subject,
                text: text.clone(),
                html,
                reply_to: None,
                lang: lang.to_owned(),
                template: "payments.ppa_authentication".to_owned(),
                customer: Some(customer.name.clone()),
                attachments: Vec::new(),
            },
        )?);
    }
    let phone = customer
        .cell_phone
        .as_deref()
        .or(customer.mobile_no.as_deref());
    if let Some(to) = phone.and_then(e164) {
        events.push(Envelope::new(
            "payments",
            &SmsSend {
                to,
                body: text,
                template: "payments.ppa_authentication".to_owned(),
                customer: Some(customer.name.clone()),
            },
        )?);
    }
    Ok(events)
}

/// A North American number in E.164 form (`514 555-0147` → `+15145550147`); anything else is not
/// texted. (portal-auth's `E164Phone` is the full parser; it belongs in `shared` once a third
/// service needs it.)
fn e164(raw: &str) -> Option<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let national = match digits.len() {
        10 => digits.as_str(),
        11 => digits.strip_prefix('1')?,
        _ => return None,
    };
    let valid = |d: Option<char>| d.is_some_and(|c| ('2'..='9').contains(&c));
    (valid(national.chars().next()) && valid(national.chars().nth(3)))
        .then(|| format!("+1{national}"))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Bad input tried: too short, an area code starting with 1, a foreign number.
    #[test]
    fn north_american_numbers_are_written_in_e164() {
        assert_eq!(e164("514 555-0147").as_deref(), Some("+15145550147"));
        assert_eq!(e164("+1-450-555-0190").as_deref(), Some("+14505550190"));
        for bad in ["555-0147", "114 555 0147", "+33 6 12 34 56 78", ""] {
            assert_eq!(e164(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_pay_link_goes_by_email_and_sms_in_french_first() {
        let marie: Customer = serde_json::from_value(serde_json::json!({
            "name": "CUST-2024-00001", "customer_name": "Marie Tremblay",
            "email_id": "marie@example.ca", "cell_phone": "514 555-0147", "language": "fr",
        }))
        .unwrap();
        let events = pay_link(
            &marie,
            "ACC-SINV-2026-00003",
            Cents::new(5_749).unwrap(),
            "https://portail.example.ca",
        )
        .unwrap();
        let email: EmailSend = events[0].decode().unwrap();
        let sms: SmsSend = events[1].decode().unwrap();
        assert!(email.subject.starts_with("Votre paiement automatique"));
        assert!(
            email
                .html
                .contains("href=\"https://portail.example.ca/#/factures\"")
        );
        assert_eq!(sms.to, "+15145550147");
        assert!(sms.body.contains("ACC-SINV-2026-00003"));
    }
}
