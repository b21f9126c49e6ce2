//! `POST /s/{slug}/complete`: the typed name, the signature (typed, or drawn on the page's canvas)
//! and the consent; then the submitter completed with the client's address and `User-Agent`, the
//! signed document and the audit log rendered as PDFs at public URLs, `form.completed` and
//! `submission.completed` sent, and a redirect to `completed_redirect_url` or a thank-you page.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, web};
use base64::Engine as _;
use chrono::{DateTime, Utc};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Form, State, client_of, closed_page, form_page, page_token, token_ok};
use crate::AppState;
use crate::error::DocusealError;
use crate::model::{FileRef, random_token, ts};
use crate::pages::{self, page};
use crate::pdf;
use crate::serialize::submission_api;
use crate::templates::FieldKind;
use crate::webhooks::emit;

/// A file name in a URL path: all but letters, digits and `.-_~` escaped.
const FILE_NAME: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

/// What the page posts.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CompleteForm {
    #[serde(default)]
    authenticity_token: String,
    /// The signer's name, typed.
    #[serde(default)]
    pub name: String,
    /// The typed signature.
    #[serde(default)]
    pub signature: String,
    /// A drawn signature: `data:image/png;base64,…` from the canvas.
    #[serde(default)]
    signature_image: String,
    /// The consent checkbox (`on` when ticked).
    #[serde(default)]
    pub consent: String,
}

/// A signature the page gave: drawn (PNG bytes) or typed.
enum Signature {
    Drawn(Vec<u8>),
    Typed(String),
}

fn drawn(data_url: &str) -> Option<Vec<u8>> {
    let encoded = data_url.strip_prefix("data:image/png;base64,")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    (bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() <= 1024 * 1024).then_some(bytes)
}

/// The signer's name and signature, or the page's error message.
fn parse(posted: &CompleteForm) -> Result<(String, Signature), &'static str> {
    let name = posted.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err("Entrez votre nom. / Enter your name.");
    }
    let signature = match drawn(&posted.signature_image) {
        Some(png) => Signature::Drawn(png),
        None => {
            let typed = posted.signature.trim();
            if typed.is_empty() || typed.chars().count() > 200 {
                return Err(
                    "Signez (tapez ou dessinez votre signature). / Sign (type or draw your signature).",
                );
            }
            Signature::Typed(typed.to_owned())
        }
    };
    if !matches!(posted.consent.as_str(), "on" | "1" | "true" | "yes") {
        return Err("Cochez la case de consentement. / Tick the consent box.");
    }
    Ok((name.to_owned(), signature))
}

#[tracing::instrument(skip_all)]
pub async fn complete(
    req: HttpRequest,
    state: State,
    slug: web::Path<String>,
    posted: web::Form<CompleteForm>,
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
    let (name, signature) = match parse(&posted) {
        Ok(parsed) => parsed,
        Err(message) => {
            let token = page_token(&state, &slug);
            let mut answer = form_page::render(&form, &token, Some(message));
            *answer.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            return Ok(answer);
        }
    };
    let (ip, ua) = client_of(&req);
    if !form.submitter.has_event("start_form") {
        form.submitter
            .record("start_form", json!({"ip": ip, "ua": ua}), Utc::now());
        state.store.update_submitter(&form.submitter).await?;
        let data = form.webhook_data(&state.public_url);
        emit(&state, "form.started", data).await?;
    }
    sign(&state, &mut form, name, signature, (ip, ua)).await?;
    let data = form.webhook_data(&state.public_url);
    emit(&state, "form.completed", data).await?;
    if form.submission.completed_at.is_some() {
        let data = submission_api(
            &state.public_url,
            form.template,
            &form.submission,
            &form.submitters,
        );
        emit(&state, "submission.completed", data).await?;
    }
    let redirect = form
        .submitter
        .completed_redirect_url
        .clone()
        .or_else(|| form.submission.completed_redirect_url.clone());
    Ok(match redirect {
        Some(url) => pages::see_other(&url),
        None => page(
            StatusCode::OK,
            "Merci, c'est signé / Thank you, it is signed",
            &format!(
                "<p>Votre signature a été enregistrée. / Your signature has been recorded.</p>{}",
                form_page::download_links(&form)
            ),
        ),
    })
}

