//! The Frappe v1 routes: `/api/resource/...`, `/api/method/frappe.auth.get_logged_user` and
//! `/api/method/frappe.utils.print_format.download_pdf`.

use std::collections::HashMap;

use actix_web::{HttpResponse, web};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::auth::ApiUser;
use crate::doctypes::{self, DocTypeMeta, next_in_series};
use crate::error::FrappeError;
use crate::listing::ListRequest;
use crate::selling_doctypes::FILE;
use crate::{file, mapper, pdf, submittable};

/// Largest upload body: 25 MiB of file, base64-encoded (Frappe's default `max_file_size`).
const FILE_BODY_LIMIT: usize = 35 * 1024 * 1024;

type Reply = Result<HttpResponse, FrappeError>;

/// Mounts the routes under one prefix (`/api` or `/api/v1`).
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/method/frappe.auth.get_logged_user",
        web::get().to(logged_user),
    )
    .route(
        "/method/frappe.auth.get_logged_user",
        web::post().to(logged_user),
    )
    .route(
        "/method/frappe.utils.print_format.download_pdf",
        web::get().to(download_pdf),
    )
    .route(
        "/method/frappe.utils.print_format.download_pdf",
        web::post().to(download_pdf),
    )
    .route(
        "/method/erpnext.selling.doctype.quotation.quotation.make_sales_order",
        web::get().to(make_sales_order),
    )
    .route(
        "/method/erpnext.selling.doctype.quotation.quotation.make_sales_order",
        web::post().to(make_sales_order),
    )
    // An upload carries its content base64-encoded: a larger body than other documents.
    .service(
        web::resource("/resource/{doctype:File}")
            .app_data(web::PayloadConfig::new(FILE_BODY_LIMIT))
            .route(web::get().to(list))
            .route(web::post().to(create)),
    )
    .route("/resource/{doctype}", web::get().to(list))
    .route("/resource/{doctype}", web::post().to(create))
    .route("/resource/{doctype}/{name}", web::get().to(get))
    .route("/resource/{doctype}/{name}", web::put().to(update))
    .route("/resource/{doctype}/{name}", web::delete().to(delete));
}

/// Any other path: 404 `DoesNotExistError`, as Frappe answers an unknown route.
pub async fn not_found() -> Reply {
    Err(FrappeError::not_found("Page not found"))
}

async fn logged_user(user: ApiUser) -> Reply {
    Ok(HttpResponse::Ok().json(json!({ "message": user.user })))
}

fn served(doctype: &str) -> Result<&'static DocTypeMeta, FrappeError> {
    doctypes::find(doctype)
        .ok_or_else(|| FrappeError::permission(format!("No permission for {doctype}")))
}

fn not_found_doc(doctype: &str, name: &str) -> FrappeError {
    FrappeError::not_found(format!("{doctype} {name} not found"))
}

#[tracing::instrument(skip_all, fields(doctype = %doctype))]
async fn list(
    _user: ApiUser,
    state: web::Data<AppState>,
    doctype: web::Path<String>,
    params: web::Query<HashMap<String, String>>,
) -> Reply {
    let meta = served(&doctype)?;
    let mut docs = state.store.find_by_doctype(meta.name).await?;
    let today = crate::invoice::today();
    docs.iter_mut()
        .for_each(|doc| submittable::as_of(meta.name, doc, &today));
    let request = ListRequest::parse(&params, meta.name, &meta.known_fields(&docs))?;
    Ok(HttpResponse::Ok().json(json!({ "data": request.apply(docs) })))
}

