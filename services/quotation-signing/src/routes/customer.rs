//! The customer's routes: their quotes, and the click-to-accept.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use crate::error::ApiError;
use crate::portal::{Caller, Confirmed, QuoteSummary};

/// The customer's quotes.
#[derive(Debug, Serialize, ToSchema)]
pub struct Quotes {
    /// Sent to them, newest first: the open ones to sign or accept, the accepted, declined and
    /// expired ones.
    pub quotes: Vec<QuoteSummary>,
}

/// `POST /accept/confirm`'s body.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Confirm {
    /// The Quotation to accept.
    #[schema(example = "SAL-QTN-2026-00001")]
    pub quotation: String,
}

/// The quotes sent to the customer whose token this is, with their Recurring and One-time
/// sections, taxes and totals.
#[utoipa::path(get, path = "/accept/quotes", tag = "quotation-signing",
    security(("customer_token" = [])),
    responses((status = 200, description = "The customer's quotes", body = Quotes),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "portal-auth or ERPNext not answering", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn quotes(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let quotes = state.portal.list(&customer).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Quotes { quotes }))
}

/// Accepts a quote that needs no signature, with one click: the consent recorded (who, when,
/// from where, with what browser), then the Sales Order and Subscriptions made.
#[utoipa::path(post, path = "/accept/confirm", tag = "quotation-signing",
    security(("customer_token" = [])),
    request_body = Confirm,
    responses((status = 200, description = "Accepted: the Sales Order is made", body = Confirmed),
              (status = 202, description = "Accepted: the Sales Order is being made (ERPNext is slow)", body = Confirmed),
              (status = 400, description = "Malformed JSON", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such quote of this customer (QUO_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "Expired (QUO_10), cancelled (QUO_11), already accepted (QUO_12), not sent or to be signed instead (QUO_15), in the customer's language", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 413, description = "Body too large", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 415, description = "Not JSON", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "Unknown or missing fields", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "portal-auth or ERPNext not answering", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<Confirm>,
) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let caller = Caller::Customer(customer, super::lang(&req));
    let ip = shared::http::client_ip(&req, &state.staff.0.trusted_proxies).map(|ip| ip.to_string());
    let user_agent = req
        .headers()
        .get("User-Agent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let done = state
        .portal
        .confirm(&caller, &body.quotation, ip, user_agent)
        .await?;
    Ok(match done.sales_order {
        Some(_) => HttpResponse::Ok().json(done),
        None => HttpResponse::Accepted().json(done),
    })
}
