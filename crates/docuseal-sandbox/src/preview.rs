//! `GET /e/{slug}`: the submission's page (its `submission_url`), read-only: the template, the
//! status, each party's status and the documents once signed.

use actix_web::{HttpResponse, http::StatusCode, web};
use chrono::Utc;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use crate::AppState;
use crate::error::DocusealError;
use crate::pages::{self, page};
use crate::serialize::submission_status;
use crate::templates;

/// `/e/{slug}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/e/{slug}", web::get().to(show));
}

#[tracing::instrument(skip_all)]
async fn show(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, DocusealError> {
    let Some(submission) = state.store.find_submission_by_slug(&slug).await? else {
        return Ok(pages::not_found());
    };
    let Some(template) = templates::find(submission.template_id) else {
        return Ok(pages::not_found());
    };
    let submitters = state.store.find_submitters_of(submission.id).await?;
    let status = submission_status(&submission, &submitters, Utc::now());
    let mut rows = String::new();
    for s in &submitters {
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            text(&s.role),
            text(s.name.as_deref().unwrap_or_default()),
            text(s.email.as_deref().unwrap_or_default()),
            s.status()
        ));
    }
    let mut links = String::new();
    for document in submitters.iter().flat_map(|s| &s.documents) {
        links.push_str(&format!(
            "<li><a href=\"{}\">{} (PDF)</a></li>",
            attr(&document.url),
            text(&document.name)
        ));
    }
    if let Some(audit) = &submission.audit_log {
        links.push_str(&format!(
            "<li><a href=\"{}\">Journal d'audit / Audit log (PDF)</a></li>",
            attr(&audit.url)
        ));
    }
    let body = format!(
        "<p>Statut / Status: <strong>{status}</strong></p>\
         <table><tr><th>Rôle / Role</th><th>Nom / Name</th><th>Courriel / Email</th>\
         <th>Statut / Status</th></tr>{rows}</table><ul>{links}</ul>"
    );
    Ok(page(StatusCode::OK, template.name, &body))
}