#[tracing::instrument(skip_all, fields(doctype = %path.0))]
async fn get(
    _user: ApiUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Reply {
    let (doctype, name) = path.into_inner();
    let meta = served(&doctype)?;
    let doc = state.store.find_by_name(meta.name, &name).await?;
    let mut doc = doc.ok_or_else(|| not_found_doc(meta.name, &name))?;
    submittable::as_of(meta.name, &mut doc, &crate::invoice::today());
    Ok(HttpResponse::Ok().json(json!({ "data": doc })))
}

#[tracing::instrument(skip_all, fields(doctype = %doctype))]
async fn create(
    user: ApiUser,
    state: web::Data<AppState>,
    doctype: web::Path<String>,
    body: web::Bytes,
) -> Reply {
    let meta = served(&doctype)?;
    user.ensure_can_write(meta.name)?;
    let mut doc = parse_object(&body)?;
    // `__islocal`, `__unsaved`...: a mapped document's client-side flags, not fields.
    doc.retain(|key, _| !key.starts_with("__"));
    if let Some(label) = meta.missing_mandatory(&Value::Object(doc.clone())) {
        return Err(FrappeError::mandatory(format!("{label} is required")));
    }
    // Naming and inserting must not interleave, or two creates could take one number.
    let _guard = state.write_lock.lock().await;
    let name = new_name(&state, meta, &doc).await?;
    if state.store.find_by_name(meta.name, &name).await?.is_some() {
        return Err(FrappeError::duplicate(format!(
            "{} {name} already exists",
            meta.name
        )));
    }
    // A submittable doctype may be inserted straight as submitted (`docstatus: 1`), as
    // Frappe's `Document.insert` submits a document that arrives with docstatus 1.
    let docstatus = if submittable::is_submittable(meta.name) {
        doc.get("docstatus").and_then(Value::as_i64).unwrap_or(0)
    } else {
        0
    };
    let now = frappe_now();
    for (field, value) in [
        ("name", json!(name)),
        ("doctype", json!(meta.name)),
        ("owner", json!(user.user)),
        ("modified_by", json!(user.user)),
        ("creation", json!(now)),
        ("modified", json!(now)),
        ("docstatus", json!(docstatus)),
        ("idx", json!(0)),
    ] {
        doc.insert(field.to_owned(), value);
    }
    if meta.name == "Customer" {
        doc.entry("disabled").or_insert(json!(0));
    }
    let changed = submittable::on_save(&state.store, meta.name, None, &mut doc).await?;
    if meta.name == FILE {
        file::prepare(&state.store, &mut doc).await?;
    }
    let doc = Value::Object(doc);
    state.store.create(meta.name, &doc).await?;
    save_changed(&state, changed).await?;
    Ok(HttpResponse::Ok().json(json!({ "data": doc })))
}

#[tracing::instrument(skip_all, fields(doctype = %path.0))]
async fn update(
    user: ApiUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Reply {
    let (doctype, name) = path.into_inner();
    let meta = served(&doctype)?;
    user.ensure_can_write(meta.name)?;
    let patch = parse_object(&body)?;
    let _guard = state.write_lock.lock().await;
    let before = state
        .store
        .find_by_name(meta.name, &name)
        .await?
        .ok_or_else(|| not_found_doc(meta.name, &name))?;
    let mut doc = before.clone();
    let Some(fields) = doc.as_object_mut() else {
        return Err(FrappeError::internal(&"stored document is not an object"));
    };
    for (field, value) in patch {
        // Identity and audit fields are the server's, as in Frappe.
        if !matches!(
            field.as_str(),
            "name" | "doctype" | "owner" | "creation" | "modified" | "modified_by"
        ) && !field.starts_with("__")
        {
            fields.insert(field, value);
        }
    }
    fields.insert("modified".to_owned(), json!(frappe_now()));
    fields.insert("modified_by".to_owned(), json!(user.user));
    let changed = submittable::on_save(&state.store, meta.name, Some(&before), fields).await?;
    if let Some(label) = meta.missing_mandatory(&doc) {
        return Err(FrappeError::mandatory(format!("{label} is required")));
    }
    state.store.update(meta.name, &name, &doc).await?;
    save_changed(&state, changed).await?;
    Ok(HttpResponse::Ok().json(json!({ "data": doc })))
}

#[tracing::instrument(skip_all, fields(doctype = %path.0))]
async fn delete(
    user: ApiUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Reply {
    let (doctype, name) = path.into_inner();
    let meta = served(&doctype)?;
    user.ensure_can_write(meta.name)?;
    let _guard = state.write_lock.lock().await;
    if let Some(doc) = state.store.find_by_name(meta.name, &name).await? {
        submittable::ensure_deletable(&doc)?;
    }
    if !state.store.delete(meta.name, &name).await? {
        return Err(not_found_doc(meta.name, &name));
    }
    Ok(HttpResponse::Accepted().json(json!({ "data": "ok" })))
}

/// The name of a new document: the one given (but not a mapped document's `new-…`
/// placeholder), else by the doctype's autoname (a field, a hash or the naming series).
async fn new_name(
    state: &AppState,
    meta: &DocTypeMeta,
    doc: &Map<String, Value>,
) -> Result<String, FrappeError> {
    let given = doc
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty() && !n.starts_with("new-"));
    if let Some(name) = given {
        return Ok(name.to_owned());
    }
    if let Some(field) = meta.name_field() {
        return Ok(crate::invoice::text(doc, field).trim().to_owned());
    }
    if meta.named_by_hash() {
        return Ok(crate::selling::random_name());
    }
    let names = state.store.find_names(meta.name).await?;
    let prefix = meta.series_prefix(chrono::Datelike::year(&chrono::Utc::now()));
    Ok(next_in_series(
        &prefix,
        meta.series_digits(),
        names.iter().map(String::as_str),
    ))
}

/// Stores the documents a save changed besides itself (the invoices a payment settles).
/// Validation ran before any write, under the write lock, so these cannot be refused.
async fn save_changed(
    state: &AppState,
    changed: Vec<(&'static str, Value)>,
) -> Result<(), FrappeError> {
    let now = frappe_now();
    for (doctype, mut doc) in changed {
        if let Some(fields) = doc.as_object_mut() {
            fields.insert("modified".to_owned(), json!(now));
        }
        let name = doc["name"].as_str().unwrap_or_default().to_owned();
        state.store.update(doctype, &name, &doc).await?;
    }
    Ok(())
}

/// `frappe.utils.print_format.download_pdf?doctype=&name=[&format=][&lang=]`: the document
/// as a PDF attachment named `<name>.pdf`.
#[tracing::instrument(skip_all)]
async fn download_pdf(
    _user: ApiUser,
    state: web::Data<AppState>,
    params: web::Query<HashMap<String, String>>,
) -> Reply {
    let argument = |key: &str| {
        params
            .get(key)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| FrappeError::validation(format!("download_pdf: missing argument {key}")))
    };
    let meta = served(argument("doctype")?)?;
    let name = argument("name")?;
    let doc = state.store.find_by_name(meta.name, name).await?;
    let doc = doc.ok_or_else(|| not_found_doc(meta.name, name))?;
    let lang = params.get("lang").map_or("fr", String::as_str);
    let filename = name.replace([' ', '/'], "-");
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}.pdf\""),
        ))
        .body(pdf::render(meta.name, &doc, lang)))
}

