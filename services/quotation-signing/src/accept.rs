//! The acceptor: every quote signed (on DocuSeal) or clicked (in the portal) becomes, in ERPNext, a
//! submitted Sales Order made from the Quotation, one Subscription per recurring line and, for a
//! signature, the signed PDF attached to the order; then `accepted`, `quotation.quote.accepted` and
//! the confirmation email in one transaction. Each step looks for its result before making it, so
//! a crash or a retry anywhere repeats nothing; a lease per quote keeps two replicas apart. ERPNext
//! down: the quote stays `signed` and is tried again, longer each time.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use shared::db::now_ms;
use shared::erpnext::{
    ErpError, File, FrappeClient, ListQuery, Op, Quotation, SalesOrder, Subscription,
    SubscriptionPlan,
};
use shared::events::{Envelope, QuoteAccepted};
use tokio::sync::Notify;

use crate::generate::{party, today};
use crate::metrics::QuoteMetrics;
use crate::notices::{self, SOURCE};
use crate::quote::{Line, QuoteView};
use crate::status::Happening;
use crate::store::{Applied, Effects, Store, acceptance, quote};

/// Quotes taken per round.
const BATCH: u64 = 20;
/// The longest wait between two tries.
const MAX_BACKOFF_MS: i64 = 60 * 60 * 1000;
/// `make_sales_order`'s dotted path.
const MAKE_SALES_ORDER: &str = "erpnext.selling.doctype.quotation.quotation.make_sales_order";

