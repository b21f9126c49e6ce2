//! Staff routes (Authentik's headers from a trusted proxy, in `PAYMENTS_STAFF_GROUPS`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::AppState;
use crate::error::ApiError;
use crate::links::{LinkSent, SendLink};
use crate::processor::Repair;
use crate::refunds::{RefundAnswer, RefundRequest};

type State = web::Data<AppState>;

/// `?days=`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct RepairQuery {
    /// How far back to look, 1-30 days (default 3).
    pub days: Option<u32>,
}

/// Books every payment Stripe received in the last days that has no Payment Entry (the nightly
/// repair, by hand).
#[utoipa::path(post, path = "/payments/repair", tag = "payments", params(RepairQuery),
    responses((status = 200, description = "What the repair found and booked", body = Repair),
              (status = 400, description = "days is not a number (REQ_05)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Not staff, or not in PAYMENTS_STAFF_GROUPS (PAY_06)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "days outside 1-30 (PAY_04)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe unavailable (PAY_13)", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn repair(
    req: HttpRequest,
    state: State,
    query: web::Query<RepairQuery>,
) -> Result<HttpResponse, ApiError> {
    let staff = state.staff(&req)?;
    let days = query.days.unwrap_or(3);
    if !(1..=30).contains(&days) {
        return Err(ApiError::BadQuery("days is between 1 and 30"));
    }
    let since = chrono::Utc::now().timestamp() - i64::from(days) * 86_400;
    let found = state.processor.repair(since).await?;
    tracing::info!(target: "audit", staff = %staff.username, days, ?found, "repair run by hand");
    Ok(HttpResponse::Ok().json(found))
}

/// Refunds a payment, in full or in part: asked of Stripe once, paid back in ERPNext.
#[utoipa::path(post, path = "/payments/refund", tag = "payments", request_body = RefundRequest,
    responses((status = 200, description = "The refund (the same one again for a repeat within ten minutes)", body = RefundAnswer),
              shared::http::JsonBodyProblems,
              (status = 403, description = "Not staff, or not in PAYMENTS_STAFF_GROUPS (PAY_06)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No booked payment with this PaymentIntent (PAY_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "More than what is left of the payment (PAY_15)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "A negative, zero, fractional or non-CAD amount (PAY_16), or a field missing, unknown or mistyped", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "Stripe unavailable (PAY_13)", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn refund(
    req: HttpRequest,
    state: State,
    body: web::Json<RefundRequest>,
) -> Result<HttpResponse, ApiError> {
    let staff = state.staff(&req)?;
    let mut row = state.pay.refund(&staff.username, &body).await?;
    row.payment_entry = state.processor.book_refund(&row).await;
    Ok(HttpResponse::Ok().json(RefundAnswer::from(row)))
}

/// Emails and texts the customer a link that logs them in and opens the payment of one invoice or
/// of their balance.
#[utoipa::path(post, path = "/payments/send-link", tag = "payments", request_body = SendLink,
    responses((status = 200, description = "What was sent, for how much, until when", body = LinkSent),
              shared::http::JsonBodyProblems,
              (status = 403, description = "Not staff, or not in PAYMENTS_STAFF_GROUPS (PAY_06)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such enabled customer, or no such invoice of theirs (PAY_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "Nothing outstanding (PAY_10)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "No email and no mobile on file (PAY_17), or a field missing, unknown or mistyped", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "No logged-in link can be made (PAY_18), or ERPNext unavailable", body = shared::http::Problem, content_type = "application/problem+json")))]
pub async fn send_link(
    req: HttpRequest,
    state: State,
    body: web::Json<SendLink>,
) -> Result<HttpResponse, ApiError> {
    let staff = state.staff(&req)?;
    let sent = state.pay.send_link(&state.auth, &body).await?;
    tracing::info!(target: "audit", staff = %staff.username, customer = %body.customer,
        invoice = body.invoice.as_deref().unwrap_or("balance"), email = sent.email, sms = sent.sms,
        "payment link sent");
    Ok(HttpResponse::Ok().json(sent))
}
