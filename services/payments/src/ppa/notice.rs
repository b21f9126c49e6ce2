//! The pay link sent at once when an auto-pay charge needs the customer (3-D Secure): by email and
//! SMS (a North American mobile number), in the customer's language (French unless they chose English), to the portal's invoices
//! page. Links that log the customer in come with the payment links of the staff routes.

use shared::erpnext::Customer;
use shared::events::{EmailSend, Envelope, SmsSend};
use shared::phone::E164Phone;

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
    let phone = [&customer.mobile_no, &customer.cell_phone]
        .into_iter()
        .flatten()
        .find_map(|p| {
            E164Phone::parse(p)
                .ok()
                .filter(E164Phone::is_north_american)
        });
    if let Some(to) = phone.map(|p| p.as_str().to_owned()) {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

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
