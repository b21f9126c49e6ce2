//! `/v1/refunds` of a PaymentIntent's charge.

use actix_web::{HttpRequest, HttpResponse, web};

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
