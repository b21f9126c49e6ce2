//! `/v1/payment_intents`: one, and the list by creation time.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{State, authorize, query};
use crate::error::StripeError;
use crate::expand::expanded;
use crate::form::Params;
use crate::objects::find;

pub(super) async fn get(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = query(&req)?;
    let intent = find(&state, "payment_intent", "payment_intent", &id, "intent").await?;
    Ok(HttpResponse::Ok().json(expanded(&state, intent, &params).await?))
}

pub(super) async fn list(req: HttpRequest, state: State) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(req.query_string().as_bytes())?;
    params.only(&["created", "limit", "customer"])?;
    let limit = params.integer("limit", 1)?.unwrap_or(10);
    if limit > 100 {
        return Err(StripeError::bad_request(
            "parameter_invalid_integer",
            "This value must be less than or equal to 100.".to_owned(),
            Some("limit"),
        ));
    }
    let mut gte = i64::MIN;
    let mut lte = i64::MAX;
    if let Some(exact) = params.integer("created", i64::MIN)? {
        (gte, lte) = (exact, exact);
    }
    if let Some(v) = params.integer("created[gte]", i64::MIN)? {
        gte = gte.max(v);
    }
    if let Some(v) = params.integer("created[gt]", i64::MIN)? {
        gte = gte.max(v.saturating_add(1));
    }
    if let Some(v) = params.integer("created[lte]", i64::MIN)? {
        lte = lte.min(v);
    }
    if let Some(v) = params.integer("created[lt]", i64::MIN)? {
        lte = lte.min(v.saturating_sub(1));
    }
    let limit = u64::try_from(limit).unwrap_or(10);
    let mut data = state
        .store
        .find_by_kind("payment_intent", gte, lte, limit + 1)
        .await?;
    if let Some(customer) = params.get("customer") {
        data.retain(|pi| pi["customer"] == customer);
    }
    let has_more = data.len() as u64 > limit;
    data.truncate(usize::try_from(limit).unwrap_or(10));
    Ok(HttpResponse::Ok().json(json!({
        "object": "list",
        "data": data,
        "has_more": has_more,
        "url": "/v1/payment_intents",
    })))
}
