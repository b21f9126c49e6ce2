//! `POST /v1/billing_portal/sessions`: a short-lived link to the customer's portal page.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use super::{State, authorize, idempotent};
use crate::error::StripeError;
use crate::form::Params;
use crate::objects::{find, new_id, now};

pub(super) async fn create(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(&["customer", "return_url", "locale"])?;
    let customer = params.required("customer")?;
    if let Some(url) = params.get("return_url")
        && !(url.starts_with("http://") || url.starts_with("https://"))
    {
        return Err(StripeError::bad_request(
            "url_invalid",
            "Not a valid URL".to_owned(),
            Some("return_url"),
        ));
    }
    if let Some(locale) = params.get("locale")
        && !is_locale(locale)
    {
        return Err(StripeError::invalid_value(
            "locale",
            format!("Invalid locale: {locale}"),
        ));
    }
    find(&state, "customer", "customer", customer, "customer").await?;
    let origin = state.public_url.clone();
    let app = state.clone();
    idempotent(&req, &state, params, |p| async move {
        let id = new_id("bps_");
        let session = json!({
            "id": id,
            "object": "billing_portal.session",
            "configuration": new_id("bpc_"),
            "created": now(),
            "customer": p.get("customer"),
            "flow": null,
            "livemode": false,
            "locale": p.get("locale"),
            "on_behalf_of": null,
            "return_url": p.get("return_url"),
            "url": format!("{origin}/p/session/{id}"),
        });
        app.store.create(&session).await?;
        Ok(session)
    })
    .await
}

/// `auto`, `fr`, `fr-CA`: Stripe's locales are a language and an optional region.
fn is_locale(locale: &str) -> bool {
    let mut parts = locale.split('-');
    let language = parts.next().unwrap_or_default();
    let region = parts.next();
    locale == "auto"
        || (language.len() == 2
            && language.chars().all(|c| c.is_ascii_lowercase())
            && region.is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_uppercase()))
            && parts.next().is_none())
}
