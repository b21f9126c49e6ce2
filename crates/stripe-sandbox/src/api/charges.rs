//! `/v1/charges/{id}` and `/v1/balance_transactions/{id}` (Stripe's fee on a charge).

use actix_web::{HttpRequest, HttpResponse, web};

use super::{State, authorize, get_one, query};
use crate::error::StripeError;
use crate::expand::expanded;
use crate::fees;
use crate::objects::find;

pub(super) async fn get(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    get_one(&req, &state, &id, ("charge", "charge", "id")).await
}

pub(super) async fn get_balance_transaction(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = query(&req)?;
    let transaction = find(
        &state,
        "balance_transaction",
        "balance transaction",
        &id,
        "id",
    )
    .await?;
    let transaction = fees::with_status(transaction);
    Ok(HttpResponse::Ok().json(expanded(&state, transaction, &params).await?))
}
