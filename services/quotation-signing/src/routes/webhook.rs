//! `POST /accept/docuseal-webhook`: DocuSeal's events, recorded once each in the inbox.

use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use crate::docuseal::{Event, check_secret};
use crate::error::ApiError;
use crate::metrics::Intake;
use crate::store::Received;

/// The answer DocuSeal stops retrying on.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Recorded {
    /// Always true.
    pub received: bool,
    /// False when this event was recorded before (a redelivery: nothing done twice).
    pub first_time: bool,
}

/// DocuSeal's events: the secret header (`DOCUSEAL_WEBHOOK_HEADER`) compared in constant time with
/// every `DOCUSEAL_WEBHOOK_SECRETS`, the body read as an event, recorded once by `(event_type,
/// data.id)`, answered 200, processed off the request path. An event for an envelope of no quote
/// of ours is recorded and changes nothing.
#[utoipa::path(post, path = "/accept/docuseal-webhook", tag = "quotation-signing",
    params(("X-Docuseal-Secret" = String, Header, description = "The secret set in DocuSeal's webhook settings (the header's name is DOCUSEAL_WEBHOOK_HEADER)")),
    request_body(content = Vec<u8>, content_type = "application/octet-stream", description = "A DocuSeal event (JSON: {event_type, timestamp, data}), read as bytes whatever its Content-Type"),
    responses((status = 200, description = "Recorded (or recorded before)", body = Recorded),
              (status = 400, description = "Not a DocuSeal event; nothing written", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 401, description = "Missing or wrong secret; nothing written", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 413, description = "The body is larger than DOCUSEAL_WEBHOOK_MAX_BYTES", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The database does not answer; DocuSeal retries", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn docuseal_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let sent = req
        .headers()
        .get(state.webhook_header.as_str())
        .map(|v| v.as_bytes());
    let checked = check_secret(sent, &state.webhook_secrets)
        .map_err(ApiError::from)
        .and_then(|()| Event::parse(&body).map_err(ApiError::from));
    let event = checked.inspect_err(|_| state.metrics.webhook(Intake::Refused))?;
    let received = Received {
        event_type: &event.event_type,
        object_id: &event.object_id,
        envelope_id: event.envelope_id.as_deref(),
        payload: &String::from_utf8_lossy(&body),
    };
    let first_time = state
        .store
        .record_event(&received, chrono::Utc::now().timestamp_millis())
        .await?;
    state.metrics.webhook(match first_time {
        true => Intake::Recorded,
        false => Intake::Duplicate,
    });
    if first_time {
        state.inbox_wake.notify_one();
    }
    tracing::info!(kind = %event.event_type, id = %event.object_id, envelope = ?event.envelope_id, first_time, "DocuSeal event received");
    Ok(HttpResponse::Ok().json(Recorded {
        received: true,
        first_time,
    }))
}
