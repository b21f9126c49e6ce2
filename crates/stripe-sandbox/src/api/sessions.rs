//! `/v1/checkout/sessions` (mode `payment`, `price_data` line items).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{State, authorize, get_one, idempotent, setup_mode};
use crate::error::StripeError;
use crate::form::Params;
use crate::objects::{find, new_id, now, public};

const SESSION_PARAMS: &[&str] = &[
    "mode",
    "line_items",
    "customer",
    "customer_email",
    "client_reference_id",
    "metadata",
    "success_url",
    "cancel_url",
    "payment_method_types",
    "locale",
    "currency",
    "payment_intent_data",
    "payment_method_options",
];

pub(super) async fn create(
    req: HttpRequest,
    state: State,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(SESSION_PARAMS)?;
    let fields = session_fields(&params)?;
    if let Some(customer) = params.get("customer") {
        find(&state, "customer", "customer", customer, "customer").await?;
    }
    let origin = state.public_url.clone();
    let app = state.clone();
    idempotent(&req, &state, params, |p| async move {
        let id = new_id("cs_test_");
        let mut session = json!({
            "id": id,
            "object": "checkout.session",
            "amount_subtotal": fields.amount,
            "amount_total": fields.amount,
            "cancel_url": p.get("cancel_url"),
            "client_reference_id": p.get("client_reference_id"),
            "created": now(),
            "currency": fields.currency,
            "customer": p.get("customer"),
            "customer_email": p.get("customer_email"),
            "expires_at": now() + 24 * 3600,
            "line_items_input": fields.line_items,
            "livemode": false,
            "locale": p.get("locale"),
            "metadata": p.map("metadata"),
            "mode": fields.mode,
            "payment_intent": null,
            "payment_intent_data_input": {
                "metadata": p.map("payment_intent_data[metadata]"),
                "description": p.get("payment_intent_data[description]"),
            },
            "payment_method_options": fields.options,
            "payment_method_types": fields.methods,
            "payment_status": "unpaid",
            "setup_intent": null,
            "status": "open",
            "success_url": p.get("success_url"),
            "url": format!("{origin}/c/pay/{id}"),
        });
        if fields.mode == "setup" {
            setup_mode::start(&app, &mut session).await?;
        }
        app.store.create(&session).await?;
        Ok(public(session))
    })
    .await
}

pub(super) struct SessionFields {
    pub(super) mode: &'static str,
    pub(super) amount: Option<i64>,
    pub(super) currency: Option<String>,
    pub(super) methods: Vec<String>,
    pub(super) line_items: Vec<Value>,
    /// `{"acss_debit": {currency, mandate_options, verification_method}}`, or null.
    pub(super) options: Value,
}

