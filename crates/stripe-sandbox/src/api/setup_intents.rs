//! `/v1/setup_intents/{id}`.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{State, authorize, query};
use crate::error::StripeError;
use crate::expand::expanded;
use crate::objects::find;

pub(super) async fn get(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = query(&req)?;
    let intent = find(&state, "setup_intent", "setup_intent", &id, "intent").await?;
    Ok(HttpResponse::Ok().json(expanded(&state, intent, &params).await?))
}
