//! What the customer receives, French first or English: the link to sign or accept a quote (email
//! and SMS) and the confirmation once it is accepted. Built as outbox commands for notifications.

use shared::events::{EmailSend, Envelope, SmsSend};

use crate::quote::{QuoteView, money};

/// `source` of the events.
pub const SOURCE: &str = "quotation-signing";

/// Where a message goes.
#[derive(Debug, Clone, Default)]
pub struct Recipient {
    /// The ERPNext Customer.
    pub customer: String,
    /// Their name, as greeted.
    pub name: String,
    /// Their email address.
    pub email: Option<String>,
    /// Their mobile, E.164.
    pub mobile: Option<String>,
}

/// What the link asks the customer to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// Sign on DocuSeal.
    Sign,
    /// Accept in the portal.
    Accept,
}

fn fr(lang: &str) -> bool {
    lang != "en"
}

/// The quote in a few words: `soumission SAL-QTN-2026-00001 (95,00 $/mois, 99,00 $ une fois)`.
fn summary(view: &QuoteView) -> String {
    let lang = view.lang.as_str();
    let mut parts = Vec::new();
    if !view.recurring.is_empty() {
        let monthly = money(view.monthly_cents(), lang);
        parts.push(match fr(lang) {
            true => format!("{monthly}/mois"),
            false => format!("{monthly}/month"),
        });
    }
    if !view.one_time.is_empty() {
        let once = money(view.one_time_cents(), lang);
        parts.push(match fr(lang) {
            true => format!("{once} une fois"),
            false => format!("{once} once"),
        });
    }
    let noun = if fr(lang) { "soumission" } else { "quote" };
    format!("{noun} {} ({})", view.quotation, parts.join(", "))
}

/// The link to sign or accept: an email and an SMS, each when the customer has the address.
/// `sms_link` is a shorter link when there is one (a logged-in portal link cannot go in an SMS).
pub fn link(
    who: &Recipient,
    view: &QuoteView,
    ask: Ask,
    link: &str,
    sms_link: &str,
) -> Vec<Envelope> {
    let lang = view.lang.as_str();
    let what = summary(view);
    let (subject, hello, body, verb) = match (fr(lang), ask) {
        (true, Ask::Sign) => (
            "Votre soumission Gigafibre à signer",
            "Bonjour",
            "Voici votre",
            "La signer",
        ),
        (true, Ask::Accept) => (
            "Votre soumission Gigafibre à accepter",
            "Bonjour",
            "Voici votre",
            "L'accepter",
        ),
        (false, Ask::Sign) => (
            "Your Gigafibre quote to sign",
            "Hello",
            "Here is your",
            "Sign it",
        ),
        (false, Ask::Accept) => (
            "Your Gigafibre quote to accept",
            "Hello",
            "Here is your",
            "Accept it",
        ),
    };
    let until = match fr(lang) {
        true => format!("Elle est valide jusqu'au {}.", view.valid_till),
        false => format!("It is valid until {}.", view.valid_till),
    };
    let text = format!(
        "{hello} {},\n\n{body} {what}.\n{verb} : {link}\n\n{until}\n\nGigafibre\n",
        who.name
    );
    let html = format!(
        "<p>{hello} {},</p>\n<p>{body} {}.</p>\n<p><a href=\"{}\">{verb}</a></p>\n<p>{until}</p>\n<p>Gigafibre</p>\n",
        html_escape::encode_text(&who.name),
        html_escape::encode_text(&what),
        html_escape::encode_double_quoted_attribute(link),
    );
    let sms = match fr(lang) {
        true => format!("Gigafibre : votre {what} vous attend. {verb} : {sms_link}"),
        false => format!("Gigafibre: your {what} is waiting. {verb}: {sms_link}"),
    };
    let template = match ask {
        Ask::Sign => "quotes.sign_link",
        Ask::Accept => "quotes.accept_link",
    };
    messages(
        who,
        lang,
        template,
        (subject.to_owned(), text, html),
        Some(sms),
    )
}

