//! The signing page a person opens from `embed_src` (`/s/{slug}`), its posts (start, complete,
//! decline) and the public files (`/file/{token}/{name}`), as DocuSeal's form behaves: opening it
//! records `opened_at` and sends `form.viewed` (once per submitter here), the first interaction
//! sends `form.started`, a completed, declined or expired form accepts nothing.

mod complete;
mod form_page;

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use chrono::Utc;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::DocusealError;
use crate::model::{Submission, Submitter};
use crate::pages::{self, page};
use crate::serialize::submitter_webhook;
use crate::templates::{self, Template};
use crate::webhooks::emit;

type State = web::Data<AppState>;

/// `/s/{slug}` and its posts.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/{slug}", web::get().to(show))
        .route("/{slug}/start", web::post().to(start))
        .route("/{slug}/complete", web::post().to(complete::complete))
        .route("/{slug}/decline", web::post().to(decline));
}

/// `/file/{token}/{name}`: the documents, audit logs and signature images, without auth, as
/// DocuSeal's blob proxy URLs.
pub fn configure_files(cfg: &mut web::ServiceConfig) {
    cfg.route("/file/{token}/{name:.*}", web::get().to(file));
}

/// A submitter with its submission, its template and the submission's submitters.
pub(crate) struct Form {
    pub submitter: Submitter,
    pub submission: Submission,
    pub template: &'static Template,
    pub submitters: Vec<Submitter>,
}

/// Why a form accepts nothing more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Closed {
    Completed,
    Declined,
    Expired,
}

impl Form {
    pub(crate) async fn load(state: &AppState, slug: &str) -> Result<Option<Form>, DocusealError> {
        let Some(submitter) = state.store.find_submitter_by_slug(slug).await? else {
            return Ok(None);
        };
        let Some(submission) = state.store.find_submission(submitter.submission_id).await? else {
            return Ok(None);
        };
        let Some(template) = templates::find(submission.template_id) else {
            return Ok(None);
        };
        let submitters = state.store.find_submitters_of(submission.id).await?;
        Ok(Some(Form {
            submitter,
            submission,
            template,
            submitters,
        }))
    }

    pub(crate) fn closed(&self) -> Option<Closed> {
        if self.submitter.completed_at.is_some() {
            Some(Closed::Completed)
        } else if self.submitters.iter().any(|s| s.declined_at.is_some()) {
            Some(Closed::Declined)
        } else if self.submission.expired(Utc::now()) {
            Some(Closed::Expired)
        } else {
            None
        }
    }

    /// The submitter as a `form.*` webhook's data, the submitter list refreshed first.
    pub(crate) fn webhook_data(&mut self, public_url: &str) -> serde_json::Value {
        if let Some(slot) = self
            .submitters
            .iter_mut()
            .find(|s| s.id == self.submitter.id)
        {
            *slot = self.submitter.clone();
        }
        submitter_webhook(
            public_url,
            self.template,
            &self.submission,
            &self.submitters,
            &self.submitter,
        )
    }
}

