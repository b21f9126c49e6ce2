//! Sending a quote (`POST /accept/generate`): the Quotation read and checked, a DocuSeal submission
//! for a quote to sign (or the portal's page for a quote to accept in one click), the links stored
//! on the Quotation, and the link sent by email and SMS in the customer's language. A lease on the
//! quote keeps two requests from making two submissions; a submission made is recorded before
//! anything else can fail, so a retry reuses it.

use chrono::{NaiveDate, TimeZone as _};
use serde::{Deserialize, Serialize};
use serde_json::json;
use shared::db::now_ms;
use shared::erpnext::{Customer, ErpError, FrappeClient, Quotation};
use shared::lang::Lang;
use shared::phone::E164Phone;
use shared::portal_auth::{PortalAuth, Purpose};
use utoipa::ToSchema;

use crate::docuseal::{DocusealClient, NewSubmission, Submitter};
use crate::error::{ApiError, Refusal};
use crate::notices::{self, Ask, Recipient};
use crate::quote::{QuoteView, check_open, money};
use crate::status::Status;
use crate::store::{Effects, NewQuote, Store, quote};

/// How the customer accepts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuoteType {
    /// Signed on DocuSeal (the default).
    #[default]
    Signature,
    /// Accepted with one click in the portal: for quotes that need no signature.
    Click,
}

impl QuoteType {
    /// `signature` or `click`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Signature => "signature",
            Self::Click => "click",
        }
    }
}

/// `POST /accept/generate`'s body.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Generate {
    /// The ERPNext Quotation (submitted, to a Customer).
    #[schema(example = "SAL-QTN-2026-00001")]
    pub quotation: String,
    /// `signature` (default) or `click`.
    #[serde(default)]
    pub quote_type: QuoteType,
}

/// What was sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Generated {
    /// The Quotation.
    pub quotation: String,
    /// How the customer accepts.
    pub quote_type: QuoteType,
    /// Where the customer signs (DocuSeal) or accepts (the portal's quotes page).
    pub url: String,
    /// DocuSeal's submission; none for a click quote.
    pub envelope_id: Option<String>,
    /// Where it stands.
    pub status: Status,
    /// Whether an email and an SMS went out.
    pub emailed: bool,
    /// Whether an SMS went out.
    pub texted: bool,
}

/// What sending needs.
#[derive(Clone)]
pub struct Sender {
    /// The database.
    pub store: Store,
    /// ERPNext.
    pub erp: FrappeClient,
    /// DocuSeal; none: quotes to sign cannot be sent.
    pub docuseal: Option<DocusealClient>,
    /// The French and English templates.
    pub templates: (u64, u64),
    /// portal-auth, for the click quotes' logged-in links.
    pub auth: PortalAuth,
    /// The portal's origin.
    pub portal_url: String,
    /// Wakes the outbox relay.
    pub outbox_written: std::sync::Arc<tokio::sync::Notify>,
    /// What it counts.
    pub metrics: crate::metrics::QuoteMetrics,
}

/// The customer behind a quotation, in their language, with where to reach them.
pub struct Party {
    /// Where messages go.
    pub recipient: Recipient,
    /// Their language.
    pub lang: Lang,
}

impl Sender {
    /// Sends `request.quotation` as `staff` asked.
    pub async fn generate(&self, request: &Generate, staff: &str) -> Result<Generated, ApiError> {
        let q = read_quotation(&self.erp, &request.quotation, Lang::Fr).await?;
        let party = party(&self.erp, &q).await?;
        let lang = party.lang;
        check_open(&q, today()).map_err(|r| ApiError::Refused(r, lang))?;
        let view = QuoteView::of(&q, &party.recipient.name, lang.as_str())
            .map_err(|r| ApiError::Refused(r, lang))?;
        if party.recipient.email.is_none() && party.recipient.mobile.is_none() {
            let why = "The customer has no email address and no North American mobile number.";
            return Err(ApiError::Refused(Refusal::NotSendable(why), lang));
        }
        let new = NewQuote {
            quotation: &q.name,
            customer: &q.party_name,
            quote_type: request.quote_type.as_str(),
            lang: lang.as_str(),
            valid_till: &view.valid_till,
        };
        let row = self
            .store
            .claim_sending(&new, now_ms())
            .await?
            .ok_or(ApiError::Refused(Refusal::BeingSent, lang))?;
        let sent = self
            .send(&row, request.quote_type, &view, &party, staff)
            .await;
        self.store.release(&q.name).await?;
        sent
    }