/// `erpnext.selling.doctype.quotation.quotation.make_sales_order`: `source_name` from the query
/// string, a form body or a JSON body (Frappe's `form_dict` merges them).
#[tracing::instrument(skip_all)]
async fn make_sales_order(
    _user: ApiUser,
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    params: web::Query<HashMap<String, String>>,
    body: web::Bytes,
) -> Reply {
    let mut args: Map<String, Value> = params
        .into_inner()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let json_body = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !body.is_empty() {
        if json_body {
            args.extend(parse_object(&body)?);
        } else {
            let form: HashMap<String, String> = serde_urlencoded::from_bytes(&body)
                .map_err(|e| FrappeError::validation(format!("Invalid form body: {e}")))?;
            args.extend(form.into_iter().map(|(k, v)| (k, Value::String(v))));
        }
    }
    let source_name = args
        .get("source_name")
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            FrappeError::validation(
                "make_sales_order() missing 1 required positional argument: 'source_name'",
            )
        })?;
    let order = mapper::make_sales_order(&state.store, source_name).await?;
    Ok(HttpResponse::Ok().json(json!({ "message": order })))
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, FrappeError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(FrappeError::validation(
            "The request body must be a JSON object",
        )),
        Err(e) => Err(FrappeError::validation(format!("Invalid JSON body: {e}"))),
    }
}

/// Frappe's timestamp format, `2024-05-01 10:00:00.000000`.
pub fn frappe_now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.6f")
        .to_string()
}
