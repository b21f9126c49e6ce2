//! `POST /otp/tech-link`: a dispatcher sends a technician the link of one job by SMS. The token
//! (`aud=tech`, the technician and the job, 12 h at most and never past the end of the shift)
//! travels in the link's fragment, never in the answer; the SMS goes through the outbox with the
//! audit row in one transaction.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use sea_orm::TransactionTrait;
use serde::Serialize;
use shared::erpnext::{DispatchJob, ErpError, Technician};
use shared::events::{Envelope, SmsSend, outbox};
use shared::http::{ClientIp, Staff};
use utoipa::ToSchema;

use super::AppState;
use crate::domain::Lang;
use crate::domain::tech_link::{TechLink, TechLinkRequest, expiry, refusal, sms_text};
use crate::error::ApiError;

/// The answer: where the link went (masked) and until when it works; never the token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TechLinkSent {
    /// The technician's mobile number, masked.
    #[schema(example = "(•••) •••-0101")]
    pub sent_to: String,
    /// When the token expires (RFC 3339, UTC).
    #[schema(example = "2026-12-08T20:30:00Z")]
    pub expires_at: String,
}

/// The staff member behind a request, if in one of `DISPATCH_STAFF_GROUPS`.
fn dispatcher(req: &HttpRequest, state: &AppState) -> Result<Staff, ApiError> {
    let staff = state
        .staff_gate
        .staff(req)
        .map_err(|e| ApiError::Forbidden(e.detail()))?;
    if !staff.in_any(&state.dispatch_groups) {
        return Err(ApiError::Forbidden(
            "This staff member may not send tech links.",
        ));
    }
    Ok(staff)
}

fn caller_lang(req: &HttpRequest) -> Lang {
    req.headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map_or(Lang::Fr, Lang::from_accept_language)
}

/// An ERPNext document, 404 in the caller's language when it does not exist.
async fn erp_doc<T: serde::de::DeserializeOwned>(
    state: &AppState,
    doctype: &str,
    name: &str,
    missing: String,
) -> Result<T, ApiError> {
    match state.erp.get::<T>(doctype, name).await {
        Ok(doc) => Ok(doc),
        Err(ErpError::NotFound) => Err(ApiError::Missing(missing)),
        Err(e) => Err(ApiError::Unavailable(format!("ERP: {e}"))),
    }
}

/// Sends a technician the link of a job assigned to them, by SMS; audited.
#[utoipa::path(post, path = "/otp/tech-link", request_body = TechLinkRequest, tag = "portal-auth",
    responses((status = 202, description = "The SMS is queued; the token is only in it", body = TechLinkSent),
              shared::http::JsonBodyProblems,
              (status = 403, description = "Not a staff member of DISPATCH_STAFF_GROUPS", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such Technician or Dispatch Job (AUTH_09)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "The job is not assigned to that technician (AUTH_10)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "A name that cannot be an ERPNext name (AUTH_11), no mobile number, or the shift is over today", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "The ERP or the database does not answer", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn send_tech_link(
    req: HttpRequest,
    state: web::Data<AppState>,
    ip: ClientIp,
    body: web::Json<TechLinkRequest>,
) -> Result<HttpResponse, ApiError> {
    let staff = dispatcher(&req, &state)?;
    let lang = caller_lang(&req);
    let link = TechLink::parse(&body, lang).map_err(ApiError::Unprocessable)?;
    let tech = assigned_technician(&state, &link, lang).await?;
    let mobile = tech
        .mobile_no
        .as_deref()
        .and_then(|m| shared::phone::E164Phone::parse(m).ok())
        .ok_or_else(|| ApiError::Unprocessable(refusal::no_mobile(lang, &link.technician)))?;
    let expires_at = expiry(chrono::Utc::now(), tech.shift_end)
        .map_err(|_| ApiError::Unprocessable(refusal::shift_over(lang, &link.technician)))?;
    let claims = state
        .tokens
        .tech_claims(&link.technician, &link.job, expires_at.timestamp());
    let token = state
        .tokens
        .sign_tech(&claims)
        .map_err(|e| ApiError::Unexpected(e.into()))?;
    let url = format!("{}/dispatch/j/#t={token}", state.public_url);
    let sms = SmsSend {
        to: mobile.as_str().to_owned(),
        body: sms_text(&link.job, expires_at, &url),
        template: "dispatch.tech_link".to_owned(),
        customer: None,
    };
    let seq = record_and_queue(&state, &staff, &ip, &link, &claims.jti, &sms).await?;
    tracing::info!(target: "audit", staff = %staff.username, technician = %link.technician,
        job = %link.job, client_ip = %ip.0, jti = %claims.jti, audit_seq = seq, "tech link sent");
    Ok(HttpResponse::Accepted()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(TechLinkSent {
            sent_to: shared::phone::mask(mobile.as_str()),
            expires_at: expires_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        }))
}

/// The Technician of `link`, once both it and the Dispatch Job are found in ERPNext (404) and the
/// job is that technician's (409).
async fn assigned_technician(
    state: &AppState,
    link: &TechLink,
    lang: Lang,
) -> Result<Technician, ApiError> {
    let tech: Technician = erp_doc(
        state,
        "Technician",
        &link.technician,
        refusal::unknown_technician(lang, &link.technician),
    )
    .await?;
    let job: DispatchJob = erp_doc(
        state,
        "Dispatch Job",
        &link.job,
        refusal::unknown_job(lang, &link.job),
    )
    .await?;
    if job.technician.as_deref() != Some(link.technician.as_str()) {
        return Err(ApiError::Conflict(refusal::not_assigned(
            lang,
            &link.job,
            &link.technician,
        )));
    }
    Ok(tech)
}

/// Writes the audit row and queues the SMS in one transaction (no SMS without its row, no row
/// without its SMS), then wakes the relay; the row's sequence number.
async fn record_and_queue(
    state: &AppState,
    staff: &Staff,
    ip: &ClientIp,
    link: &TechLink,
    jti: &str,
    sms: &SmsSend,
) -> Result<i64, ApiError> {
    let envelope =
        Envelope::new(crate::worker::SOURCE, sms).map_err(|e| ApiError::Unexpected(e.into()))?;
    let txn = state.store.connection().begin().await?;
    let seq = crate::store::record_impersonation(
        &txn,
        &crate::store::NewImpersonation {
            staff: &staff.username,
            staff_groups: &staff.groups,
            customer: &link.technician,
            reason: Some(&link.job),
            created_at: crate::store::now_ms(),
            client_ip: ip.0.to_string(),
            token_id: jti,
            purpose: crate::store::TECH_LINK,
        },
    )
    .await?;
    outbox::enqueue(&txn, &envelope).await?;
    txn.commit().await?;
    state.outbox_written.notify_one();
    Ok(seq)
}
