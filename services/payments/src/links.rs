//! Payment links sent by staff: an email and an SMS that log the customer in (a token portal-auth
//! mints for a day) and open the payment of one invoice or of the balance, French unless the
//! customer chose English.

use serde::{Deserialize, Serialize};
use shared::erpnext::{Customer, ErpError};
use shared::events::{EmailSend, Envelope, SmsSend};
use shared::phone::E164Phone;
use utoipa::ToSchema;

use crate::checkout::Refusal;
use crate::error::ApiError;
use crate::invoices;
use crate::money::Cents;
use crate::pay::Ctx;
use shared::portal_auth::{PortalAuth, Purpose};

/// `POST /payments/send-link`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SendLink {
    /// The ERPNext Customer.
    pub customer: String,
    /// One of their invoices; the whole balance when absent.
    pub invoice: Option<String>,
}

/// What was sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkSent {
    /// An email went to the customer's (billing) address.
    pub email: bool,
    /// An SMS went to their mobile.
    pub sms: bool,
    /// The amount the link asks for, in cents.
    pub amount_cents: i64,
    /// When the link stops logging in (Unix seconds).
    pub expires_at: i64,
}

/// What a payment link asks for.
struct Ask<'a> {
    name: &'a str,
    lang: &'a str,
    invoice: Option<&'a str>,
    amount: Cents,
}

impl Ask<'_> {
    fn what(&self) -> String {
        let money = self.amount.display(self.lang);
        match (self.lang, self.invoice) {
            ("en", Some(i)) => format!("invoice {i} ({money})"),
            ("en", None) => format!("your balance ({money})"),
            (_, Some(i)) => format!("la facture {i} ({money})"),
            (_, None) => format!("votre solde ({money})"),
        }
    }

    fn email(&self, link: &str) -> (String, String, String) {
        let what = self.what();
        let (subject, hello, body, validity) = match self.lang {
            "en" => (
                "Pay your Gigafibre bill online",
                "Hello",
                "Here is a link to pay",
                "The link logs you in to your customer portal for 24 hours. Do not forward it.",
            ),
            _ => (
                "Payez votre facture Gigafibre en ligne",
                "Bonjour",
                "Voici un lien pour payer",
                "Le lien vous connecte à votre espace client pendant 24 heures. Ne le transférez pas.",
            ),
        };
        let text = format!(
            "{hello} {},\n\n{body} {what} :\n{link}\n\n{validity}\n\nGigafibre\n",
            self.name
        );
        let html = format!(
            "<p>{hello} {},</p>\n<p>{body} {} :</p>\n<p><a href=\"{}\">{}</a></p>\n<p>{validity}</p>\n<p>Gigafibre</p>\n",
            html_escape::encode_text(self.name),
            html_escape::encode_text(&what),
            html_escape::encode_double_quoted_attribute(link),
            html_escape::encode_text(link),
        );
        (subject.to_owned(), text, html)
    }

    fn sms(&self, link: &str) -> String {
        match self.lang {
            "en" => format!("Gigafibre: pay {} online: {link}", self.what()),
            _ => format!("Gigafibre : payez {} en ligne : {link}", self.what()),
        }
    }
}

impl Ctx {
    /// Sends `request`'s payment link by email and SMS (through the outbox).
    pub async fn send_link(
        &self,
        portal: &PortalAuth,
        request: &SendLink,
    ) -> Result<LinkSent, ApiError> {
        let who = match self
            .erp
            .get::<Customer>("Customer", &request.customer)
            .await
        {
            Ok(c) if !c.disabled => c,
            Ok(_) | Err(ErpError::NotFound) => return Err(ApiError::NotFound),
            Err(e) => return Err(e.into()),
        };
        let amount = self
            .amount_asked(&who.name, request.invoice.as_deref())
            .await?;
        let email = who.email_billing.clone().or(who.email_id.clone());
        let phone = [&who.mobile_no, &who.cell_phone]
            .into_iter()
            .flatten()
            .find_map(|p| {
                E164Phone::parse(p)
                    .ok()
                    .filter(E164Phone::is_north_american)
            });
        if email.is_none() && phone.is_none() {
            return Err(ApiError::NoContact);
        }
        let context = request.invoice.as_deref().unwrap_or("balance");
        let minted = portal
            .mint(&who.name, Purpose::PaymentLink, context)
            .await
            .ok_or(ApiError::LinksUnavailable)?;
        let lang = if who.language.as_deref() == Some("en") {
            "en"
        } else {
            "fr"
        };
        let ask = Ask {
            name: &who.customer_name,
            lang,
            invoice: request.invoice.as_deref(),
            amount,
        };
        let page = if ask.invoice.is_some() {
            "factures"
        } else {
            ""
        };
        let link = format!("{}/#/{page}?token={}", self.portal_url, minted.token);
        let mut events = Vec::new();
        if let Some(to) = &email {
            let (subject, text, html) = ask.email(&link);
            events.push(
                Envelope::new(
                    "payments",
                    &EmailSend {
                        to: to.clone(),
                        to_name: Some(who.customer_name.clone()),
                        subject,
                        text,
                        html,
                        reply_to: None,
                        lang: lang.to_owned(),
                        template: "payments.payment_link".to_owned(),
                        customer: Some(who.name.clone()),
                        attachments: Vec::new(),
                    },
                )
                .map_err(|e| ApiError::Unexpected(e.to_string()))?,
            );
        }
        if let Some(to) = &phone {
            let short = minted.short_url.as_deref().unwrap_or(&link);
            events.push(
                Envelope::new(
                    "payments",
                    &SmsSend {
                        to: to.as_str().to_owned(),
                        body: ask.sms(short),
                        template: "payments.payment_link".to_owned(),
                        customer: Some(who.name.clone()),
                    },
                )
                .map_err(|e| ApiError::Unexpected(e.to_string()))?,
            );
        }
        self.store.enqueue(&events).await?;
        self.outbox_written.notify_one();
        self.metrics.links_sent.inc();
        Ok(LinkSent {
            email: email.is_some(),
            sms: phone.is_some(),
            amount_cents: amount.get(),
            expires_at: minted.expires_at,
        })
    }

    /// What is left to pay of `invoice` (one of `customer`'s), or of their balance.
    async fn amount_asked(&self, customer: &str, invoice: Option<&str>) -> Result<Cents, ApiError> {
        let cents = match invoice {
            Some(name) => {
                let found = invoices::owned(&self.erp, customer, name).await?;
                found.ok_or(ApiError::NotFound)?.outstanding_amount
            }
            None => invoices::balance(&invoices::unpaid(&self.erp, customer).await?).balance_cents,
        };
        match Cents::new(cents) {
            Ok(c) if c.get() > 0 => Ok(c),
            _ => Err(Refusal::NothingOutstanding.into()),
        }
    }
}
