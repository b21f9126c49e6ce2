//! `/v1/payment_methods`: a customer's saved cards, one card, detaching it.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{State, authorize, get_one, idempotent};
use crate::error::StripeError;
use crate::form::Params;
use crate::objects::find;
use crate::payment_methods;

/// The types Stripe lists; only cards are ever saved here, the others list nothing.
const TYPES: &[&str] = &["card", "klarna", "acss_debit", "link", "us_bank_account"];

/// `GET /v1/payment_methods?customer=&type=card&limit=`.
pub(super) async fn list(req: HttpRequest, state: State) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(req.query_string().as_bytes())?;
    params.only(&["customer", "type", "limit"])?;
    let customer = params.required("customer")?.to_owned();
    respond_list(&state, &params, &customer, "/v1/payment_methods").await
}

/// `GET /v1/customers/{id}/payment_methods?type=card&limit=`.
pub(super) async fn list_of_customer(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(req.query_string().as_bytes())?;
    params.only(&["type", "limit"])?;
    let url = format!("/v1/customers/{id}/payment_methods");
    respond_list(&state, &params, &id, &url).await
}

async fn respond_list(
    state: &State,
    params: &Params,
    customer: &str,
    url: &str,
) -> Result<HttpResponse, StripeError> {
    let limit = params.integer("limit", 1)?.unwrap_or(10);
    if limit > 100 {
        return Err(StripeError::bad_request(
            "parameter_invalid_integer",
            "This value must be less than or equal to 100.".to_owned(),
            Some("limit"),
        ));
    }
    let kind = params.get("type").unwrap_or("card");
    if !TYPES.contains(&kind) {
        return Err(StripeError::invalid_value(
            "type",
            format!(
                "Invalid type: must be one of {} (got {kind})",
                TYPES.join(", ")
            ),
        ));
    }
    find(state, "customer", "customer", customer, "customer").await?;
    let mut data: Vec<Value> = payment_methods::of_customer(state, customer).await?;
    data.retain(|m| m["type"] == kind);
    let limit = usize::try_from(limit).unwrap_or(10);
    let has_more = data.len() > limit;
    data.truncate(limit);
    Ok(HttpResponse::Ok().json(json!({
        "object": "list",
        "data": data,
        "has_more": has_more,
        "url": url,
    })))
}

pub(super) async fn get(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    get_one(&req, &state, &id, ("payment_method", "PaymentMethod", "id")).await
}

pub(super) async fn detach(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(&[])?;
    let app = state.clone();
    let id = id.into_inner();
    idempotent(&req, &state, params, |_| async move {
        payment_methods::detach(&app, &id).await
    })
    .await
}
