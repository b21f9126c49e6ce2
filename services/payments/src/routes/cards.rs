//! The customer's saved cards and Stripe's Billing Portal.

use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use super::customer::{CheckoutUrl, private};
use crate::cards::SavedCards;
use crate::error::ApiError;

type State = web::Data<AppState>;

/// The customer's saved cards.
#[utoipa::path(get, path = "/payments/methods", tag = "payments",
    responses((status = 200, description = "The saved cards, the default one marked", body = SavedCards),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe, ERPNext or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn methods(req: HttpRequest, state: State) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let cards = state.pay.cards(&customer).await?;
    Ok(private(HttpResponse::Ok()).json(cards))
}

/// Makes one of the customer's cards the default.
#[utoipa::path(post, path = "/payments/methods/{id}/default", tag = "payments",
    params(("id" = String, Path, description = "pm_…")),
    responses((status = 204, description = "Done"),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such card of this customer (PAY_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn make_default(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    state.pay.make_default(&customer, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes one of the customer's cards.
#[utoipa::path(delete, path = "/payments/methods/{id}", tag = "payments",
    params(("id" = String, Path, description = "pm_…")),
    responses((status = 204, description = "Removed"),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such card of this customer (PAY_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn remove(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    state.pay.remove_card(&customer, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A Checkout Session in setup mode: the customer saves a card on Stripe's page.
#[utoipa::path(post, path = "/payments/save-card", tag = "payments",
    responses((status = 200, description = "The Checkout page to send the customer to", body = CheckoutUrl),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe, ERPNext or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn save_card(req: HttpRequest, state: State) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let url = state.pay.save_card(&customer).await?;
    Ok(private(HttpResponse::Ok()).json(CheckoutUrl { url }))
}

/// A Stripe Billing Portal session, back to the portal's cards page.
#[utoipa::path(post, path = "/payments/billing-portal", tag = "payments",
    responses((status = 200, description = "The Billing Portal page to send the customer to", body = CheckoutUrl),
              (status = 401, description = "No valid customer token", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe, ERPNext or portal-auth unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn billing_portal(req: HttpRequest, state: State) -> Result<HttpResponse, ApiError> {
    let customer = state.customer(&req).await?;
    let url = state.pay.billing_portal(&customer).await?;
    Ok(private(HttpResponse::Ok()).json(CheckoutUrl { url }))
}