    async fn send(
        &self,
        row: &quote::Model,
        quote_type: QuoteType,
        view: &QuoteView,
        party: &Party,
        staff: &str,
    ) -> Result<Generated, ApiError> {
        let lang = party.lang;
        let status = Status::parse(&row.status);
        match status {
            Status::Signed => return Err(ApiError::Refused(Refusal::AlreadySigned, lang)),
            Status::Accepted => return Err(ApiError::Refused(Refusal::AlreadyAccepted, lang)),
            Status::Expired => return Err(ApiError::Refused(Refusal::Expired, lang)),
            _ => {}
        }
        let reusable = status != Status::Declined && row.quote_type == quote_type.as_str();
        let (envelope, url) = match (quote_type, &row.envelope_id, &row.signing_url) {
            (QuoteType::Signature, Some(id), Some(url)) if reusable => {
                (Some(id.clone()), url.clone())
            }
            (QuoteType::Signature, ..) => {
                let made = self.submission(view, party).await?;
                let (id, url) = (made.id.to_string(), made.url);
                self.store.envelope_made(&row.quotation, &id, &url).await?;
                (Some(id), url)
            }
            (QuoteType::Click, ..) => (None, format!("{}/#/soumissions", self.portal_url)),
        };
        let patch = json!({
            "custom_docuseal_signing_url": url,
            "custom_docuseal_envelope_id": envelope.clone().unwrap_or_default(),
            "custom_quote_type": quote_type.as_str(),
        });
        self.erp
            .update::<serde_json::Value>("Quotation", &row.quotation, &patch)
            .await?;
        let events = self.messages(quote_type, view, party, &url).await?;
        let (emailed, texted) = (
            party.recipient.email.is_some(),
            party.recipient.mobile.is_some(),
        );
        let effects = Effects {
            events,
            envelope: Some((envelope.clone(), Some(url.clone()))),
            ..Effects::default()
        };
        let detail = format!("sent ({}) by {staff}", quote_type.as_str());
        let status = self
            .store
            .send(&row.quotation, &detail, effects, now_ms())
            .await?;
        self.outbox_written.notify_one();
        self.metrics.sent(quote_type.as_str());
        tracing::info!(quotation = %row.quotation, quote_type = quote_type.as_str(), staff, "quote sent");
        Ok(Generated {
            quotation: row.quotation.clone(),
            quote_type,
            url,
            envelope_id: envelope,
            status,
            emailed,
            texted,
        })
    }

    /// A DocuSeal submission for `view`, prefilled, in the customer's language, expiring with
    /// the quote.
    async fn submission(
        &self,
        view: &QuoteView,
        party: &Party,
    ) -> Result<crate::docuseal::Submission, ApiError> {
        let docuseal = self.docuseal.as_ref().ok_or_else(|| {
            ApiError::Docuseal(crate::docuseal::CallError::Transport(
                "DOCUSEAL_API_KEY is not set".to_owned(),
            ))
        })?;
        let lang = view.lang.as_str();
        let new = NewSubmission {
            template_id: match party.lang {
                Lang::Fr => self.templates.0,
                Lang::En => self.templates.1,
            },
            send_email: false,
            expire_at: expire_at(&view.valid_till),
            completed_redirect_url: format!("{}/#/soumissions", self.portal_url),
            submitters: vec![Submitter {
                role: "Client".to_owned(),
                name: party.recipient.name.clone(),
                email: party.recipient.email.clone().unwrap_or_default(),
                phone: party.recipient.mobile.clone(),
                external_id: view.quotation.clone(),
                metadata: json!({"quotation": view.quotation, "customer": view.customer}),
                values: json!({
                    "Soumission": view.quotation,
                    "Client": view.customer_name,
                    "Total": money(view.grand_total_cents, lang),
                }),
            }],
        };
        Ok(docuseal.create_submission(&new).await?)
    }

