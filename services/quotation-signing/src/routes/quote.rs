//! One quote, for staff or its customer: its status and history, its printable page, its QR code.

use actix_web::{HttpRequest, HttpResponse, web};

use super::AppState;
use crate::error::{ApiError, Refusal};
use crate::portal::QuoteStatus;

/// Where the quote stands (draft, sent, viewed, signed, accepted, declined, expired), with its
/// history and, once accepted, the audit record of the acceptance.
#[utoipa::path(get, path = "/accept/{quotation}/status", tag = "quotation-signing",
    params(("quotation" = String, Path, description = "The ERPNext Quotation", example = "SAL-QTN-2026-00001")),
    responses((status = 200, description = "The status and history", body = QuoteStatus),
              (status = 401, description = "A customer token that is not valid", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Neither staff nor a customer", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such quotation, or another customer's (QUO_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "ERPNext or portal-auth not answering", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn status(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = state.caller(&req).await?;
    let status = state.portal.status(&caller, &path).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(status))
}

/// The QR code of a sent quote's signing (or accepting) link, drawn by `render` as
/// `content_type`; 409 before it is sent.
async fn qr(
    req: &HttpRequest,
    state: &AppState,
    quotation: &str,
    content_type: &str,
    render: impl Fn(&str) -> Result<Vec<u8>, crate::qr::QrError>,
) -> Result<HttpResponse, ApiError> {
    let caller = state.caller(req).await?;
    let (_, row) = state.portal.find(&caller, quotation).await?;
    let url = row
        .and_then(|r| r.signing_url)
        .ok_or(ApiError::Refused(Refusal::NotSent, super::lang(req)))?;
    let image = render(&url).map_err(|e| ApiError::Unexpected(e.to_string()))?;
    Ok(private(content_type, image))
}

/// The QR code of the signing link (or, for a quote to accept in one click, of the portal's
/// quotes page), as SVG, for the printed quote.
#[utoipa::path(get, path = "/accept/{quotation}/qr.svg", tag = "quotation-signing",
    params(("quotation" = String, Path, description = "The ERPNext Quotation", example = "SAL-QTN-2026-00001")),
    responses((status = 200, description = "The QR code", content_type = "image/svg+xml", body = String),
              (status = 401, description = "A customer token that is not valid", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Neither staff nor a customer", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such quotation, or another customer's (QUO_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not sent yet (QUO_15)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "ERPNext or portal-auth not answering", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn qr_svg(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let svg = |url: &str| crate::qr::svg(url).map(String::into_bytes);
    qr(&req, &state, &path, "image/svg+xml", svg).await
}

/// The QR code of the signing link as PNG.
#[utoipa::path(get, path = "/accept/{quotation}/qr.png", tag = "quotation-signing",
    params(("quotation" = String, Path, description = "The ERPNext Quotation", example = "SAL-QTN-2026-00001")),
    responses((status = 200, description = "The QR code", content_type = "image/png", body = Vec<u8>),
              (status = 401, description = "A customer token that is not valid", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Neither staff nor a customer", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such quotation, or another customer's (QUO_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 409, description = "Not sent yet (QUO_15)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "ERPNext or portal-auth not answering", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn qr_png(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    qr(&req, &state, &path, "image/png", crate::qr::png).await
}

/// The quote as a printable page (French first): its Recurring and One-time sections, TPS and TVQ,
/// totals and, once sent, the QR code of its link.
#[utoipa::path(get, path = "/accept/{quotation}/print", tag = "quotation-signing",
    params(("quotation" = String, Path, description = "The ERPNext Quotation", example = "SAL-QTN-2026-00001")),
    responses((status = 200, description = "The printable page", content_type = "text/html", body = String),
              (status = 401, description = "A customer token that is not valid", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 403, description = "Neither staff nor a customer", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 404, description = "No such quotation, or another customer's (QUO_14)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 422, description = "Items without a billing frequency (QUO_13)", body = shared::http::Problem, content_type = "application/problem+json"),
              (status = 503, description = "ERPNext or portal-auth not answering", body = shared::http::Problem, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn print(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = state.caller(&req).await?;
    let (q, row) = state.portal.find(&caller, &path).await?;
    let who = crate::generate::party(&state.portal.erp, &q).await?;
    let lang = row.as_ref().map_or(who.lang.as_str(), |r| r.lang.as_str());
    let view = crate::quote::QuoteView::of(&q, &who.recipient.name, lang)
        .map_err(|r| ApiError::Refused(r, who.lang))?;
    let url = row.and_then(|r| r.signing_url);
    let qr = match &url {
        Some(url) => Some(crate::qr::svg(url).map_err(|e| ApiError::Unexpected(e.to_string()))?),
        None => None,
    };
    let page = crate::print::page(&view, qr.as_deref(), url.as_deref());
    Ok(private("text/html; charset=utf-8", page))
}

/// Answers `body` with headers fit for a page that holds a signing link: never cached, never
/// framed, no referrer sent from it.
fn private(content_type: &str, body: impl actix_web::body::MessageBody + 'static) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .insert_header(("X-Frame-Options", "DENY"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        ))
        .body(body)
}
