//! The customer's payments: the invoices and balance read from ERPNext, and the Checkout Sessions
//! that pay them (made once per payment: a second click gets the same session, a retried Stripe call
//! the same answer).

use shared::erpnext::{Customer, FrappeClient};

use crate::checkout::{self, Kind, KlarnaLimits, Method, Plan};
use crate::error::ApiError;
use crate::invoices;
use crate::store::Store;
use crate::stripe::{Form, Session, StripeClient};

/// What the customer routes need.
pub struct Ctx {
    /// The service's database.
    pub store: Store,
    /// ERPNext.
    pub erp: FrappeClient,
    /// Stripe; none when `STRIPE_SECRET_KEY` is unset (paying answers 503).
    pub stripe: Option<StripeClient>,
    /// Our public origin (Stripe's return address).
    pub public_url: String,
    /// The portal's origin (where the return page sends the customer).
    pub portal_url: String,
    /// Wakes the outbox relay.
    pub outbox_written: std::sync::Arc<tokio::sync::Notify>,
    /// What it counts.
    pub metrics: crate::metrics::PayMetrics,
    /// Klarna's limits.
    pub klarna: KlarnaLimits,
}

impl Ctx {
    pub(crate) fn stripe(&self) -> Result<&StripeClient, ApiError> {
        self.stripe.as_ref().ok_or(ApiError::StripeUnavailable)
    }

    /// A Checkout Session for `name`, one of `customer`'s invoices; its URL.
    pub async fn pay_invoice(
        &self,
        customer: &str,
        name: &str,
        method: Method,
    ) -> Result<String, ApiError> {
        let invoice = invoices::owned(&self.erp, customer, name)
            .await?
            .ok_or(ApiError::NotFound)?;
        let who = self.customer(customer).await?;
        let plan = checkout::for_invoice(&who, &invoice, method, self.klarna)?;
        self.open(&who, &plan).await
    }

    /// A Checkout Session for every unpaid invoice of `customer`; its URL.
    pub async fn pay_balance(&self, customer: &str) -> Result<String, ApiError> {
        let unpaid = invoices::unpaid(&self.erp, customer).await?;
        let plan = checkout::for_balance(customer, &unpaid)?;
        let who = self.customer(customer).await?;
        self.open(&who, &plan).await
    }

    pub(crate) async fn customer(&self, name: &str) -> Result<Customer, ApiError> {
        Ok(self.erp.get::<Customer>("Customer", name).await?)
    }

    /// The open session of `plan` made in the last 30 minutes, or a new one.
    pub(crate) async fn open(&self, who: &Customer, plan: &Plan) -> Result<String, ApiError> {
        let stripe = self.stripe()?;
        let now = chrono::Utc::now().timestamp_millis();
        // A payment's second click gets the same session; each card saved gets its own.
        let reusable = match plan.kind {
            Kind::Setup => None,
            _ => self.store.reusable_checkout(plan, now).await?,
        };
        if let Some(url) = reusable.and_then(|c| c.url) {
            return Ok(url);
        }
        let stripe_customer = self.stripe_customer(stripe, who).await?;
        let id = self.store.new_checkout(plan, now).await?;
        let form = checkout::session_form(
            plan,
            &id,
            &stripe_customer,
            checkout::locale(who.language.as_deref()),
            &self.public_url,
        );
        let session: Session = stripe
            .post("/v1/checkout/sessions", &form, &format!("checkout:{id}"))
            .await?;
        let url = session.url.ok_or(ApiError::StripeUnavailable)?;
        self.store
            .checkout_session_made(&id, &session.id, &url)
            .await?;
        self.metrics.checkout(plan.kind.as_str());
        tracing::info!(checkout = %id, session = %session.id, customer = %plan.customer,
            amount_cents = plan.amount.get(), method = plan.method.as_str(), "checkout session made");
        Ok(url)
    }

    /// `who`'s Stripe customer, made on first need (the idempotency key makes a retry find it).
    pub(crate) async fn stripe_customer(
        &self,
        stripe: &StripeClient,
        who: &Customer,
    ) -> Result<String, ApiError> {
        if let Some(id) = self.store.stripe_customer(&who.name).await? {
            return Ok(id);
        }
        let mut form = Form::new()
            .set("name", &who.customer_name)
            .set(
                "preferred_locales[]",
                checkout::locale(who.language.as_deref()),
            )
            .metadata("customer", &who.name);
        if let Some(email) = who.email_billing.as_ref().or(who.email_id.as_ref()) {
            form = form.set("email", email);
        }
        let made: crate::stripe::Customer = stripe
            .post("/v1/customers", &form, &format!("customer:{}", who.name))
            .await?;
        self.store.set_stripe_customer(&who.name, &made.id).await?;
        Ok(self
            .store
            .stripe_customer(&who.name)
            .await?
            .unwrap_or(made.id))
    }
}

impl Ctx {
    /// The PDF of `name`, one of `customer`'s invoices, in the customer's language.
    pub async fn invoice_pdf(&self, customer: &str, name: &str) -> Result<Vec<u8>, ApiError> {
        invoices::owned(&self.erp, customer, name)
            .await?
            .ok_or(ApiError::NotFound)?;
        let lang = self.customer(customer).await?.language;
        let lang = checkout::locale(lang.as_deref()).get(..2);
        Ok(self.erp.download_pdf("Sales Invoice", name, lang).await?)
    }
}

/// How long after a checkout was made its return may log the customer in.
const RETURN_WINDOW_MS: i64 = 2 * 3600 * 1000;

impl Ctx {
    /// The customer of Checkout Session `session` when it is ours, made less than two hours ago, and
    /// coming back for the first time; `None` otherwise.
    pub async fn returning_customer(&self, session: &str) -> Result<Option<String>, ApiError> {
        let now = chrono::Utc::now().timestamp_millis();
        let Some(checkout) = self.store.checkout_of_session(session).await? else {
            return Ok(None);
        };
        if now - checkout.created_at > RETURN_WINDOW_MS
            || !self.store.checkout_returned(&checkout.id, now).await?
        {
            return Ok(None);
        }
        Ok(Some(checkout.customer))
    }
}