/// Completes the submitter (and the submission when it was the last to sign): the signature
/// image, the signed document and the audit log stored, the records written.
async fn sign(
    state: &AppState,
    form: &mut Form,
    name: String,
    signature: Signature,
    (ip, ua): (Option<String>, Option<String>),
) -> Result<(), DocusealError> {
    let now = Utc::now();
    let (file_name, content_type, bytes, typed) = match signature {
        Signature::Drawn(png) => ("signature.png", "image/png", png, None),
        Signature::Typed(text) => (
            "signature.svg",
            "image/svg+xml",
            typed_signature_svg(&text).into_bytes(),
            Some(text),
        ),
    };
    let signature_url = store_file(state, file_name, content_type, bytes).await?;
    let submitter = &mut form.submitter;
    if let Some(field) = form
        .template
        .fields
        .iter()
        .find(|f| f.kind == FieldKind::Signature)
    {
        submitter
            .values
            .insert(field.name.to_owned(), json!(signature_url.url));
    }
    submitter.name = Some(name);
    submitter.completed_at = Some(now);
    submitter.ip = ip.clone();
    submitter.ua = ua.clone();
    submitter.record("complete_form", json!({"ip": ip, "ua": ua}), now);
    let document = signed_document(form, typed.as_deref(), now);
    let digest = hex::encode(Sha256::digest(&document));
    let document_name = form.template.name.to_owned();
    let stored = store_file(
        state,
        &format!("{document_name}.pdf"),
        "application/pdf",
        document,
    )
    .await?;
    form.submitter.documents = vec![FileRef {
        name: document_name,
        url: stored.url,
    }];
    state.store.update_submitter(&form.submitter).await?;
    if let Some(slot) = form
        .submitters
        .iter_mut()
        .find(|s| s.id == form.submitter.id)
    {
        *slot = form.submitter.clone();
    }
    if form.submitters.iter().all(|s| s.completed_at.is_some()) {
        let audit = audit_log(form, &digest);
        let name = format!("Audit Log - {}", form.template.name);
        let stored = store_file(state, &format!("{name}.pdf"), "application/pdf", audit).await?;
        form.submission.audit_log = Some(FileRef {
            name,
            url: stored.url,
        });
        form.submission.completed_at = Some(now);
        form.submission.updated_at = now;
        state.store.update_submission(&form.submission).await?;
    }
    Ok(())
}

/// Stores a file under a fresh random token: its public URL.
async fn store_file(
    state: &AppState,
    name: &str,
    content_type: &str,
    bytes: Vec<u8>,
) -> Result<FileRef, DocusealError> {
    let token = random_token(40);
    state
        .store
        .create_file(&token, name, content_type, bytes)
        .await?;
    Ok(FileRef {
        name: name.to_owned(),
        url: format!(
            "{}/file/{token}/{}",
            state.public_url,
            utf8_percent_encode(name, FILE_NAME)
        ),
    })
}

fn typed_signature_svg(text: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"100\">\
         <text x=\"10\" y=\"65\" font-family=\"cursive, serif\" font-size=\"40\">{}</text></svg>",
        html_escape::encode_text(text)
    )
}

fn text_value(value: Option<&serde_json::Value>) -> String {
    match value {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn signed_document(form: &Form, typed: Option<&str>, at: DateTime<Utc>) -> Vec<u8> {
    let s = &form.submitter;
    let or_blank = |v: &Option<String>| v.clone().unwrap_or_default();
    let mut lines = vec![
        format!("Gigafibre - {}", form.template.name),
        format!(
            "Document signé / Signed document - soumission DocuSeal / submission {}",
            form.submission.id
        ),
        String::new(),
    ];
    for field in form
        .template
        .fields
        .iter()
        .filter(|f| f.kind == FieldKind::Text)
    {
        let value = text_value(s.values.get(field.name));
        lines.push(format!("{} / {}: {value}", field.label_fr, field.label_en));
    }
    let ua: String = or_blank(&s.ua).chars().take(80).collect();
    lines.extend([
        String::new(),
        format!("Signé par / Signed by: {}", or_blank(&s.name)),
        format!("Signature: {}", typed.unwrap_or("(dessinée / drawn)")),
        format!("Date (UTC): {}", ts(at)),
        format!("Courriel / Email: {}", or_blank(&s.email)),
        format!("Adresse IP / IP address: {}", or_blank(&s.ip)),
        format!("Navigateur / Browser: {ua}"),
        format!("Référence / Reference: {}", s.uuid),
    ]);
    pdf::document(form.template.name, &lines)
}

fn audit_log(form: &Form, document_sha256: &str) -> Vec<u8> {
    let mut lines = vec![
        format!("Journal d'audit / Audit log - {}", form.template.name),
        format!("Soumission / Submission: {}", form.submission.id),
        format!("Créée / Created: {}", ts(form.submission.created_at)),
        format!("Document SHA-256: {document_sha256}"),
        String::new(),
    ];
    for submitter in &form.submitters {
        lines.push(format!(
            "{} <{}> ({})",
            submitter.name.as_deref().unwrap_or_default(),
            submitter.email.as_deref().unwrap_or_default(),
            submitter.role
        ));
        for event in &submitter.events {
            lines.push(format!(
                "  {} {} ip={}",
                ts(event.event_timestamp),
                event.event_type,
                event.data["ip"].as_str().unwrap_or("-")
            ));
            if let Some(ua) = event.data["ua"].as_str() {
                lines.push(format!("      {}", ua.chars().take(80).collect::<String>()));
            }
        }
    }
    pdf::document(&format!("Audit Log - {}", form.template.name), &lines)
}
