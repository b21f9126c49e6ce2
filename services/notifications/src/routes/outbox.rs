//! The sandbox outbox (what would have been sent) and the delivery log.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde::Deserialize;
use shared::config::OutboundMode;
use shared::http::Problem;

use super::{AppState, is_staff};
use crate::store::DeliveryRow;

/// `?to=` filter.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ToQuery {
    /// Only messages to this address or number.
    pub to: Option<String>,
}

fn forbidden() -> HttpResponse {
    use actix_web::ResponseError as _;
    Problem::new(
        actix_web::http::StatusCode::FORBIDDEN,
        "NOTIF_01",
        "Forbidden",
        "Staff only.",
    )
    .error_response()
}

fn unavailable(e: sea_orm::DbErr) -> HttpResponse {
    use actix_web::ResponseError as _;
    tracing::error!(error = %e, "delivery log unavailable");
    Problem::unavailable("The delivery log is not answering.").error_response()
}

fn sandbox_only(state: &AppState) -> Option<HttpResponse> {
    (state.mode == OutboundMode::Live).then(|| {
        use actix_web::ResponseError as _;
        Problem::new(
            actix_web::http::StatusCode::NOT_FOUND,
            "NOTIF_02",
            "Not found",
            "No outbox in live mode.",
        )
        .error_response()
    })
}

/// The outbox is for staff, and only exists in sandbox mode.
fn outbox_refused(req: &HttpRequest, state: &AppState) -> Option<HttpResponse> {
    sandbox_only(state).or_else(|| (!is_staff(req, &state.trusted_proxies)).then(forbidden))
}

async fn captured(state: &AppState, to: Option<&str>) -> Result<Vec<DeliveryRow>, HttpResponse> {
    state
        .store
        .list(to.filter(|t| !t.trim().is_empty()), true, 500)
        .await
        .map_err(unavailable)
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
) -> HttpResponse {
    if let Some(refused) = outbox_refused(&req, &state) {
        return refused;
    }
    match captured(&state, q.to.as_deref()).await {
        Ok(rows) => HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(rows),
        Err(r) => r,
    }
}

/// The outbox page (JSON too, for `Accept: application/json`).
pub async fn outbox_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ToQuery>,
) -> HttpResponse {
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json"));
    if wants_json {
        return outbox_json(req, state, q).await;
    }
    if let Some(refused) = outbox_refused(&req, &state) {
        return refused;
    }
    let rows = match captured(&state, q.to.as_deref()).await {
        Ok(rows) => rows,
        Err(r) => return r,
    };
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
    page("Outbox", &body)
}

/// One captured email: rendered HTML in a sandboxed iframe, and its text part.
pub async fn message_page(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    if let Some(refused) = outbox_refused(&req, &state) {
        return refused;
    }
    let r = match state.store.captured_message(&id).await {
        Ok(Some(r)) => r,
        Ok(None) => return HttpResponse::NotFound().finish(),
        Err(e) => return unavailable(e),
    };
    let body = format!(
        "<p><a href=\"/notifications/outbox\">← Boîte d'envoi</a></p><h1>{}</h1><p>À : {} — {}</p>\
         <h2>HTML</h2><iframe sandbox src=\"/notifications/outbox/{}/html\" style=\"width:100%;height:28rem;border:1px solid #ccc\"></iframe>\
         <h2>Texte</h2><pre>{}</pre>",
        text(r.subject.as_deref().unwrap_or("")),
        text(&r.to),
        text(&r.created_at),
        attr(&r.id),
        text(r.text.as_deref().unwrap_or(""))
    );
    page("Message", &body)
}

/// The captured HTML itself, served with a CSP sandbox: no script, no outside requests.
pub async fn message_html(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    if let Some(refused) = outbox_refused(&req, &state) {
        return refused;
    }
    match state.store.captured_html(&id).await {
        Ok(Some(html)) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header((
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            ))
            .body(html),
        Ok(None) => HttpResponse::NotFound().finish(),
        Err(e) => unavailable(e),
    }
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
) -> HttpResponse {
    if !is_staff(&req, &state.trusted_proxies) {
        return forbidden();
    }
    match state
        .store
        .list(q.to.as_deref().filter(|t| !t.trim().is_empty()), false, 500)
        .await
    {
        Ok(mut rows) => {
            // The log is for support: statuses, not message bodies (they carry login links).
            rows.iter_mut().for_each(|r| r.text = None);
            HttpResponse::Ok()
                .insert_header((header::CACHE_CONTROL, "no-store"))
                .json(rows)
        }
        Err(e) => unavailable(e),
    }
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
