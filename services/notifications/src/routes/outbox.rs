//! The sandbox outbox (what would have been sent) and the delivery log.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Deserialize;
use shared::config::OutboundMode;
use shared::http::Problem;

use super::{AppState, NOT_IN_GROUP, View};
use crate::domain::mask_links_and_codes;
use crate::error::ApiError;
use crate::store::DeliveryRow;

/// `?to=` filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ToQuery {
    /// Only messages to this address or number.
    pub to: Option<String>,
}

/// The outbox is for staff, and only exists in sandbox mode.
fn outbox_view(req: &HttpRequest, state: &AppState) -> Result<View, ApiError> {
    if state.mode == OutboundMode::Live {
        return Err(ApiError::NoOutbox);
    }
    state.staff.view(req)
}

/// Hides the links and codes of a row from a masked view.
fn as_seen(mut row: DeliveryRow, view: View) -> DeliveryRow {
    if view == View::Masked {
        row.subject = row.subject.as_deref().map(mask_links_and_codes);
        row.text = row.text.as_deref().map(mask_links_and_codes);
    }
    row
}

async fn captured(
    state: &AppState,
    to: Option<&str>,
    view: View,
) -> Result<Vec<DeliveryRow>, ApiError> {
    let rows = state
        .store
        .list(to.filter(|t| !t.trim().is_empty()), true, 500)
        .await?;
    Ok(rows.into_iter().map(|r| as_seen(r, view)).collect())
}

/// Captured messages as JSON, newest first (tests and the browser test read links from here).
#[utoipa::path(get, path = "/notifications/outbox.json", tag = "notifications", params(ToQuery),
    responses((status = 200, description = "The captured messages", body = [DeliveryRow]),
              (status = 400, description = "The query string does not parse", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "Staff only", body = Problem, content_type = "application/problem+json"),
              (status = 404, description = "No outbox in live mode", body = Problem, content_type = "application/problem+json"),
              (status = 503, description = "The delivery log does not answer", body = Problem, content_type = "application/problem+json")))]
pub async fn outbox_json(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ToQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = outbox_view(&req, &state)?;
    let rows = captured(&state, q.to.as_deref(), view).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(rows))
}

/// The outbox page (JSON too, for `Accept: application/json`).
pub async fn outbox_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ToQuery>,
) -> Result<HttpResponse, ApiError> {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        return outbox_json(req, state, q).await;
    }
    let view = outbox_view(&req, &state)?;
    let rows = captured(&state, q.to.as_deref(), view).await?;
    let to = q.to.clone().unwrap_or_default();
    let mut body = format!(
        "<h1>Boîte d'envoi (bac à sable) / Sandbox outbox</h1>\
         <p>Rien de ce qui suit n'a quitté la machine. Nothing below left this machine.</p>\
         <form method=get><label>Destinataire / recipient <input name=to value=\"{}\"></label> <button>Filtrer</button></form>\
         <table><thead><tr><th>Reçu</th><th>Canal</th><th>À</th><th>Objet / message</th><th>Segments</th></tr></thead><tbody>",
        attr(&to)
    );
    for r in &rows {
        let summary = match r.channel.as_str() {
            "email" => format!(
                "<a href=\"/notifications/outbox/{}\">{}</a>",
                attr(&r.id),
                text(r.subject.as_deref().unwrap_or("(sans objet)"))
            ),
            _ => format!("<pre>{}</pre>", text(r.text.as_deref().unwrap_or(""))),
        };
        let segments = r.segments.map(|s| s.to_string()).unwrap_or_default();
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            text(&r.created_at),
            text(&r.channel),
            text(&r.to),
            summary,
            segments
        ));
    }
    body.push_str("</tbody></table>");
    Ok(page("Outbox", &body))
}

/// One captured email: rendered HTML in a sandboxed iframe, and its text part.
pub async fn message_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let view = outbox_view(&req, &state)?;
    let r = state
        .store
        .captured_message(&id)
        .await?
        .ok_or(ApiError::NoSuchMessage)?;
    let r = as_seen(r, view);
    let html = match view {
        View::Full => format!(
            "<iframe sandbox src=\"/notifications/outbox/{}/html\" style=\"width:100%;height:28rem;border:1px solid #ccc\"></iframe>",
            attr(&r.id)
        ),
        View::Masked => "<p>Masqué : liens et codes réservés au soutien. Hidden: links and codes are for support only.</p>".to_owned(),
    };
    let body = format!(
        "<p><a href=\"/notifications/outbox\">← Boîte d'envoi</a></p><h1>{}</h1><p>À : {} — {}</p>\
         <h2>HTML</h2>{html}<h2>Texte</h2><pre>{}</pre>",
        text(r.subject.as_deref().unwrap_or("")),
        text(&r.to),
        text(&r.created_at),
        text(r.text.as_deref().unwrap_or(""))
    );
    Ok(page("Message", &body))
}

/// The captured HTML itself, served with a CSP sandbox: no script, no outside requests.
pub async fn message_html(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    if outbox_view(&req, &state)? == View::Masked {
        // The HTML carries the link in attributes and the code in its own cell: not shown masked.
        return Err(ApiError::Forbidden(NOT_IN_GROUP));
    }
    let html = state
        .store
        .captured_html(&id)
        .await?
        .ok_or(ApiError::NoSuchMessage)?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
        ))
        .body(html))
}

/// Every message's status, attempts, provider id and error (staff).
#[utoipa::path(get, path = "/notifications/log", tag = "notifications", params(ToQuery),
    responses((status = 200, description = "Every delivery, without message bodies", body = [DeliveryRow]),
              (status = 400, description = "The query string does not parse", body = Problem, content_type = "application/problem+json"),
              (status = 403, description = "Staff only", body = Problem, content_type = "application/problem+json"),
              (status = 503, description = "The delivery log does not answer", body = Problem, content_type = "application/problem+json")))]
pub async fn delivery_log(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ToQuery>,
) -> Result<HttpResponse, ApiError> {
    let view = state.staff.view(&req)?;
    let rows = state
        .store
        .list(q.to.as_deref().filter(|t| !t.trim().is_empty()), false, 500)
        .await?;
    // The log is for support: statuses, not message bodies (they carry login links).
    let rows: Vec<DeliveryRow> = rows
        .into_iter()
        .map(|mut r| {
            r.text = None;
            as_seen(r, view)
        })
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(rows))
}

fn page(title: &str, body: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'"))
        .body(format!(
            "<!doctype html><html lang=fr><meta charset=utf-8><meta name=referrer content=no-referrer><title>{} — Gigafibre</title>\
             <style>body{{font-family:system-ui,sans-serif;margin:2rem;color:#222}}table{{border-collapse:collapse;width:100%}}\
             td,th{{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}}pre{{white-space:pre-wrap;margin:0}}</style>\
             <body>{}</body></html>",
            text(title),
            body
        ))
}
