//! What a customer (or staff, for any customer) sees of quotes: the list in the portal, one quote's
//! status and history, and the click-to-accept of a quote that needs no signature. A quotation of
//! another customer is the same "not found" as one that does not exist.

use serde::Serialize;
use shared::db::now_ms;
use shared::erpnext::{FrappeClient, Quotation};
use shared::lang::Lang;
use utoipa::ToSchema;

use crate::accept::{Acceptor, audit};
use crate::error::{ApiError, Refusal};
use crate::generate::{party, read_quotation, today};
use crate::quote::{QuoteView, check_open};
use crate::status::{Happening, Status};
use crate::store::{Applied, Effects, Store, acceptance, quote};

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Caller {
    /// Staff (any customer's quotes).
    Staff(String),
    /// A customer (their own quotes only), in their language.
    Customer(String, Lang),
}

impl Caller {
    fn lang(&self) -> Lang {
        match self {
            Self::Staff(_) => Lang::Fr,
            Self::Customer(_, lang) => *lang,
        }
    }
}

/// One quote as the portal lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteSummary {
    /// Where it stands (an open quote past its validity reads `expired`).
    pub status: Status,
    /// `signature` or `click`.
    pub quote_type: String,
    /// Where to sign (DocuSeal) while it is open; none for a click quote or a closed one.
    pub signing_url: Option<String>,
    /// The Sales Order, once accepted.
    pub sales_order: Option<String>,
    /// The quote: lines by section, taxes and totals.
    pub quote: QuoteView,
}

/// A quote's status and history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QuoteStatus {
    /// The Quotation.
    pub quotation: String,
    /// Where it stands.
    pub status: Status,
    /// `signature` or `click`; none while a draft.
    pub quote_type: Option<String>,
    /// Where the customer signs or accepts, once sent.
    pub url: Option<String>,
    /// The Sales Order, once accepted.
    pub sales_order: Option<String>,
    /// What happened, oldest first.
    pub history: Vec<Step>,
    /// The audit record of the acceptance: who, when, from where, DocuSeal's audit log.
    #[schema(value_type = Option<Object>)]
    pub acceptance: Option<serde_json::Value>,
}

/// One thing that happened to a quote.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Step {
    /// The status after it.
    pub status: String,
    /// When (RFC 3339).
    pub at: String,
    /// What happened (staff only).
    pub detail: Option<String>,
}

/// The answer of a click-to-accept.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Confirmed {
    /// `accepted`, or `signed` while the Sales Order is being made.
    pub status: Status,
    /// The Sales Order, once made.
    pub sales_order: Option<String>,
}

/// Reading and accepting quotes for a caller.
#[derive(Clone)]
pub struct Portal {
    /// The database.
    pub store: Store,
    /// ERPNext.
    pub erp: FrappeClient,
    /// Makes the Sales Order of a clicked quote at once.
    pub acceptor: Acceptor,
}

/// The status shown: an open quote past its validity is expired even before DocuSeal says so.
fn shown(row: &quote::Model) -> Status {
    let status = Status::parse(&row.status);
    let past =
        chrono::NaiveDate::parse_from_str(&row.valid_till, "%Y-%m-%d").is_ok_and(|d| d < today());
    match status.is_open() && past {
        true => Status::Expired,
        false => status,
    }
}

impl Portal {
    /// `quotation` if `caller` may see it, with our row when it was sent.
    pub async fn find(
        &self,
        caller: &Caller,
        quotation: &str,
    ) -> Result<(Quotation, Option<quote::Model>), ApiError> {
        let lang = caller.lang();
        let q = read_quotation(&self.erp, quotation, lang).await?;
        if let Caller::Customer(customer, _) = caller
            && &q.party_name != customer
        {
            return Err(ApiError::NotFound(lang));
        }
        let row = self.store.quote(&q.name).await?;
        Ok((q, row))
    }