/// Checks a session's parameters as Stripe does, before anything is stored.
fn session_fields(p: &Params) -> Result<SessionFields, StripeError> {
    let setup = match p.required("mode")? {
        "payment" => false,
        "setup" => true,
        "subscription" => {
            return Err(StripeError::bad_request(
                "parameter_invalid_empty",
                "The stripe-sandbox supports mode=payment and mode=setup only so far.".to_owned(),
                Some("mode"),
            ));
        }
        other => {
            return Err(StripeError::invalid_value(
                "mode",
                format!(
                    "Invalid mode: must be one of payment, setup, or subscription (got {other})"
                ),
            ));
        }
    };
    for param in ["success_url", "cancel_url"] {
        let url = p.get(param).unwrap_or("https://");
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(StripeError::bad_request(
                "url_invalid",
                "Not a valid URL".to_owned(),
                Some(param),
            ));
        }
    }
    p.required("success_url")?;
    if setup {
        return setup_mode::fields(p);
    }
    let items = p.indexed("line_items")?;
    if items.is_empty() {
        return Err(StripeError::missing("line_items"));
    }
    let mut amount = 0_i64;
    let mut currency: Option<String> = None;
    let mut line_items = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = |field: &str| format!("line_items[{i}][{field}]");
        let price = |field: &str| format!("price_data[{field}]");
        if item.get("price").is_some() {
            return Err(StripeError::bad_request(
                "resource_missing",
                "The stripe-sandbox has no Prices; use price_data.".to_owned(),
                Some(&at("price")),
            ));
        }
        let item_currency = item
            .get(&price("currency"))
            .ok_or_else(|| StripeError::missing(&format!("line_items[{i}][price_data][currency]")))?
            .to_lowercase();
        let unit_amount = item
            .integer(&price("unit_amount"), 0)
            .map_err(|e| rename(e, &format!("line_items[{i}][price_data][unit_amount]")))?
            .ok_or_else(|| {
                StripeError::missing(&format!("line_items[{i}][price_data][unit_amount]"))
            })?;
        let name = item.get("price_data[product_data][name]").ok_or_else(|| {
            StripeError::missing(&format!("line_items[{i}][price_data][product_data][name]"))
        })?;
        let quantity = item
            .integer("quantity", 1)
            .map_err(|e| rename(e, &at("quantity")))?
            .ok_or_else(|| StripeError::missing(&at("quantity")))?;
        if currency.as_ref().is_some_and(|c| *c != item_currency) {
            return Err(StripeError::bad_request(
                "parameter_invalid_empty",
                "All line items must use the same currency.".to_owned(),
                Some(&format!("line_items[{i}][price_data][currency]")),
            ));
        }
        amount = unit_amount
            .checked_mul(quantity)
            .and_then(|a| a.checked_add(amount))
            .ok_or_else(|| StripeError::invalid_integer(&at("quantity"), "overflow"))?;
        line_items.push(json!({"name": name, "unit_amount": unit_amount, "quantity": quantity}));
        currency = Some(item_currency);
    }
    let currency = currency.unwrap_or_default();
    // Stripe's minimum charge in CAD and USD: 50 cents.
    if amount < 50 {
        return Err(StripeError::bad_request(
            "amount_too_small",
            format!(
                "The Checkout Session's total amount due must add up to at least $0.50 {currency}"
            ),
            None,
        ));
    }
    let mut methods = p.list("payment_method_types");
    if methods.is_empty() {
        methods.push("card".to_owned());
    }
    if let Some(bad) = methods
        .iter()
        .find(|m| !["card", "klarna"].contains(&m.as_str()))
    {
        return Err(StripeError::invalid_value(
            "payment_method_types",
            format!("The payment method type provided: {bad} is invalid."),
        ));
    }
    Ok(SessionFields {
        mode: "payment",
        amount: Some(amount),
        currency: Some(currency),
        methods,
        line_items,
        options: super::acss_options::none(p)?,
    })
}

fn rename(mut error: StripeError, param: &str) -> StripeError {
    if let Some(old) = &error.param {
        error.message = error.message.replace(old.as_str(), param);
    }
    error.param = Some(param.to_owned());
    error
}

pub(super) async fn get(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
) -> Result<HttpResponse, StripeError> {
    get_one(
        &req,
        &state,
        &id,
        ("checkout.session", "checkout.session", "session"),
    )
    .await
}

/// `POST /v1/checkout/sessions/{id}/expire`: an open session becomes `expired` (its page says so,
/// `checkout.session.expired` is sent); any other is refused as Stripe refuses it.
pub(super) async fn expire(
    req: HttpRequest,
    state: State,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, StripeError> {
    authorize(&req, &state)?;
    let params = Params::parse(&body)?;
    params.only(&[])?;
    let app = state.clone();
    let id = id.into_inner();
    idempotent(&req, &state, params, |_| async move {
        let mut session = find(&app, "checkout.session", "checkout.session", &id, "session").await?;
        if session["status"] != "open" {
            return Err(StripeError::bad_request(
                "checkout_session_not_open",
                format!(
                    "Only Checkout Sessions with a status in [\"open\"] can be expired. This Checkout Session has a status of \"{}\".",
                    session["status"].as_str().unwrap_or_default()
                ),
                None,
            ));
        }
        session["status"] = json!("expired");
        app.store.update(&session).await?;
        crate::webhooks::emit(&app, "checkout.session.expired", &session).await?;
        Ok(public(session))
    })
    .await
}