/// The anti-forgery token of a form's page: an HMAC of its slug under the sandbox's page key.
pub(crate) fn page_token(state: &AppState, slug: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&state.page_key) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(slug.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub(crate) fn token_ok(state: &AppState, slug: &str, given: &str) -> bool {
    bool::from(page_token(state, slug).as_bytes().ct_eq(given.as_bytes()))
}

/// The client's address and `User-Agent`, as DocuSeal records them.
pub(crate) fn client_of(req: &HttpRequest) -> (Option<String>, Option<String>) {
    let ip = req.peer_addr().map(|a| a.ip().to_string());
    let ua = req
        .headers()
        .get("User-Agent")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (ip, ua)
}

/// Records `kind` with the client's address once, and sends `event_type`.
async fn record_once(
    state: &AppState,
    form: &mut Form,
    req: &HttpRequest,
    kind: &str,
    event_type: &str,
) -> Result<(), DocusealError> {
    if form.submitter.has_event(kind) {
        return Ok(());
    }
    let (ip, ua) = client_of(req);
    form.submitter
        .record(kind, json!({"ip": ip, "ua": ua}), Utc::now());
    state.store.update_submitter(&form.submitter).await?;
    let data = form.webhook_data(&state.public_url);
    emit(state, event_type, data).await
}

/// The page of a form that accepts nothing more: 409.
pub(crate) fn closed_page(form: &Form, closed: Closed) -> HttpResponse {
    let (title, text) = match closed {
        Closed::Completed => (
            "Document déjà signé / Document already signed",
            "Ce formulaire a été rempli et signé. / This form has been completed and signed.",
        ),
        Closed::Declined => (
            "Signature refusée / Signing declined",
            "Ce document a été refusé. / This document has been declined.",
        ),
        Closed::Expired => (
            "Lien expiré / Link expired",
            "Ce lien de signature a expiré. / This signing link has expired.",
        ),
    };
    let mut body = format!("<p>{text}</p>");
    if closed == Closed::Completed {
        body.push_str(&form_page::download_links(form));
    }
    page(StatusCode::CONFLICT, title, &body)
}

#[tracing::instrument(skip_all)]
async fn show(
    req: HttpRequest,
    state: State,
    slug: web::Path<String>,
) -> Result<HttpResponse, DocusealError> {
    let _guard = state.write_lock.lock().await;
    let Some(mut form) = Form::load(&state, &slug).await? else {
        return Ok(pages::not_found());
    };
    if let Some(closed) = form.closed() {
        return Ok(closed_page(&form, closed));
    }
    if form.submitter.opened_at.is_none() {
        form.submitter.opened_at = Some(Utc::now());
        state.store.update_submitter(&form.submitter).await?;
    }
    record_once(&state, &mut form, &req, "view_form", "form.viewed").await?;
    let token = page_token(&state, &slug);
    Ok(form_page::render(&form, &token, None))
}

/// The token every post carries.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    authenticity_token: String,
}

#[tracing::instrument(skip_all)]
async fn start(
    req: HttpRequest,
    state: State,
    slug: web::Path<String>,
    posted: web::Form<TokenForm>,
) -> Result<HttpResponse, DocusealError> {
    if !token_ok(&state, &slug, &posted.authenticity_token) {
        return Ok(pages::forbidden());
    }
    let _guard = state.write_lock.lock().await;
    let Some(mut form) = Form::load(&state, &slug).await? else {
        return Ok(pages::not_found());
    };
    if let Some(closed) = form.closed() {
        return Ok(closed_page(&form, closed));
    }
    record_once(&state, &mut form, &req, "start_form", "form.started").await?;
    Ok(HttpResponse::Ok().json(json!({})))
}

#[derive(Debug, Deserialize)]
struct DeclineForm {
    #[serde(default)]
    authenticity_token: String,
    #[serde(default)]
    reason: String,
}

#[tracing::instrument(skip_all)]
async fn decline(
    req: HttpRequest,
    state: State,
    slug: web::Path<String>,
    posted: web::Form<DeclineForm>,
) -> Result<HttpResponse, DocusealError> {
    if !token_ok(&state, &slug, &posted.authenticity_token) {
        return Ok(pages::forbidden());
    }
    let _guard = state.write_lock.lock().await;
    let Some(mut form) = Form::load(&state, &slug).await? else {
        return Ok(pages::not_found());
    };
    if let Some(closed) = form.closed() {
        return Ok(closed_page(&form, closed));
    }
    let now = Utc::now();
    let (ip, ua) = client_of(&req);
    let reason = posted.reason.trim();
    let reason = (!reason.is_empty()).then(|| reason.chars().take(2000).collect::<String>());
    form.submitter.declined_at = Some(now);
    form.submitter.record(
        "decline_form",
        json!({"reason": reason, "ip": ip, "ua": ua}),
        now,
    );
    state.store.update_submitter(&form.submitter).await?;
    let data = form.webhook_data(&state.public_url);
    emit(&state, "form.declined", data).await?;
    Ok(pages::see_other(&format!("/s/{}", form.submitter.slug)))
}

#[tracing::instrument(skip_all)]
async fn file(
    state: State,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, DocusealError> {
    let (token, _) = path.into_inner();
    let Some(file) = state.store.find_file(&token).await? else {
        return Err(DocusealError::not_found());
    };
    let disposition = format!(
        "inline; filename=\"{}\"",
        file.name.replace(['"', '\\', '\r', '\n'], "_")
    );
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        .insert_header(("Content-Disposition", disposition))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("Content-Security-Policy", "default-src 'none'; sandbox"))
        .body(file.content))
}