    /// The link's email and SMS: DocuSeal's page for a quote to sign, a logged-in portal link for
    /// one to accept (its SMS a short link).
    async fn messages(
        &self,
        quote_type: QuoteType,
        view: &QuoteView,
        party: &Party,
        url: &str,
    ) -> Result<Vec<shared::events::Envelope>, ApiError> {
        let who = &party.recipient;
        if quote_type == QuoteType::Signature {
            return Ok(notices::link(who, view, Ask::Sign, url, url));
        }
        let minted = self
            .auth
            .mint(&who.customer, Purpose::QuoteLink, &view.quotation)
            .await;
        let (link, short) = match &minted {
            Some(m) => (
                format!("{}/#/soumissions?token={}", self.portal_url, m.token),
                m.short_url.clone().unwrap_or_else(|| url.to_owned()),
            ),
            None => (url.to_owned(), url.to_owned()),
        };
        Ok(notices::link(who, view, Ask::Accept, &link, &short))
    }
}

/// The Quotation `name`: 404 when ERPNext has none.
pub async fn read_quotation(
    erp: &FrappeClient,
    name: &str,
    lang: Lang,
) -> Result<Quotation, ApiError> {
    match erp.get::<Quotation>("Quotation", name).await {
        Ok(q) => Ok(q),
        Err(ErpError::NotFound) => Err(ApiError::NotFound(lang)),
        Err(e) => Err(e.into()),
    }
}

/// The customer of `q`: their name, language (the Customer's, else the quotation's, else French),
/// email (the quotation's contact, else the Customer's billing or main address) and North
/// American mobile.
pub async fn party(erp: &FrappeClient, q: &Quotation) -> Result<Party, ApiError> {
    let customer = match erp.get::<Customer>("Customer", &q.party_name).await {
        Ok(c) => Some(c),
        Err(ErpError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    let c = customer.as_ref();
    let lang = Lang::from_code(
        c.and_then(|c| c.language.as_deref())
            .or(q.language.as_deref()),
    );
    let email = q
        .contact_email
        .clone()
        .or_else(|| c.and_then(|c| c.email_billing.clone().or(c.email_id.clone())));
    let mobile = [
        q.contact_mobile.as_ref(),
        c.and_then(|c| c.mobile_no.as_ref()),
        c.and_then(|c| c.cell_phone.as_ref()),
    ]
    .into_iter()
    .flatten()
    .find_map(|p| {
        E164Phone::parse(p)
            .ok()
            .filter(E164Phone::is_north_american)
    })
    .map(|p| p.as_str().to_owned());
    let name = c
        .map(|c| c.customer_name.clone())
        .or(q.customer_name.clone())
        .unwrap_or_else(|| q.party_name.clone());
    Ok(Party {
        recipient: Recipient {
            customer: q.party_name.clone(),
            name,
            email,
            mobile,
        },
        lang,
    })
}

/// Today in Quebec.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::America::Toronto)
        .date_naive()
}

/// The last second of `valid_till` in Quebec, as RFC 3339 (DocuSeal's `expire_at`); a year from
/// now when the quotation has no validity.
fn expire_at(valid_till: &str) -> String {
    let end = NaiveDate::parse_from_str(valid_till, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(23, 59, 59))
        .and_then(|t| {
            chrono_tz::America::Toronto
                .from_local_datetime(&t)
                .earliest()
        });
    match end {
        Some(t) => t.with_timezone(&chrono::Utc).to_rfc3339(),
        None => (chrono::Utc::now() + chrono::Duration::days(365)).to_rfc3339(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_quote_expires_at_the_end_of_its_last_day_in_quebec() {
        assert_eq!(expire_at("2027-01-06"), "2027-01-07T04:59:59+00:00");
        assert_eq!(expire_at("2027-07-06"), "2027-07-07T03:59:59+00:00");
        assert!(expire_at("").starts_with(&(chrono::Utc::now().format("%Y").to_string()[..2])));
    }
}
