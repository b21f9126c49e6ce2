//! `/v1/refunds` of a PaymentIntent's charge.

use actix_web::{HttpRequest, HttpResponse, web};

use serde_json::json;

use super::{State, authorize, idempotent};
use crate::error::StripeError;
use crate::form::Params;
use crate::objects;

pub(super) async fn create(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(&["payment_intent", "amount", "reason", "metadata"])?;
    params.required("payment_intent")?;
    params.integer("amount", 1)?;
    if let Some(reason) = params.get("reason")
        && !["duplicate", "fraudulent", "requested_by_customer"].contains(&reason)
    {
        return Err(StripeError::invalid_value(
            "reason",
            format!(
                "Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer (got {reason})"
            ),
        ));
    }
    let app = state.clone();
    idempotent(&req, &state, params, |p| async move {
        let amount = p.integer("amount", 1)?;
        let intent = p.required("payment_intent")?;
        objects::refund(&app, intent, amount, p.get("reason"), p.map("metadata")).await
    })
    .await
}

/// `GET /v1/refunds?payment_intent=&limit=`: newest first, as Stripe lists them.
pub(super) async fn list(req: HttpRequest, state: State) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(req.query_string().as_bytes())?;
    params.only(&["payment_intent", "limit"])?;
    let limit = usize::try_from(params.integer("limit", 1)?.unwrap_or(10).min(100)).unwrap_or(10);
    let mut data = state
        .store
        .find_by_kind("refund", i64::MIN, i64::MAX, 1_000_000)
        .await?;
    if let Some(intent) = params.get("payment_intent") {
        data.retain(|r| r["payment_intent"] == intent);
    }
    let has_more = data.len() > limit;
    data.truncate(limit);
    Ok(HttpResponse::Ok().json(json!({
        "object": "list",
        "data": data,
        "has_more": has_more,
        "url": "/v1/refunds",
    })))
}
