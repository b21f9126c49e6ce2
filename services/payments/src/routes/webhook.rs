//! `POST /webhook/stripe`: Stripe's signed events, recorded once each in the inbox.

use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use crate::error::ApiError;
use crate::metrics::Intake;
use crate::stripe::{Event, verify};

/// The answer to a webhook Stripe may stop retrying.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Received {
    /// Always true.
    pub received: bool,
    /// False when this event id was recorded before (a redelivery: nothing done twice).
    pub first_time: bool,
}

/// Stripe's events: the signature checked against every `STRIPE_WEBHOOK_SECRETS` (constant time, at
/// most 5 minutes old), the body read as an event, recorded once by its id, answered 200; the
/// processing happens off the request path.
#[utoipa::path(post, path = "/webhook/stripe", tag = "payments",
    params(("Stripe-Signature" = String, Header, description = "t=<unix>,v1=<hex HMAC-SHA256 of t.body>")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "A Stripe event (JSON), read as the exact bytes Stripe signed, whatever its Content-Type"),
    responses((status = 200, description = "Recorded (or recorded before)", body = Received),
              (status = 400, description = "Bad, stale or missing signature, or not a Stripe event; nothing written", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 413, description = "The body is larger than STRIPE_WEBHOOK_MAX_BYTES", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The database does not answer; Stripe retries", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn stripe_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let header = req
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now();
    let checked = verify(header, &body, &state.webhook_secrets, now.timestamp())
        .map_err(ApiError::from)
        .and_then(|_| Event::parse(&body).map_err(ApiError::from));
    let event = checked.inspect_err(|_| state.pay.metrics.webhook(Intake::Refused))?;
    // Verified JSON is UTF-8.
    let payload = String::from_utf8_lossy(&body);
    let first_time = state
        .pay
        .store
        .record_event(&event, &payload, now.timestamp_millis())
        .await?;
    state.pay.metrics.webhook(match first_time {
        true => Intake::Recorded,
        false => Intake::Duplicate,
    });
    if first_time {
        state.inbox_wake.notify_one();
    }
    tracing::info!(event = %event.id, kind = %event.kind, first_time, "Stripe event received");
    Ok(HttpResponse::Ok().json(Received {
        received: true,
        first_time,
    }))
}