    /// The quotes sent to `customer` (not those whose first sending is under way or failed),
    /// newest first, with their lines and totals.
    pub async fn list(&self, customer: &str) -> Result<Vec<QuoteSummary>, ApiError> {
        let mut quotes = Vec::new();
        let sent = self.store.quotes_of(customer).await?;
        for row in sent
            .into_iter()
            .filter(|r| r.status != Status::Draft.as_str())
        {
            let q = match read_quotation(&self.erp, &row.quotation, Lang::Fr).await {
                Ok(q) => q,
                Err(ApiError::NotFound(_)) => continue,
                Err(e) => return Err(e),
            };
            let Ok(view) = QuoteView::of(&q, customer, &row.lang) else {
                continue;
            };
            let status = shown(&row);
            let open = status.is_open() && row.quote_type == "signature";
            quotes.push(QuoteSummary {
                status,
                quote_type: row.quote_type.clone(),
                signing_url: row.signing_url.clone().filter(|_| open),
                sales_order: row.sales_order.clone(),
                quote: view,
            });
        }
        Ok(quotes)
    }

    /// The status and history of `quotation` for `caller`.
    pub async fn status(&self, caller: &Caller, quotation: &str) -> Result<QuoteStatus, ApiError> {
        let (q, row) = self.find(caller, quotation).await?;
        let staff = matches!(caller, Caller::Staff(_));
        let history = self
            .store
            .history(&q.name)
            .await?
            .into_iter()
            .map(|h| Step {
                status: h.status,
                at: chrono::DateTime::from_timestamp_millis(h.at)
                    .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
                    .unwrap_or_default(),
                detail: staff.then_some(h.detail),
            })
            .collect();
        let acceptance = self.store.acceptance(&q.name).await?.map(|r| audit(&r));
        Ok(QuoteStatus {
            quotation: q.name.clone(),
            status: row.as_ref().map_or(Status::Draft, shown),
            quote_type: row.as_ref().map(|r| r.quote_type.clone()),
            url: row.as_ref().and_then(|r| r.signing_url.clone()),
            sales_order: row.as_ref().and_then(|r| r.sales_order.clone()),
            history,
            acceptance,
        })
    }

    /// `customer` accepts `quotation` with one click from `ip` with `user_agent`: refused unless
    /// it is a click quote of theirs, sent, still valid and not cancelled; then the consent is
    /// recorded and the Sales Order made at once (or soon, when ERPNext does not answer).
    pub async fn confirm(
        &self,
        caller: &Caller,
        quotation: &str,
        ip: Option<String>,
        user_agent: Option<String>,
    ) -> Result<Confirmed, ApiError> {
        let lang = caller.lang();
        let refuse = |r| ApiError::Refused(r, lang);
        let (q, row) = self.find(caller, quotation).await?;
        let row = row.ok_or(refuse(Refusal::NotSent))?;
        match Status::parse(&row.status) {
            Status::Accepted => return Err(refuse(Refusal::AlreadyAccepted)),
            Status::Signed => return Err(refuse(Refusal::AlreadySigned)),
            Status::Expired => return Err(refuse(Refusal::Expired)),
            _ if row.quote_type != "click" => return Err(refuse(Refusal::MustBeSigned)),
            Status::Draft => return Err(refuse(Refusal::NotSent)),
            _ => {}
        }
        check_open(&q, today()).map_err(refuse)?;
        let who = party(&self.erp, &q).await?;
        let record = acceptance::Model {
            quotation: q.name.clone(),
            method: "click".to_owned(),
            signer_name: who.recipient.name.clone(),
            signer_email: who.recipient.email.clone(),
            signed_at: now_ms(),
            ip,
            user_agent: user_agent.map(|ua| ua.chars().take(500).collect()),
            audit_log_url: None,
            document_url: None,
            envelope_id: None,
        };
        let effects = Effects {
            acceptance: Some(record),
            ..Effects::default()
        };
        let applied = self
            .store
            .apply(
                &q.name,
                Happening::Signed,
                "accepted in the portal",
                effects,
                now_ms(),
            )
            .await?;
        if !matches!(applied, Applied::Moved(_)) {
            // Clicked twice at once: the other click recorded it.
            return Err(refuse(Refusal::AlreadySigned));
        }
        let sales_order = self.acceptor.accept(&q.name).await?;
        Ok(Confirmed {
            status: match sales_order {
                Some(_) => Status::Accepted,
                None => Status::Signed,
            },
            sales_order,
        })
    }
}
