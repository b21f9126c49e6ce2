//! `POST /webhook/twilio`: SMS status callbacks, believed only with a valid `X-Twilio-Signature`.

use actix_web::{HttpRequest, HttpResponse, web};
use shared::http::Problem;

use super::AppState;
use crate::error::ApiError;
use crate::store::Status;
use crate::twilio::signature_matches;

/// Updates the delivery log from a Twilio status callback. A bad signature gets 403 and changes nothing.
#[utoipa::path(post, path = "/webhook/twilio", tag = "notifications",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 204, description = "Recorded"),
              (status = 400, description = "Not a form, or MessageSid or MessageStatus missing", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "Bad X-Twilio-Signature", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "Twilio is not configured", body = Problem, content_type = "application/problem+json"),
              (status = 413, description = "The body is larger than 16 KiB", body = Problem, content_type = "application/problem+json"),
              (status = 503, description = "The delivery log does not answer", body = Problem, content_type = "application/problem+json")))]
pub async fn twilio_status(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let token = state
        .twilio_auth_token
        .as_ref()
        .ok_or(ApiError::TwilioNotConfigured)?;
    let params = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&body)
        .map_err(|_| ApiError::MalformedBody)?;
    let given = req
        .headers()
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    // The signed URL is the one we gave Twilio, from configuration, plus the query string as received.
    let url = match req.query_string() {
        "" => state.twilio_callback_url.clone(),
        q => format!("{}?{q}", state.twilio_callback_url),
    };
    if !signature_matches(token, &url, &params, given) {
        tracing::warn!("Twilio callback with a bad signature refused");
        return Err(ApiError::BadSignature);
    }
    let get = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(sid), Some(status)) = (get("MessageSid"), get("MessageStatus")) else {
        return Err(ApiError::MissingFields);
    };
    let status = match status {
        "delivered" => Status::Delivered,
        "undelivered" | "failed" => Status::Undelivered,
        // queued, sending, sent, accepted…: still "sent" as far as we are concerned.
        _ => Status::Sent,
    };
    let error = get("ErrorCode").map(|c| format!("Twilio error {c}"));
    // A database that does not answer gets 503: Twilio retries on 5xx, nothing is lost.
    state
        .store
        .update_sms_status(sid, status, error.as_deref())
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
