//! `/v1/mandates/{id}`.

use actix_web::{HttpRequest, HttpResponse, web};

use super::{State, get_one};
use crate::error::StripeError;

pub(super) async fn get(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    get_one(&req, &state, &id, ("mandate", "mandate", "mandate")).await
}
