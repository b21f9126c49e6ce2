//! The receipt emailed once a payment is booked: in the customer's language (French unless they
//! chose English), each invoice settled with its TPS and TVQ, and Gigafibre's registration numbers.
//! Everything interpolated into HTML is escaped.

use chrono::NaiveDate;
use html_escape::encode_text as esc;
use shared::erpnext::SalesInvoice;

use crate::config::TaxNumbers;
use crate::money::Cents;

/// One invoice the payment settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// `ACC-SINV-2026-00012`.
    pub invoice: String,
    /// What this payment put on it.
    pub paid: Cents,
    /// The invoice's total with taxes.
    pub total: Cents,
    /// Its tax lines: label (`TPS 5 %`) and amount.
    pub taxes: Vec<(String, Cents)>,
}

impl Line {
    /// The line of `invoice`, of which `paid` was paid.
    pub fn of(invoice: &SalesInvoice, paid: Cents) -> Self {
        Self {
            invoice: invoice.name.clone(),
            paid,
            total: Cents::new(invoice.grand_total).unwrap_or_default(),
            taxes: invoice
                .taxes
                .iter()
                .map(|t| {
                    let label = t
                        .description
                        .clone()
                        .unwrap_or_else(|| t.account_head.clone());
                    (label, Cents::new(t.tax_amount).unwrap_or_default())
                })
                .collect(),
        }
    }
}

/// What a receipt says.
#[derive(Debug, Clone)]
pub struct Receipt<'a> {
    /// The customer's name.
    pub customer_name: &'a str,
    /// `fr` or `en`.
    pub lang: &'a str,
    /// What was paid.
    pub paid: Cents,
    /// When.
    pub date: NaiveDate,
    /// Stripe's reference (`pi_…`).
    pub payment_intent: &'a str,
    /// The invoices settled.
    pub lines: &'a [Line],
    /// GST/TPS and QST/TVQ registration numbers.
    pub tax_numbers: &'a TaxNumbers,
}

/// A rendered receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Subject line.
    pub subject: String,
    /// Plain text.
    pub text: String,
    /// HTML with the same content.
    pub html: String,
}

struct Wording {
    subject: &'static str,
    hello: &'static str,
    intro: &'static str,
    invoice: &'static str,
    paid: &'static str,
    total: &'static str,
    reference: &'static str,
    gst: &'static str,
    qst: &'static str,
    thanks: &'static str,
}

const FR: Wording = Wording {
    subject: "Reçu de paiement Gigafibre",
    hello: "Bonjour",
    intro: "Nous avons bien reçu votre paiement de",
    invoice: "Facture",
    paid: "payé",
    total: "total de la facture",
    reference: "Référence du paiement",
    gst: "No de TPS",
    qst: "No de TVQ",
    thanks: "Merci de faire affaire avec Gigafibre.",
};

const EN: Wording = Wording {
    subject: "Gigafibre payment receipt",
    hello: "Hello",
    intro: "We have received your payment of",
    invoice: "Invoice",
    paid: "paid",
    total: "invoice total",
    reference: "Payment reference",
    gst: "GST No.",
    qst: "QST No.",
    thanks: "Thank you for choosing Gigafibre.",
};

/// The receipt in its language.
pub fn render(r: &Receipt<'_>) -> Rendered {
    let w = if r.lang == "en" { &EN } else { &FR };
    let money = |c: Cents| c.display(r.lang);
    let date = r.date.format("%Y-%m-%d");
    let mut text = format!(
        "{} {},\n\n{} {} ({date}).\n\n",
        w.hello,
        r.customer_name,
        w.intro,
        money(r.paid)
    );
    let mut html = format!(
        "<p>{} {},</p>\n<p>{} <strong>{}</strong> ({date}).</p>\n<table>\n",
        w.hello,
        esc(r.customer_name),
        w.intro,
        money(r.paid)
    );
    for line in r.lines {
        text += &format!(
            "{} {} : {} {} ({} {})\n",
            w.invoice,
            line.invoice,
            money(line.paid),
            w.paid,
            w.total,
            money(line.total)
        );
        html += &format!(
            "<tr><th scope=\"row\">{} {}</th><td>{} {}</td><td>{} {}</td></tr>\n",
            w.invoice,
            esc(&line.invoice),
            money(line.paid),
            w.paid,
            w.total,
            money(line.total)
        );
        for (label, amount) in &line.taxes {
            text += &format!("    {label} : {}\n", money(*amount));
            html += &format!(
                "<tr><td>{}</td><td colspan=\"2\">{}</td></tr>\n",
                esc(label),
                money(*amount)
            );
        }
    }
    let footer = format!(
        "{} : {}\n{} : {}\n{} : {}",
        w.reference, r.payment_intent, w.gst, r.tax_numbers.gst, w.qst, r.tax_numbers.qst
    );
    text += &format!("\n{footer}\n\n{}\n", w.thanks);
    html += &format!(
        "</table>\n<p>{}</p>\n<p>{}</p>\n",
        esc(&footer).replace('\n', "<br>\n"),
        w.thanks
    );
    Rendered {
        subject: w.subject.to_owned(),
        text,
        html,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn receipt(lang: &str, name: &str) -> Rendered {
        let lines = [Line {
            invoice: "ACC-SINV-2026-00012".into(),
            paid: Cents::new(11_498).unwrap(),
            total: Cents::new(11_498).unwrap(),
            taxes: vec![
                ("TPS 5 %".into(), Cents::new(500).unwrap()),
                ("TVQ 9,975 %".into(), Cents::new(998).unwrap()),
            ],
        }];
        let numbers = TaxNumbers {
            gst: "123456789 RT0001".into(),
            qst: "1234567890 TQ0001".into(),
        };
        render(&Receipt {
            customer_name: name,
            lang,
            paid: Cents::new(11_498).unwrap(),
            date: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            payment_intent: "pi_1",
            lines: &lines,
            tax_numbers: &numbers,
        })
    }

    #[test]
    fn a_french_receipt_shows_the_taxes_and_the_registration_numbers() {
        let r = receipt("fr", "Marie Tremblay");
        assert_eq!(r.subject, "Reçu de paiement Gigafibre");
        for needle in [
            "114,98\u{a0}$",
            "TPS 5 % : 5,00\u{a0}$",
            "TVQ 9,975 % : 9,98\u{a0}$",
            "No de TPS : 123456789 RT0001",
            "No de TVQ : 1234567890 TQ0001",
            "pi_1",
        ] {
            assert!(r.text.contains(needle), "{needle} in {}", r.text);
        }
        assert!(
            receipt("en", "Marie")
                .text
                .contains("GST No. : 123456789 RT0001")
        );
    }

    /// Bad input tried: markup in the customer's name.
    #[test]
    fn the_name_is_escaped_in_html() {
        let r = receipt("fr", "O'Brien & <Fils>");
        assert!(r.html.contains("O'Brien &amp; &lt;Fils&gt;"));
        assert!(!r.html.contains("<Fils>"));
    }
}
