//! `/v1/customers`.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{State, authorize, get_one, idempotent};
use crate::error::StripeError;
use crate::form::Params;
use crate::objects::{find, new_id, now};
use crate::payment_methods;

const CUSTOMER_PARAMS: &[&str] = &[
    "email",
    "name",
    "phone",
    "description",
    "preferred_locales",
    "metadata",
];
const DEFAULT_METHOD: &str = "invoice_settings[default_payment_method]";

pub(super) async fn create(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(CUSTOMER_PARAMS)?;
    let app = state.clone();
    idempotent(&req, &state, params, |p| async move {
        let customer = json!({
            "id": new_id("cus_"),
            "object": "customer",
            "created": now(),
            "description": p.get("description"),
            "email": p.get("email"),
            "invoice_settings": {
                "custom_fields": null,
                "default_payment_method": null,
                "footer": null,
                "rendering_options": null,
            },
            "livemode": false,
            "metadata": p.map("metadata"),
            "name": p.get("name"),
            "phone": p.get("phone"),
            "preferred_locales": p.list("preferred_locales"),
        });
        app.store.create(&customer).await?;
        Ok(customer)
    })
    .await
}

pub(super) async fn get(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    get_one(&req, &state, &id, ("customer", "customer", "id")).await
}

/// `POST /v1/customers/{id}`: the create fields (an empty value unsets, metadata keys merge) and
/// `invoice_settings[default_payment_method]`, which must be one of the customer's cards.
pub(super) async fn update(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(&[CUSTOMER_PARAMS, &["invoice_settings"]].concat())?;
    for (key, _) in params
        .map("invoice_settings")
        .as_object()
        .into_iter()
        .flatten()
    {
        if key != "default_payment_method" {
            return Err(StripeError::unknown_param(&format!(
                "invoice_settings[{key}]"
            )));
        }
    }
    let app = state.clone();
    let id = id.into_inner();
    idempotent(&req, &state, params, |p| async move {
        let mut customer = find(&app, "customer", "customer", &id, "id").await?;
        for field in ["email", "name", "phone", "description"] {
            if let Some(value) = p.raw(field) {
                customer[field] = if value.is_empty() {
                    Value::Null
                } else {
                    json!(value)
                };
            }
        }
        if p.raw("preferred_locales").is_some() || !p.list("preferred_locales").is_empty() {
            customer["preferred_locales"] = json!(p.list("preferred_locales"));
        }
        for (key, value) in p.map("metadata").as_object().into_iter().flatten() {
            if value == "" {
                customer["metadata"].as_object_mut().map(|m| m.remove(key));
            } else {
                customer["metadata"][key] = value.clone();
            }
        }
        match p.raw(DEFAULT_METHOD) {
            Some("") => customer["invoice_settings"]["default_payment_method"] = Value::Null,
            Some(method) => {
                payment_methods::check_attached(&app, &id, method).await?;
                customer["invoice_settings"]["default_payment_method"] = json!(method);
            }
            None => {}
        }
        app.store.update(&customer).await?;
        crate::webhooks::emit(&app, "customer.updated", &customer).await?;
        Ok(customer)
    })
    .await
}