/// Why a quote could not be accepted this time.
#[derive(Debug, thiserror::Error)]
pub enum AcceptError {
    /// ERPNext failed or refused.
    #[error("ERPNext: {0}")]
    Erp(#[from] ErpError),
    /// The signed document could not be fetched.
    #[error("DocuSeal: {0}")]
    Docuseal(#[from] crate::docuseal::CallError),
    /// Our database failed.
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    /// Something a person must look at (the quotation cancelled after the signature, an item
    /// without a frequency).
    #[error("{0}")]
    NeedsAPerson(String),
}

/// Makes the Sales Orders of signed quotes.
#[derive(Clone)]
pub struct Acceptor {
    /// The database.
    pub store: Store,
    /// ERPNext.
    pub erp: FrappeClient,
    /// Wakes the outbox relay.
    pub outbox_written: Arc<Notify>,
    /// What it counts.
    pub metrics: QuoteMetrics,
}

impl Acceptor {
    /// Accepts signed quotes until the process ends: a round when `wake` fires or every 5 s.
    pub fn spawn(self, wake: Arc<Notify>) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.round().await {
                    Ok(taken) if taken as u64 == BATCH => continue,
                    Ok(_) => {}
                    Err(e) => tracing::error!(error = %e, "signed quotes cannot be read"),
                }
                let _ = tokio::time::timeout(Duration::from_secs(5), wake.notified()).await;
            }
        })
    }

    /// One round over the signed quotes due; how many were taken.
    pub async fn round(&self) -> Result<usize, sea_orm::DbErr> {
        let due = self.store.to_accept(now_ms(), BATCH).await?;
        for row in &due {
            self.accept(&row.quotation).await?;
        }
        Ok(due.len())
    }

    /// Accepts `quotation` if it is signed and nobody else is at it; a failure is recorded for a
    /// later try. The sales order when accepted now.
    pub async fn accept(&self, quotation: &str) -> Result<Option<String>, sea_orm::DbErr> {
        if !self.store.claim_acceptance(quotation, now_ms()).await? {
            return Ok(None);
        }
        let Some(row) = self.store.quote(quotation).await? else {
            return Ok(None);
        };
        match self.accept_claimed(&row).await {
            Ok(order) => Ok(Some(order)),
            Err(AcceptError::Db(e)) => Err(e),
            Err(e) => {
                let wait = match &e {
                    AcceptError::NeedsAPerson(_) => MAX_BACKOFF_MS,
                    _ => (1000 * 2_i64.pow(row.attempts.clamp(0, 20) as u32)).min(MAX_BACKOFF_MS),
                };
                tracing::error!(quotation, attempts = row.attempts + 1, retry_in_ms = wait, error = %e,
                    "a signed quote could not be accepted in ERPNext");
                self.store
                    .acceptance_failed(quotation, &e.to_string(), now_ms() + wait)
                    .await?;
                Ok(None)
            }
        }
    }

    #[tracing::instrument(skip_all, fields(quotation = %row.quotation))]
    async fn accept_claimed(&self, row: &quote::Model) -> Result<String, AcceptError> {
        let q: Quotation = self.erp.get("Quotation", &row.quotation).await?;
        let who = party(&self.erp, &q).await.map_err(|e| match e {
            crate::error::ApiError::Erp(e) => AcceptError::Erp(e),
            other => AcceptError::NeedsAPerson(other.to_string()),
        })?;
        let view = QuoteView::of(&q, &who.recipient.name, &row.lang)
            .map_err(|e| AcceptError::NeedsAPerson(format!("{e:?}")))?;
        let order = self.sales_order(&q).await?;
        let mut subscriptions = Vec::new();
        for line in &view.recurring {
            subscriptions.push(self.subscription(&q, line).await?);
        }
        let record = self.store.acceptance(&row.quotation).await?;
        if let Some(url) = record.as_ref().and_then(|r| r.document_url.as_deref()) {
            self.attach(&order, &row.quotation, url).await?;
        }
        let method = record.as_ref().map_or("signature", |r| r.method.as_str());
        let accepted_at = record
            .as_ref()
            .and_then(|r| chrono::DateTime::from_timestamp_millis(r.signed_at))
            .unwrap_or_else(chrono::Utc::now)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let fact = QuoteAccepted {
            customer: q.party_name.clone(),
            quotation: q.name.clone(),
            sales_order: order.clone(),
            subscriptions,
            method: method.to_owned(),
            accepted_at,
        };
        let mut events = vec![
            Envelope::new(SOURCE, &fact).map_err(|e| AcceptError::NeedsAPerson(e.to_string()))?,
        ];
        events.extend(notices::confirmation(&who.recipient, &view, &order));
        let effects = Effects {
            events,
            sales_order: Some(order.clone()),
            ..Effects::default()
        };
        let detail = format!("accepted: {order}");
        let applied = self
            .store
            .apply(
                &row.quotation,
                Happening::Accepted,
                &detail,
                effects,
                now_ms(),
            )
            .await?;
        if matches!(applied, Applied::Moved(_)) {
            self.outbox_written.notify_one();
            self.metrics.accepted(method);
            tracing::info!(quotation = %row.quotation, sales_order = %order, "quote accepted");
        }
        Ok(order)
    }

    /// The submitted Sales Order made from `q`: the one that exists, else a new one.
    async fn sales_order(&self, q: &Quotation) -> Result<String, AcceptError> {
        let query = ListQuery::new()
            .fields(&["name"])
            .child_filter("Sales Order Item", "prevdoc_docname", Op::Eq, json!(q.name))
            .filter("docstatus", Op::Eq, json!(1))
            .limit(1);
        let found: Vec<Value> = self.erp.list("Sales Order", &query).await?;
        if let Some(name) = found.first().and_then(|o| o["name"].as_str()) {
            return Ok(name.to_owned());
        }
        if q.docstatus == 2 {
            return Err(AcceptError::NeedsAPerson(
                "the quotation was cancelled in ERPNext after the customer accepted it".to_owned(),
            ));
        }
        let mut order: SalesOrder = self
            .erp
            .call_method(MAKE_SALES_ORDER, &json!({"source_name": q.name}))
            .await?;
        order.name = None;
        order.delivery_date = Some(today());
        order.docstatus = 1;
        let doc =
            serde_json::to_value(&order).map_err(|e| AcceptError::NeedsAPerson(e.to_string()))?;
        let made: SalesOrder = self.erp.create("Sales Order", &doc).await?;
        made.name.ok_or_else(|| {
            AcceptError::NeedsAPerson("ERPNext answered a Sales Order without a name".to_owned())
        })
    }

    /// The Subscription of `line`: the one made before for this quotation row, else a new one on
    /// the plan of its item, frequency and price.
    async fn subscription(&self, q: &Quotation, line: &Line) -> Result<String, AcceptError> {
        let query = ListQuery::new()
            .fields(&["name"])
            .filter("custom_quotation_item", Op::Eq, json!(line.row))
            .filter("party", Op::Eq, json!(q.party_name))
            .limit(1);
        let found: Vec<Value> = self.erp.list("Subscription", &query).await?;
        if let Some(name) = found.first().and_then(|s| s["name"].as_str()) {
            return Ok(name.to_owned());
        }
        let plan = self.plan(q, line).await?;
        let subscription = Subscription {
            name: None,
            party_type: "Customer".to_owned(),
            party: q.party_name.clone(),
            start_date: today(),
            status: None,
            plans: vec![shared::erpnext::SubscriptionPlanDetail {
                plan,
                qty: line.qty.round().max(1.0) as u32,
            }],
            custom_quotation: Some(q.name.clone()),
            custom_quotation_item: Some(line.row.clone()),
        };
        let doc = serde_json::to_value(&subscription)
            .map_err(|e| AcceptError::NeedsAPerson(e.to_string()))?;
        let made: Subscription = self.erp.create("Subscription", &doc).await?;
        made.name.ok_or_else(|| {
            AcceptError::NeedsAPerson("ERPNext answered a Subscription without a name".to_owned())
        })
    }

    /// The Subscription Plan billing `line`'s item at its price and frequency: found, else made
    /// under a name that says what it is (`FIBRE-500 75.00 CAD / 1 Month`).
    async fn plan(&self, q: &Quotation, line: &Line) -> Result<String, AcceptError> {
        let (interval, count) = line.frequency.plan_interval().ok_or_else(|| {
            AcceptError::NeedsAPerson(format!("{} is not recurring", line.item_code))
        })?;
        let currency = q.currency.clone().unwrap_or_else(|| "CAD".to_owned());
        let query = ListQuery::new()
            .fields(SubscriptionPlan::FIELDS)
            .filter("item", Op::Eq, json!(line.item_code))
            .filter("billing_interval", Op::Eq, json!(interval))
            .filter("billing_interval_count", Op::Eq, json!(count))
            .filter("price_determination", Op::Eq, json!("Fixed Rate"))
            .limit(50);
        let plans: Vec<SubscriptionPlan> = self.erp.list("Subscription Plan", &query).await?;
        if let Some(plan) = plans.iter().find(|p| {
            p.cost == line.rate_cents && p.currency.as_deref().unwrap_or("CAD") == currency
        }) {
            return Ok(plan.plan_name.clone());
        }
        let name = format!(
            "{} {}.{:02} {currency} / {count} {interval}",
            line.item_code,
            line.rate_cents / 100,
            line.rate_cents % 100
        );
        let plan = json!({
            "plan_name": name, "item": line.item_code, "price_determination": "Fixed Rate",
            "cost": line.rate_cents as f64 / 100.0, "currency": currency,
            "billing_interval": interval, "billing_interval_count": count,
        });
        match self.erp.create::<Value>("Subscription Plan", &plan).await {
            Ok(_) | Err(ErpError::Conflict) => Ok(name),
            Err(e) => Err(e.into()),
        }
    }

    /// The signed document attached to `order` as a private File, once.
    async fn attach(&self, order: &str, quotation: &str, url: &str) -> Result<(), AcceptError> {
        let file_name = format!("{quotation}-signee.pdf");
        let query = ListQuery::new()
            .fields(File::FIELDS)
            .filter("attached_to_doctype", Op::Eq, json!("Sales Order"))
            .filter("attached_to_name", Op::Eq, json!(order))
            .filter("file_name", Op::Eq, json!(file_name))
            .limit(1);
        let found: Vec<File> = self.erp.list("File", &query).await?;
        if !found.is_empty() {
            return Ok(());
        }
        let bytes = crate::docuseal::download(url).await?;
        self.erp
            .upload_file(&file_name, "Sales Order", order, true, &bytes)
            .await?;
        Ok(())
    }
}

/// What the acceptance record says, for the status route.
pub fn audit(record: &acceptance::Model) -> Value {
    json!({
        "method": record.method,
        "signer_name": record.signer_name,
        "signer_email": record.signer_email,
        "signed_at": chrono::DateTime::from_timestamp_millis(record.signed_at)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        "ip": record.ip,
        "user_agent": record.user_agent,
        "audit_log_url": record.audit_log_url,
        "envelope_id": record.envelope_id,
    })
}
