//! The customer's routes: balance, invoices and their PDFs, and paying them by Stripe Checkout.
//! Each asks portal-auth whose token it is first; another customer's invoice is a 404 like a missing
//! one.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AppState;
use crate::checkout::Method;
use crate::error::ApiError;
use crate::invoices::{self, Balance, MAX_PER_PAGE, Page};

type State = web::Data<AppState>;

/// What the customer owes.
#[utoipa::path(get, path = "/payments/balance", tag = "payments",
    responses((status = 200, description = "The balance and the unpaid invoices", body = Balance),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "ERPNext or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn balance(req: HttpRequest, state: State) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let unpaid = invoices::unpaid(&state.pay.erp, &customer).await?;
    Ok(private(HttpResponse::Ok()).json(invoices::balance(&unpaid)))
}

/// `?page=&per_page=`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct InvoicesQuery {
    /// 1-based (default 1).
    pub page: Option<u32>,
    /// 1-50 (default 20).
    pub per_page: Option<u32>,
}

/// The customer's invoices, newest first.
#[utoipa::path(get, path = "/payments/invoices", tag = "payments", params(InvoicesQuery),
    responses((status = 200, description = "A page of invoices, newest first", body = Page),
              (status = 400, description = "A page or per_page that is not a number (REQ_05)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "page below 1, per_page outside 1-50", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "ERPNext or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn invoices(
    req: HttpRequest,
    state: State,
    query: web::Query<InvoicesQuery>,
) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let page = query.page.unwrap_or(1);
    let per_page = query.per_page.unwrap_or(20);
    if page == 0 || page > 10_000 {
        return Err(ApiError::BadQuery("page is 1 or more"));
    }
    if !(1..=MAX_PER_PAGE).contains(&per_page) {
        return Err(ApiError::BadQuery("per_page is between 1 and 50"));
    }
    let page = invoices::page(&state.pay.erp, &customer, page, per_page).await?;
    Ok(private(HttpResponse::Ok()).json(page))
}

/// The invoice's PDF, as ERPNext prints it, in the customer's language.
#[utoipa::path(get, path = "/payments/invoices/{name}/pdf", tag = "payments",
    params(("name" = String, Path, description = "ACC-SINV-2026-00012")),
    responses((status = 200, description = "The PDF (Content-Disposition: inline)", content_type = "application/pdf", body = Vec<u8>),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such invoice of this customer", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "ERPNext or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn invoice_pdf(
    req: HttpRequest,
    state: State,
    name: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let pdf = state.pay.invoice_pdf(&customer, &name).await?;
    let disposition = format!("inline; filename=\"{}.pdf\"", safe_file_name(&name));
    Ok(private(HttpResponse::Ok())
        .content_type("application/pdf")
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .body(pdf))
}

/// `{"method": "card"|"klarna"}`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayInvoice {
    /// Card (default) or Klarna.
    #[serde(default)]
    pub method: Method,
}

/// Where to send the customer: Stripe's hosted page.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckoutUrl {
    /// The Checkout page.
    pub url: String,
}

/// A Checkout Session paying one invoice's outstanding amount.
#[utoipa::path(post, path = "/payments/pay-invoice/{name}", tag = "payments",
    params(("name" = String, Path, description = "ACC-SINV-2026-00012")),
    request_body(content = PayInvoice, description = "`{}` pays by card"),
    responses((status = 200, description = "The Checkout page to send the customer to", body = CheckoutUrl),
              shared::http::JsonBodyProblems,
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such invoice of this customer", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "Nothing outstanding (PAY_10), or cancelled (PAY_11)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "A field missing, unknown or mistyped (an unknown method included), or Klarna not offered (PAY_12)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe, ERPNext or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn pay_invoice(
    req: HttpRequest,
    state: State,
    name: web::Path<String>,
    body: web::Json<PayInvoice>,
) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let url = state.pay.pay_invoice(&customer, &name, body.method).await?;
    Ok(private(HttpResponse::Ok()).json(CheckoutUrl { url }))
}

/// A Checkout Session paying every unpaid invoice, by card.
#[utoipa::path(post, path = "/payments/pay-balance", tag = "payments",
    responses((status = 200, description = "The Checkout page to send the customer to", body = CheckoutUrl),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "Nothing outstanding (PAY_10)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe, ERPNext or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn pay_balance(req: HttpRequest, state: State) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let url = state.pay.pay_balance(&customer).await?;
    Ok(private(HttpResponse::Ok()).json(CheckoutUrl { url }))
}

/// A customer's own data is never cached by a proxy or kept by the browser.
pub(super) fn private(
    mut answer: actix_web::HttpResponseBuilder,
) -> actix_web::HttpResponseBuilder {
    answer.insert_header((header::CACHE_CONTROL, "no-store"));
    answer
}

/// `name` with only the characters a file name header can carry safely.
fn safe_file_name(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        .collect()
}
