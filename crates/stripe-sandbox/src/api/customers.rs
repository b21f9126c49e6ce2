//! `/v1/customers`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{State, authorize, idempotent};
use crate::error::StripeError;
use crate::form::Params;
use crate::objects::{find, new_id, now};

pub(super) async fn create(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(&[
        "email",
        "name",
        "phone",
        "description",
        "preferred_locales",
        "metadata",
    ])?;
    let app = state.clone();
    idempotent(&req, &state, params, |p| async move {
        let customer = json!({
            "id": new_id("cus_"),
            "object": "customer",
            "created": now(),
            "description": p.get("description"),
            "email": p.get("email"),
            "livemode": false,
            "metadata": p.map("metadata"),
            "name": p.get("name"),
            "phone": p.get("phone"),
            "preferred_locales": p.list("preferred_locales"),
        });
        app.store.create(&customer).await?;
        Ok(customer)
    })
    .await
}

pub(super) async fn get(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let customer = find(&state, "customer", "customer", &id, "id").await?;
    Ok(HttpResponse::Ok().json(customer))
}
