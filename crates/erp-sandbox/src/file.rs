//! File, as Frappe's `File` controller stores an upload: `POST /api/resource/File` with
//! `content` (base64 when `decode` is set) writes the bytes and sets `file_url`
//! (`/private/files/<file_name>` or `/files/<file_name>`), `file_size`, `content_hash`; the
//! content itself is never part of the document. The bytes are served at that URL.

use actix_web::http::header::AUTHORIZATION;
use actix_web::{HttpRequest, HttpResponse, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::FrappeError;
use crate::invoice::{default, text};
use crate::selling_doctypes::FILE;
use crate::store::Store;

/// Where the bytes of each stored file live: one pseudo-document per `file_url`, never served
/// through `/api/resource` (not a doctype).
const CONTENT: &str = "__File Content";

/// Prepares a new File: decodes and stores `content`, sets `file_name`, `file_url`, `file_size`,
/// `file_type`, `content_hash`, `folder`, and removes `content` and `decode` from the document.
pub async fn prepare(store: &Store, doc: &mut Map<String, Value>) -> Result<(), FrappeError> {
    let content = doc.remove("content");
    let decode = doc.remove("decode").is_some_and(|v| truthy(&v));
    let file_name = text(doc, "file_name").replace('/', "");
    let file_url = text(doc, "file_url");
    if file_name.is_empty() && file_url.is_empty() {
        return Err(FrappeError::mandatory(
            "Fields `file_name` or `file_url` must be set for File",
        ));
    }
    let file_name = if file_name.is_empty() {
        file_url.rsplit('/').next().unwrap_or_default().to_owned()
    } else {
        file_name
    };
    doc.insert("file_name".to_owned(), json!(file_name));
    let is_private = doc.get("is_private").is_some_and(truthy);
    doc.insert("is_private".to_owned(), json!(i32::from(is_private)));
    doc.insert("is_folder".to_owned(), json!(0));
    let attached = !text(doc, "attached_to_doctype").is_empty();
    if attached && text(doc, "attached_to_name").is_empty() {
        return Err(FrappeError::validation(
            "Attached To Name must be a string or an integer",
        ));
    }
    let folder = if attached { "Home/Attachments" } else { "Home" };
    default(doc, "folder", json!(folder));
    if let Some(extension) = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_uppercase())
    {
        doc.insert("file_type".to_owned(), json!(extension));
    }
    let Some(content) = content.filter(|c| !c.is_null()) else {
        return Ok(()); // a link to a remote file: nothing to store
    };
    let bytes = match (&content, decode) {
        (Value::String(text), true) => {
            // A data URL carries its base64 after the comma, as Frappe's decode_file_content reads it.
            let payload = text.split_once(',').map_or(text.as_str(), |(_, b)| b);
            STANDARD
                .decode(payload.trim())
                .map_err(|_| FrappeError::validation("Invalid base64 content"))?
        }
        (Value::String(text), false) => text.clone().into_bytes(),
        _ => return Err(FrappeError::validation("content must be a string")),
    };
    let hash = hex::encode(Sha256::digest(&bytes));
    let content_hash = &hash[..32];
    doc.insert("file_size".to_owned(), json!(bytes.len()));
    doc.insert("content_hash".to_owned(), json!(content_hash));
    let files = store.find_by_doctype(FILE).await?;
    let same_content = files.iter().find(|f| {
        f["content_hash"].as_str() == Some(content_hash)
            && f["is_private"].as_i64() == Some(i64::from(is_private))
    });
    if let Some(existing) = same_content {
        // Frappe reuses the file on disk rather than writing the same bytes twice.
        doc.insert("file_url".to_owned(), existing["file_url"].clone());
        return Ok(());
    }
    let mut stored_name = file_name.replace(['\\', '%', '?', '#'], "_");
    let url_of = |name: &str| match is_private {
        true => format!("/private/files/{name}"),
        false => format!("/files/{name}"),
    };
    if store
        .find_by_name(CONTENT, &url_of(&stored_name))
        .await?
        .is_some()
    {
        // Another file of that name: Frappe appends the end of the content hash.
        let suffix = &content_hash[content_hash.len() - 6..];
        stored_name = match stored_name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}{suffix}.{ext}"),
            None => format!("{stored_name}{suffix}"),
        };
    }
    let url = url_of(&stored_name);
    doc.insert("file_name".to_owned(), json!(stored_name));
    doc.insert("file_url".to_owned(), json!(url));
    let stamp = crate::routes::frappe_now();
    let blob = json!({
        "name": url,
        "creation": stamp,
        "modified": stamp,
        "base64": STANDARD.encode(&bytes),
    });
    store.create(CONTENT, &blob).await?;
    Ok(())
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Bool(flag) => *flag,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !matches!(s.trim(), "" | "0" | "false"),
        _ => false,
    }
}

/// `GET /private/files/{file_name}`: the bytes of a private file, for an API user (a request
/// without credentials is Frappe's Guest: 403; wrong credentials 401).
pub async fn download_private(
    req: HttpRequest,
    state: web::Data<AppState>,
    file_name: web::Path<String>,
) -> Result<HttpResponse, FrappeError> {
    if req.headers().get(AUTHORIZATION).is_none() {
        return Err(FrappeError::permission(
            "You don't have permission to access this file",
        ));
    }
    crate::auth::authenticate(&req)?;
    serve(&state.store, &format!("/private/files/{file_name}")).await
}

/// `GET /files/{file_name}`: the bytes of a public file, for anyone.
pub async fn download_public(
    state: web::Data<AppState>,
    file_name: web::Path<String>,
) -> Result<HttpResponse, FrappeError> {
    serve(&state.store, &format!("/files/{file_name}")).await
}

async fn serve(store: &Store, url: &str) -> Result<HttpResponse, FrappeError> {
    let blob = store
        .find_by_name(CONTENT, url)
        .await?
        .ok_or_else(|| FrappeError::not_found(format!("File {url} not found")))?;
    let bytes = STANDARD
        .decode(blob["base64"].as_str().unwrap_or_default())
        .map_err(|e| FrappeError::internal(&e))?;
    let file_name = url.rsplit('/').next().unwrap_or_default();
    Ok(HttpResponse::Ok()
        .content_type(content_type(file_name))
        .insert_header((
            "Content-Disposition",
            format!("inline; filename=\"{}\"", file_name.replace('"', "")),
        ))
        .body(bytes))
}

fn content_type(file_name: &str) -> &'static str {
    let extension = file_name
        .rsplit_once('.')
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}