/// The confirmation once the order is made.
pub fn confirmation(who: &Recipient, view: &QuoteView, sales_order: &str) -> Vec<Envelope> {
    let lang = view.lang.as_str();
    let what = summary(view);
    let (subject, hello, body, next) = match fr(lang) {
        true => (
            "Votre commande Gigafibre est confirmée",
            "Bonjour",
            format!("Merci! Votre {what} est acceptée : commande {sales_order}."),
            "Nous communiquerons avec vous pour planifier l'installation.",
        ),
        false => (
            "Your Gigafibre order is confirmed",
            "Hello",
            format!("Thank you! Your {what} is accepted: order {sales_order}."),
            "We will contact you to schedule the installation.",
        ),
    };
    let text = format!("{hello} {},\n\n{body}\n{next}\n\nGigafibre\n", who.name);
    let html = format!(
        "<p>{hello} {},</p>\n<p>{}</p>\n<p>{next}</p>\n<p>Gigafibre</p>\n",
        html_escape::encode_text(&who.name),
        html_escape::encode_text(&body),
    );
    messages(
        who,
        lang,
        "quotes.confirmation",
        (subject.to_owned(), text, html),
        None,
    )
}

fn messages(
    who: &Recipient,
    lang: &str,
    template: &str,
    (subject, text, html): (String, String, String),
    sms: Option<String>,
) -> Vec<Envelope> {
    let email = who.email.as_ref().map(|to| EmailSend {
        to: to.clone(),
        to_name: Some(who.name.clone()),
        subject,
        text,
        html,
        reply_to: None,
        lang: lang.to_owned(),
        template: template.to_owned(),
        customer: Some(who.customer.clone()),
        attachments: Vec::new(),
    });
    let sms = who.mobile.as_ref().zip(sms).map(|(to, body)| SmsSend {
        to: to.clone(),
        body,
        template: template.to_owned(),
        customer: Some(who.customer.clone()),
    });
    let email = email.and_then(|e| envelope(&e));
    let sms = sms.and_then(|s| envelope(&s));
    email.into_iter().chain(sms).collect()
}

fn envelope<E: shared::events::Event>(event: &E) -> Option<Envelope> {
    Envelope::new(SOURCE, event)
        .inspect_err(|e| tracing::error!(error = %e, "an event does not serialise"))
        .ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::quote::Line;
    use shared::erpnext::BillingFrequency;

    fn view(lang: &str) -> QuoteView {
        let line = |code: &str, cents, frequency| Line {
            row: code.to_owned(),
            item_code: code.to_owned(),
            item_name: code.to_owned(),
            qty: 1.0,
            rate_cents: cents,
            amount_cents: cents,
            frequency,
        };
        QuoteView {
            quotation: "SAL-QTN-2026-00001".into(),
            customer: "CUST-1".into(),
            customer_name: "Ana & Fils".into(),
            lang: lang.into(),
            transaction_date: "2026-12-01".into(),
            valid_till: "2026-12-31".into(),
            currency: "CAD".into(),
            recurring: vec![line("FIBRE-1G", 9500, BillingFrequency::Monthly)],
            one_time: vec![line("INSTALL", 9900, BillingFrequency::OneTime)],
            taxes: Vec::new(),
            net_total_cents: 19400,
            total_taxes_cents: 0,
            grand_total_cents: 19400,
        }
    }

    fn who(email: bool, mobile: bool) -> Recipient {
        Recipient {
            customer: "CUST-1".into(),
            name: "Ana & Fils".into(),
            email: email.then(|| "ana@example.ca".into()),
            mobile: mobile.then(|| "+15145550147".into()),
        }
    }

    #[test]
    fn the_link_goes_by_email_and_sms_in_the_customers_language() {
        let sent = link(
            &who(true, true),
            &view("fr"),
            Ask::Sign,
            "https://s/abc",
            "https://s/abc",
        );
        assert_eq!(sent.len(), 2);
        let email: EmailSend = sent[0].decode().unwrap();
        assert_eq!(email.subject, "Votre soumission Gigafibre à signer");
        assert!(email.text.contains("95,00\u{a0}$/mois"), "{}", email.text);
        assert!(email.html.contains("Ana &amp; Fils"));
        let sms: SmsSend = sent[1].decode().unwrap();
        assert!(
            sms.body
                .starts_with("Gigafibre : votre soumission SAL-QTN-2026-00001")
        );
        let english = link(
            &who(true, false),
            &view("en"),
            Ask::Accept,
            "https://p",
            "https://p",
        );
        let email: EmailSend = english[0].decode().unwrap();
        assert_eq!(
            (english.len(), email.subject.as_str()),
            (1, "Your Gigafibre quote to accept")
        );
    }

    #[test]
    fn the_confirmation_names_the_order() {
        let sent = confirmation(&who(true, true), &view("en"), "SAL-ORD-2026-00001");
        assert_eq!(sent.len(), 1);
        let email: EmailSend = sent[0].decode().unwrap();
        assert!(email.text.contains("order SAL-ORD-2026-00001"));
        assert!(confirmation(&who(false, true), &view("fr"), "X").is_empty());
    }
}
